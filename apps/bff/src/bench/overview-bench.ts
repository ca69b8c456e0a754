/**
 * The Overview on the large database, on SQLite and, when there is one, on PostgreSQL: how long
 * the figures of a month, a quarter and a year take (the service call GET /api/overview makes),
 * beside a baseline measured in the same run: the same sales figures computed from the raw
 * purchases table, as they would be without the per-day totals. Checks that both agree, then
 * prints the plan of every statement the Overview runs.
 *
 *   pnpm seed:large && LARGE_DATABASE_URL=postgres://…/marketplace_large pnpm seed:large
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large npx tsx src/bench/overview-bench.ts
 *
 * BENCH_DATABASES=postgres (or sqlite) runs one of the two only; BENCH_OVERVIEW_RUNS sets how
 * many times each range is read (the baseline, slower, a fifth as often). Reads only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  addDays,
  type CheckoutMode,
  type OverviewQuery,
  type OverviewSalesRow,
} from '@repo/schemas';
import { openDatabase, type Database, type DatabaseTarget } from '../db/database';
import type { Actor } from '../http/auth';
import { createOverviewRepo } from '../modules/overview/overview.repo';
import { createOverviewService } from '../modules/overview/overview.service';
import { recordingPlans } from './explain';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    BENCH_DATABASES: z.enum(['both', 'sqlite', 'postgres']).default('both'),
    BENCH_OVERVIEW_RUNS: z.coerce.number().int().min(5).default(50),
  })
  .parse(process.env);

const ACTOR: Actor = {
  userId: 'usr_acme_support',
  email: 'support@acme.example',
  role: 'support',
  organisationId: 'org_acme',
};

type Timing = { mean: number; p50: number; p99: number; runs: number };

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

async function time(runs: number, work: () => Promise<unknown>): Promise<Timing> {
  await work(); // warm the cache and the prepared statements
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    mean: samples.reduce((sum, s) => sum + s, 0) / samples.length,
    p50: at(0.5),
    p99: at(0.99),
    runs,
  };
}

/**
 * The baseline: the Overview's sales rows computed from every purchase of the range (by the day
 * it was made) and every refund of the range (by the day it was made), grouped as the totals are.
 */
