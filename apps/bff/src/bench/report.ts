/**
 * The bench's figures: each printed as soon as it is measured, beside its baseline from the same
 * run and its target, and at the end all of them again as one Markdown table per item, ready
 * for the README.
 */
import os from 'node:os';

export type Item = 1 | 2 | 3 | 4 | 5;

export type Figure = {
  item: Item;
  /** The database and number of instances: "SQLite", "PostgreSQL", "PostgreSQL, 2 instances". */
  subject: string;
  what: string;
  value: string;
  baseline: string;
  /** Empty when no target is set for this figure. */
  target: string;
  met?: boolean;
};

export const ITEM_TITLES: Record<Item, string> = {
  1: 'Open loop: a device search at fixed rates, and the knee',
  2: 'Every support question at 1,000,000 purchases',
  3: 'What the framework costs: the BFF beside Express 5 alone',
  4: 'Webhook fulfilment: checkout.session.completed for 3-device baskets',
  5: 'In the browser: Largest Contentful Paint',
};

export const verdict = (met: boolean | undefined) =>
  met === undefined ? '' : met ? 'met' : 'NOT met';

export const ms = (value: number) =>
  value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toString();
export const count = (value: number) => Math.round(value).toLocaleString('en');
export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export class Report {
  readonly figures: Figure[] = [];

  section(item: Item, subject: string): void {
    console.log(`\n  [${item}] ${ITEM_TITLES[item]} — ${subject} (load average ${loadAverage()})`);
  }

  note(text: string): void {
    console.log(`      ${text}`);
  }

  add(figure: Figure): void {
    this.figures.push(figure);
    const target = figure.target ? `  target ${figure.target}: ${verdict(figure.met)}` : '';
    console.log(`    ${figure.what}: ${figure.value}  | baseline ${figure.baseline}${target}`);
  }

  markdown(): string {
    const escape = (text: string) => text.replaceAll('|', '\\|');
    const items = [...new Set(this.figures.map((f) => f.item))].sort();
    return items
      .map((item) =>
        [
          `**${item}. ${ITEM_TITLES[item]}**`,
          '',
          '| what | database | figure | baseline, same run | target | |',
          '| --- | --- | --- | --- | --- | --- |',
          ...this.figures
            .filter((f) => f.item === item)
            .map((f) =>
              [f.what, f.subject, f.value, f.baseline, f.target, verdict(f.met)]
                .map(escape)
                .join(' | '),
            )
            .map((row) => `| ${row} |`),
        ].join('\n'),
      )
      .join('\n\n');
  }
}
