/**
 * The query plans of the purchase search on the large database: for each filter support uses
 * (and the storefront's list by device), every statement the repo runs for a first page and for
 * a later one, with its plan and how long it took. On SQLite the plan is EXPLAIN QUERY PLAN; on
 * PostgreSQL EXPLAIN (ANALYZE, BUFFERS), so that the rows each step read are there to see; each
 * with the time the statement took (SQLite: run once more, after the repo's run warmed the cache).
 *
 *   npx tsx src/bench/purchases-plans.ts                         the SQLite file (LARGE_DATABASE_PATH)
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large npx tsx src/bench/purchases-plans.ts
 *
 * Needs the database that `pnpm seed:large` writes. Reads only.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CamelCasePlugin,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type CompiledQuery,
  type LogEvent,
} from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { z } from 'zod';
import type { PurchaseFilters } from '@repo/schemas';
import type { Database } from '../db/database';
import type { DB } from '../db/schema';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z.string().optional(),
  })
  .parse(process.env);

const ORGANISATION_ID = 'org_acme';

/** The repo over a Kysely of its own that records each statement it runs. */
function recordingDatabase(): {
  database: Database;
  statements: CompiledQuery[];
  explain: (query: CompiledQuery) => Promise<string[]>;
  close: () => Promise<void>;
} {
  const statements: CompiledQuery[] = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') statements.push(event.query);
  };
  const plugins = [new CamelCasePlugin()];
  if (env.LARGE_DATABASE_URL) {
    // Counts and sums as numbers, as the product's pool has them (db/database.ts).
    for (const oid of [pg.types.builtins.INT8, pg.types.builtins.NUMERIC])
      pg.types.setTypeParser(oid, Number);
    const pool = new pg.Pool({ connectionString: env.LARGE_DATABASE_URL, max: 2 });
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool, cursor: Cursor }),
      plugins,
      log,
    });
    return {
      database: fakeDatabase('postgres', db),
      statements,
      explain: async (query) => {
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query.sql}`,
          [...query.parameters],
        );
        return rows.map((r) => r['QUERY PLAN']);
      },
      close: () => db.destroy(),
    };
  }
  const file = path.resolve(env.LARGE_DATABASE_PATH);
  const connection = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }), plugins, log });
  return {
    database: fakeDatabase('sqlite', db),
    statements,
    explain: async (query) => {
      const started = performance.now();
      connection.prepare(query.sql).all(...query.parameters);
      const ran = `Execution Time: ${(performance.now() - started).toFixed(3)} ms`;
      const plan = connection
        .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
        .all(...query.parameters) as { detail: string }[];
      return [...plan.map((r) => r.detail), ran];
    },
    close: () => db.destroy(),
  };
}

/** Only what the read model touches: queries on `db`, and the dialect. */
function fakeDatabase(dialect: Database['dialect'], db: Kysely<DB>): Database {
  const refuse = () => {
    throw new Error('not for plans');
  };
  return {
    dialect,
    db,
    description: dialect,
    transaction: (work) => work(),
    afterCommit: refuse,
    forUpdate: (query) => query,
    stream: (read) => read(db),
    notify: refuse,
    listen: refuse,
    close: () => db.destroy(),
  };
}

async function main() {
  const { database, statements, explain, close } = recordingDatabase();
  const repo = createPurchasesRepo(database);
  const { deviceId } = await database.db
    .selectFrom('purchases')
    .select('deviceId')
    .where('organisationId', '=', ORGANISATION_ID)
    .where('createdAt', '>=', new Date(Date.now() - 365 * 86_400_000).toISOString())
    .orderBy('createdAt')
    .limit(1)
    .executeTakeFirstOrThrow();
  const { itemId } = await database.db
    .selectFrom('marketplaceItems')
    .select('id as itemId')
    .where('organisationId', '=', ORGANISATION_ID)
    .where('priceAmount', '>', 0)
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const base: PurchaseFilters = { deviceIdMatch: 'exact' };
  const searches: [string, PurchaseFilters][] = [
    ['everything', base],
    ['one device', { ...base, deviceId }],
    ['a narrow device prefix', { deviceId: deviceId.slice(0, -1), deviceIdMatch: 'prefix' }],
    ['a broad device prefix', { deviceId: deviceId.slice(0, 7), deviceIdMatch: 'prefix' }],
    ['the whole organisation as a prefix', { deviceId: 'ACM-', deviceIdMatch: 'prefix' }],
    ['an item', { ...base, itemId }],
    ['refunded', { ...base, status: 'refunded' }],
    ['live mode', { ...base, mode: 'live' }],
    ['a month of whole days', { ...base, from: '2026-01-01', to: '2026-01-31' }],
    [
      'a part of a day',
      { ...base, from: '2026-01-10T08:00:00.000Z', to: '2026-01-10T17:30:00.000Z' },
    ],
    ['an item, refunded, in live mode', { ...base, itemId, status: 'refunded', mode: 'live' }],
    [
      'a broad prefix, refunded, a month',
      {
        deviceId: deviceId.slice(0, 7),
        deviceIdMatch: 'prefix',
        status: 'refunded',
        from: '2026-01-01',
        to: '2026-01-31',
      },
    ],
  ];
  for (const [label, filters] of searches) {
    for (const which of ['first page', 'next page'] as const) {
      statements.length = 0;
      const first = await repo.list(ORGANISATION_ID, { ...filters, limit: 25 });
      if (which === 'next page') {
        if (!first.nextCursor) continue;
        statements.length = 0;
        await repo.list(ORGANISATION_ID, { ...filters, limit: 25, cursor: first.nextCursor });
      }
      await report(`${label} (${JSON.stringify(filters)}), ${which}, total ${first.total}`);
    }
  }
  statements.length = 0;
  await repo.storefrontPurchases.byDevice(
    { organisationId: ORGANISATION_ID, mode: 'live' },
    { deviceId, limit: 25 },
  );
  await report(`storefront: a device's live purchases (${deviceId})`);
  await close();

  async function report(title: string) {
    console.log(`\n== ${title}`);
    for (const statement of [...statements]) {
      const plan = await explain(statement);
      console.log(`  ${statement.sql.replace(/\s+/g, ' ')}`);
      console.log(`  params ${JSON.stringify(statement.parameters)}`);
      for (const line of plan) console.log(`    ${line}`);
    }
  }
}

void main();
