/**
 * `pnpm bench` for the BFF: what a support agent, a provider and an operator wait for, each
 * figure beside a baseline measured in the same run and its target, one section per kind of
 * wait, on the SQLite file and, when LARGE_DATABASE_URL names the PostgreSQL database that
 * `pnpm seed:large` filled, on PostgreSQL with one instance and with two:
 *
 *   1. a device search under an open-loop load at fixed rates, and the knee (open-loop-section)
 *   2. every support question at a million purchases, and the CSV export (support-section)
 *   3. the BFF beside Express 5 alone doing the same work (framework-section)
 *   4. webhook fulfilment of 3-device baskets beside a raw insert loop (webhook-section)
 *   5. Largest Contentful Paint of the Purchases, Devices and device pages (browser-section)
 *
 * Every server and baseline runs in a process of its own, the load generator in another. At the
 * end every figure is printed again as Markdown tables, ready for the README.
 *
 *   BENCH_DATABASES=sqlite|postgres|both   which databases (default both, PostgreSQL when configured)
 *   BENCH_TWO_INSTANCES=false              leave out PostgreSQL with two instances
 *   BENCH_ITEMS=1,2,3,4,5                  which sections
 *   BENCH_DURATION=3 BENCH_WARMUP=1        seconds measured and warmed up per load step
 *   BENCH_WEBHOOK_EVENTS=4000              events delivered in item 4
 *   BENCH_PROFILE=folder                   CPU profiles of the BFF under load, summarised as it goes
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../db/database';
import type { BenchSettings, SectionContext, Subject } from './bench-context';
import { browserSection } from './browser-section';
import { frameworkSection } from './framework-section';
import { openLoopSection } from './open-loop-section';
import { loadAverage, Report } from './report';
import { supportQuestions } from './support-questions';
import { supportSection } from './support-section';
import { webhookSection } from './webhook-section';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    BENCH_DATABASES: z.enum(['both', 'sqlite', 'postgres']).default('both'),
    BENCH_TWO_INSTANCES: z.enum(['true', 'false']).default('true'),
    BENCH_ITEMS: z
      .string()
      .default('1,2,3,4,5')
      .transform((items) => new Set(items.split(',').map((item) => Number(item.trim())))),
    BENCH_DURATION: z.coerce.number().positive().default(3),
    BENCH_WARMUP: z.coerce.number().min(0).default(1),
    BENCH_WEBHOOK_EVENTS: z.coerce.number().int().min(100).default(4_000),
    BENCH_PROFILE: z.string().min(1).optional(),
  })
  .parse(process.env);

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

function subjects(): Subject[] {
  const list: Subject[] = [];
  if (env.BENCH_DATABASES !== 'postgres') {
    const file = path.resolve(env.LARGE_DATABASE_PATH);
    if (!fs.existsSync(file))
      fail(`No database at ${file}. Run \`pnpm seed:large\` first (it takes a few minutes).`);
    list.push({ name: 'SQLite', database: file, instances: 1 });
  }
  if (env.BENCH_DATABASES !== 'sqlite') {
    if (env.LARGE_DATABASE_URL) {
      list.push({ name: 'PostgreSQL', database: env.LARGE_DATABASE_URL, instances: 1 });
      if (env.BENCH_TWO_INSTANCES === 'true')
        list.push({
          name: 'PostgreSQL, 2 instances',
          database: env.LARGE_DATABASE_URL,
          instances: 2,
        });
    } else if (env.BENCH_DATABASES === 'postgres') {
      fail('BENCH_DATABASES=postgres needs LARGE_DATABASE_URL (see `pnpm seed:large`).');
    }
  }
  return list;
}

const targetOf = (database: string) =>
  /^postgres(ql)?:\/\//.test(database) ? { postgresUrl: database } : { sqlitePath: database };

async function main() {
  const report = new Report();
  const settings: BenchSettings = {
    durationMs: env.BENCH_DURATION * 1000,
    warmupMs: env.BENCH_WARMUP * 1000,
    profileDir: env.BENCH_PROFILE && path.resolve(env.BENCH_PROFILE),
  };
  const list = subjects();
  const cpus = os.cpus();
  console.log(
    [
      '',
      `  BFF benchmark on ${list.map((s) => s.name).join('; ')}`,
      `  Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}; load average ${loadAverage()}`,
      `  Open-loop steps: ${env.BENCH_WARMUP} s warm-up, then ${env.BENCH_DURATION} s measured`,
    ].join('\n'),
  );
  if (!env.LARGE_DATABASE_URL && env.BENCH_DATABASES === 'both')
    console.log(
      '  (PostgreSQL left out: set LARGE_DATABASE_URL to a database `pnpm seed:large` filled.)',
    );

  const failures: string[] = [];
  const questionsOf = new Map<string, Awaited<ReturnType<typeof supportQuestions>>>();
  for (const [index, subject] of list.entries()) {
    if (!questionsOf.has(subject.database)) {
      try {
        const database = await openDatabase(targetOf(subject.database));
        try {
          questionsOf.set(subject.database, await supportQuestions(database));
        } finally {
          await database.close();
        }
      } catch (error) {
        failures.push(subject.name);
        console.error(error);
        continue;
      }
    }
    const { questions, deviceSearch, csvExports, purchases } = questionsOf.get(subject.database)!;
    console.log(`\n  ${subject.name}: ${purchases.toLocaleString('en')} purchases`);
    const context: SectionContext = { report, subject, settings };
    const sections: [number, () => Promise<void>][] = [
      [1, () => openLoopSection(context, deviceSearch)],
      [2, () => supportSection(context, questions, csvExports)],
      [3, () => frameworkSection(context, deviceSearch)],
      [4, () => webhookSection(context, env.BENCH_WEBHOOK_EVENTS)],
      [5, () => browserSection(context, index === 0)],
    ];
    for (const [item, run] of sections) {
      if (!env.BENCH_ITEMS.has(item)) continue;
      // One section failing leaves the others' figures; the run still fails at the end.
      await run().catch((error: unknown) => {
        failures.push(`item ${item} on ${subject.name}`);
        console.error(error);
      });
    }
  }

  console.log(`\n  Load average at the end: ${loadAverage()}\n\n${report.markdown()}\n`);
  const unmet = report.figures.filter((figure) => figure.met === false).length;
  console.log(
    `  ${report.figures.filter((f) => f.met !== undefined).length - unmet} targets met, ${unmet} not met.\n`,
  );
  if (failures.length > 0) fail(`Failed: ${failures.join(', ')}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