async function salesFromPurchases(
  database: Database,
  organisationId: string,
  query: OverviewQuery,
): Promise<OverviewSalesRow[]> {
  const { db } = database;
  const from = `${query.from}T00:00:00.000Z`;
  const to = `${query.to}T23:59:59.999Z`;
  const grouped = (column: 'createdAt' | 'refundedAt') =>
    db
      .selectFrom('purchases')
      .select((eb) => [
        eb.fn<string>('substr', [column, eb.lit(1), eb.lit(10)]).as('day'),
        'mode',
        'itemId',
        'currency',
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('amount').as('amount'),
      ])
      .where('organisationId', '=', organisationId)
      .where(column, '>=', from)
      .where(column, '<=', to)
      .$if(query.mode !== undefined, (q) => q.where('mode', '=', query.mode!))
      .groupBy((eb) => [
        eb.fn('substr', [column, eb.lit(1), eb.lit(10)]),
        'mode',
        'itemId',
        'currency',
      ])
      .execute();
  const [made, refunded] = [await grouped('createdAt'), await grouped('refundedAt')];
  const rows = new Map<string, OverviewSalesRow>();
  const rowOf = (r: (typeof made)[number]) => {
    const key = JSON.stringify([r.day, r.mode, r.itemId, r.currency]);
    const row = rows.get(key) ?? {
      day: r.day,
      mode: r.mode,
      itemId: r.itemId,
      currency: r.currency,
      purchases: 0,
      grossAmount: 0,
      refunds: 0,
      refundedAmount: 0,
    };
    rows.set(key, row);
    return row;
  };
  for (const r of made) Object.assign(rowOf(r), { purchases: r.count, grossAmount: r.amount });
  for (const r of refunded) Object.assign(rowOf(r), { refunds: r.count, refundedAmount: r.amount });
  const order = (a: OverviewSalesRow) => [a.day, a.mode, a.itemId, a.currency].join('|');
  return [...rows.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1).padStart(8);

async function bench(name: string, where: string, target: DatabaseTarget) {
  const database = await openDatabase(target);
  try {
    const { db } = database;
    const count = async (table: 'purchases' | 'installJobs') =>
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow()
      ).count;
    const [purchases, installJobs] = [await count('purchases'), await count('installJobs')];
    if (purchases < 100_000)
      fail(`${where} holds only ${purchases} purchases. Run \`pnpm seed:large\` to fill it.`);
    // The ranges end on the newest purchase's day, so that they are full whenever the seed ran.
    const { newest } = await db
      .selectFrom('purchases')
      .select((eb) => eb.fn.max('createdAt').as('newest'))
      .executeTakeFirstOrThrow();
    const to = newest.slice(0, 10);
    console.log(
      [
        '',
        `  ${name}: ${where}`,
        `  ${purchases.toLocaleString('en')} purchases, ${installJobs.toLocaleString('en')} install jobs; ranges end ${to}`,
        `  Load average before: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );

    const overview = createOverviewService({ overview: createOverviewRepo(database) });
    const ranges: [string, number, CheckoutMode | undefined][] = [
      ['30 days', 30, undefined],
      ['90 days', 90, undefined],
      ['366 days', 366, undefined],
      ['366 days, live', 366, 'live'],
    ];
    const header = `  ${'range'.padEnd(16)} ${'what'.padEnd(44)} ${'runs'.padStart(5)} ${'mean ms'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`;
    console.log(header);
    for (const [label, days, mode] of ranges) {
      const query: OverviewQuery = { from: addDays(to, -(days - 1)), to, mode };
      const answer = await overview.get(ACTOR, query);
      const baseline = await salesFromPurchases(database, ACTOR.organisationId, query);
      if (JSON.stringify(baseline) !== JSON.stringify(answer.sales))
        fail(
          `${label}: the per-day totals and the purchases disagree; the comparison would mean nothing.`,
        );
      const fast = await time(env.BENCH_OVERVIEW_RUNS, () => overview.get(ACTOR, query));
      const slow = await time(Math.max(3, Math.round(env.BENCH_OVERVIEW_RUNS / 5)), () =>
        salesFromPurchases(database, ACTOR.organisationId, query),
      );
      for (const [what, t] of [
        ['Overview (sales totals + installs), the service call', fast],
        ['baseline: its sales from the purchases table', slow],
      ] as const)
        console.log(
          `  ${label.padEnd(16)} ${what.padEnd(44)} ${String(t.runs).padStart(5)} ${ms(t.mean)} ${ms(t.p50)} ${ms(t.p99)}`,
        );
      console.log(
        `  ${''.padEnd(16)} ${`${answer.sales.length} sales rows, ${answer.installs.days.reduce((n, d) => n + d.succeeded + d.failed, 0).toLocaleString('en')} installs ended; baseline / Overview (p50): ${(slow.p50 / fast.p50).toFixed(0)}×`}`,
      );
    }

    const plans = recordingPlans(database);
    const planned = createOverviewService({ overview: createOverviewRepo(plans.database) });
    for (const mode of [undefined, 'live'] as const)
      await plans.report(`plans: the Overview of 366 days${mode ? `, ${mode} mode` : ''}`, () =>
        planned.get(ACTOR, { from: addDays(to, -365), to, mode }),
      );
  } finally {
    await database.close();
  }
}

async function main() {
  console.log(
    [
      '',
      '  Overview benchmark',
      `  Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`,
    ].join('\n'),
  );
  if (env.BENCH_DATABASES !== 'postgres') {
    const file = path.resolve(env.LARGE_DATABASE_PATH);
    if (!fs.existsSync(file))
      fail(`No database at ${file}. Run \`pnpm seed:large\` first (it takes a few minutes).`);
    await bench('SQLite', file, { sqlitePath: file });
  }
  if (env.BENCH_DATABASES !== 'sqlite') {
    if (env.LARGE_DATABASE_URL) {
      const url = new URL(env.LARGE_DATABASE_URL);
      await bench('PostgreSQL', `${url.hostname}:${url.port || 5432}${url.pathname}`, {
        postgresUrl: env.LARGE_DATABASE_URL,
      });
    } else if (env.BENCH_DATABASES === 'postgres') {
      fail('BENCH_DATABASES=postgres needs LARGE_DATABASE_URL (see `pnpm seed:large`).');
    } else {
      console.log(
        '\n  (PostgreSQL left out: set LARGE_DATABASE_URL to a database `pnpm seed:large` filled.)',
      );
    }
  }
  console.log('');
}

void main();
