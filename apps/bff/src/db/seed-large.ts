/**
 * Fills a separate database with a large purchase history, for benchmarks and for trying the
 * Purchases page at scale: the demo marketplace, 100,000 devices and 1,000,000 purchases in
 * checkout sessions of several lines, over both organisations, both modes and two years, with
 * the installs that followed about a third of them.
 *
 *   pnpm seed:large                                       SQLite: the file at LARGE_DATABASE_PATH
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large pnpm seed:large          PostgreSQL
 *   pnpm seed:large --postgres postgres://…/marketplace_large                  the same
 *
 *   SEED_PURCHASES=1000000 SEED_DEVICES=100000 change the numbers.
 *
 * The database is made again from scratch on every run: the SQLite file is deleted first; the
 * PostgreSQL database is dropped and created again (the URL's user needs CREATEDB on the server).
 * That is why PostgreSQL is never taken from DATABASE_URL, which names the product's own
 * database; and the server's maintenance database (`postgres`) is refused. `pnpm bench` reads
 * the same LARGE_DATABASE_PATH and LARGE_DATABASE_URL.
 *
 * Random choices come from a seeded generator, so two runs with the same numbers describe the
 * same fleet and history, on either database.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { releaseIncompatibility } from '@repo/domain';
import { openDatabase, type Database, type DatabaseTarget } from './database';
import { createPurchaseWriter, type PastInstall, type PastSession } from './purchase-writer';
import { DEMO_INSTANCE_ID, seedDemoData } from './seed';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    SEED_PURCHASES: z.coerce.number().int().min(1).default(1_000_000),
    SEED_DEVICES: z.coerce.number().int().min(10).default(100_000),
  })
  .parse(process.env);

const { values: flags } = parseArgs({ options: { postgres: { type: 'string' } } });
const postgresUrl = flags.postgres ?? env.LARGE_DATABASE_URL;

/** mulberry32: small, fast and good enough to spread test data. */
function randomGenerator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = randomGenerator(20_261_121);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const MODELS = [
  { model: 'thermo-x1', code: 'TX1', firmware: ['1.8.0', '2.0.1', '2.4.0'] },
  { model: 'cam-c3', code: 'CC3', firmware: ['3.1.0', '3.2.5', '4.0.0'] },
  { model: 'gateway-g3', code: 'GW3', firmware: ['5.0.0', '5.2.1'] },
  { model: 'meter-m2', code: 'MM2', firmware: ['1.0.4', '1.1.0', '1.2.0'] },
] as const;

const ORGS = [
  { id: 'org_acme', prefix: 'ACM', share: 0.6, feeBps: 500, admin: 'usr_acme_admin' },
  { id: 'org_globex', prefix: 'GLX', share: 0.4, feeBps: 0, admin: 'usr_globex_admin' },
] as const;

/** The tables the history fills: their secondary indexes are built once, after the rows. */
const BULK_TABLES = [
  'purchases',
  'entitlements',
  'checkout_sessions',
  'checkout_session_lines',
  'checkout_attempts',
  'refunds',
  'install_jobs',
];

/** A share of the purchases is installed a little later; a few installs fail, for these reasons. */
const INSTALLED_SHARE = 0.3;
const FAILED_SHARE = 0.08;
const FAILURE_REASONS = [
  'Download timed out after 300 s.',
  'Checksum mismatch on the downloaded package.',
  'Not enough free storage on the device.',
  'The device rebooted while installing.',
];

/** Large-seed device IDs have six digits, so they never meet the demo's four-digit ones. */
const largeDeviceId = (prefix: string, code: string, n: number) =>
  `${prefix}-${code}-${String(n).padStart(6, '0')}`;

/** An empty SQLite file, or an empty PostgreSQL database of the URL's name. */
async function recreate(): Promise<{ target: DatabaseTarget; where: string }> {
  if (!postgresUrl) {
    const file = path.resolve(env.LARGE_DATABASE_PATH);
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    return { target: { sqlitePath: file }, where: file };
  }
  const url = new URL(postgresUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || ['postgres', 'template0', 'template1'].includes(name))
    fail(
      `Name a database of its own for the large seed (it is dropped and created again), not "${name}".`,
    );
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    target: { postgresUrl, poolSize: 1 },
    where: `PostgreSQL database ${name} at ${url.hostname}:${url.port || 5432}`,
  };
}

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

/**
 * Drops what the bulk tables check and sort row by row, and returns how to make it again: the
 * non-unique secondary indexes (building each once at the end is much faster than keeping it
 * sorted row by row) and, on PostgreSQL, the foreign keys (a lookup per key per row costs more
 * than the insert; added back at the end, each is checked in one pass over the table).
 */
async function dropForLoading(database: Database): Promise<string[]> {
  const { db } = database;
  if (database.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; definition: string }>`
      SELECT name, sql AS definition FROM sqlite_master
      WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '%UNIQUE%'
        AND tbl_name IN (${sql.join(BULK_TABLES)})`.execute(db);
    for (const index of rows) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db);
    return rows.map((index) => index.definition);
  }
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
    FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisunique
      AND t.relname IN (${sql.join(BULK_TABLES)})`.execute(db);
  const { rows: foreignKeys } = await sql<{ table: string; name: string; definition: string }>`
    SELECT t.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
    WHERE k.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
      AND t.relname IN (${sql.join(BULK_TABLES)})`.execute(db);
  for (const key of foreignKeys)
    await sql`ALTER TABLE ${sql.table(key.table)} DROP CONSTRAINT ${sql.id(key.name)}`.execute(db);
  for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(db);
  return [
    ...indexes.map((index) => index.definition),
    ...foreignKeys.map(
      (key) =>
        `ALTER TABLE ${pgIdentifier(key.table)} ADD CONSTRAINT ${pgIdentifier(key.name)} ${key.definition}`,
    ),
  ];
}

const pgIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function main() {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const { target, where } = await recreate();
  const database = await openDatabase(target);
  const { db } = database;
  await seedDemoData(database);
  if (database.dialect === 'sqlite') {
    // A throwaway file: durability does not matter while it is being filled.
    await sql`PRAGMA journal_mode = OFF`.execute(db);
    await sql`PRAGMA synchronous = OFF`.execute(db);
    await sql`PRAGMA cache_size = -524288`.execute(db);
  } else {
    // Nothing waits for the disk at each commit; the data is only as good as the last one.
    await sql`SET synchronous_commit = off`.execute(db);
  }
  const rebuild = await dropForLoading(database);

  type Item = { id: string; organisationId: string; price: number; models: string[] };
  const itemRows = await db
    .selectFrom('marketplaceItems')
    .select(['id', 'organisationId', 'priceAmount'])
    .where('listed', '=', 1)
    .orderBy('id')
    .execute();
  const itemModels = await db
    .selectFrom('itemCompatibleModels')
    .select(['itemId', 'model'])
    .orderBy('itemId')
    .orderBy('model')
    .execute();
  const items = itemRows.map((row): Item => ({
    id: row.id,
    organisationId: row.organisationId,
    price: row.priceAmount,
    models: itemModels.filter((m) => m.itemId === row.id).map((m) => m.model),
  }));
  // Each item's releases, newest first: a device installs the newest that fits it.
  const releaseRows = await db
    .selectFrom('releases')
    .select(['id', 'itemId', 'version', 'minFirmware'])
    .orderBy('itemId')
    .orderBy('publishedAt', 'desc')
    .execute();
  const releaseModels = await db
    .selectFrom('releaseCompatibleModels')
    .select(['releaseId', 'model'])
    .orderBy('releaseId')
    .orderBy('model')
    .execute();
  const releasesOf = (itemId: string) =>
    releaseRows
      .filter((r) => r.itemId === itemId)
      .map((r) => ({
        ...r,
        compatibleModels: releaseModels.filter((m) => m.releaseId === r.id).map((m) => m.model),
      }));

  // Devices: per organisation and model, so that a basket only holds devices its items fit.
  const fleet = new Map<string, string[]>();
  const devices: {
    id: string;
    organisationId: string;
    name: string;
    model: string;
    firmwareVersion: string;
    tokenHash: string;
    lastSeenAt: string;
    createdAt: string;
  }[] = [];
  const tags: { deviceId: string; tag: string }[] = [];
  const firmwareOf = new Map<string, string>();
  const fleetCreatedAt = new Date(Date.now() - 3 * 365 * 86_400_000).toISOString();
  for (const org of ORGS) {
    const count = Math.round(env.SEED_DEVICES * org.share);
    for (let n = 1; n <= count; n += 1) {
      const spec = MODELS[n % MODELS.length]!;
      const id = largeDeviceId(org.prefix, spec.code, n);
      devices.push({
        id,
        organisationId: org.id,
        name: `Fleet ${spec.model} ${n}`,
        model: spec.model,
        firmwareVersion: pick(spec.firmware),
        tokenHash: createHash('sha256').update(`large-seed:${id}`).digest('hex'),
        lastSeenAt: new Date(Date.now() - Math.floor(random() * 30 * 86_400_000)).toISOString(),
        createdAt: fleetCreatedAt,
      });
      tags.push({ deviceId: id, tag: `site:${pick(['north', 'south', 'east', 'west'])}` });
      firmwareOf.set(id, devices.at(-1)!.firmwareVersion);
      const key = `${org.id}:${spec.model}`;
      const list = fleet.get(key) ?? [];
      if (list.length === 0) fleet.set(key, list);
      list.push(id);
    }
  }
  await database.transaction(async () => {
    for (let start = 0; start < devices.length; start += 3000) {
      await database.db
        .insertInto('devices')
        .values(devices.slice(start, start + 3000))
        .execute();
      await database.db
        .insertInto('deviceTags')
        .values(tags.slice(start, start + 3000))
        .execute();
    }
  });
  process.stdout.write(`  ${devices.length.toLocaleString('en')} devices (${seconds()} s)\n`);

  const write = createPurchaseWriter(database);
  const span = 2 * 365 * 86_400_000;
  const start = Date.now() - span;
  let purchases = 0;
  let sessions = 0;
  let refunded = 0;
  /** Now and then, an install of the newest release that fits, ending within three days. */
  function installOf(deviceId: string, model: string, itemId: string, boughtAt: string) {
    if (random() >= INSTALLED_SHARE) return undefined;
    const device = { model, firmwareVersion: firmwareOf.get(deviceId)! };
    const release = releasesOf(itemId).find((r) => !releaseIncompatibility(device, r));
    if (!release) return undefined;
    const failed = random() < FAILED_SHARE;
    const install: PastInstall = {
      releaseId: release.id,
      version: release.version,
      status: failed ? 'failed' : 'succeeded',
      reason: failed ? pick(FAILURE_REASONS) : null,
      finishedAt: new Date(
        Math.min(
          Date.parse(boughtAt) + 3_600_000 + Math.floor(random() * 3 * 86_400_000),
          Date.now() - 1000,
        ),
      ).toISOString(),
    };
    return install;
  }
  /** The sessions up to `untilPurchases`, in order of time, as fulfillment would have seen them. */
  function nextSessions(untilPurchases: number): PastSession[] {
    const batch: PastSession[] = [];
    while (purchases < untilPurchases) {
      const org = random() < ORGS[0].share ? ORGS[0] : ORGS[1];
      const spec = pick(MODELS);
      const owned = fleet.get(`${org.id}:${spec.model}`) ?? [];
      const fitting = items.filter(
        (i) => i.organisationId === org.id && i.models.includes(spec.model),
      );
      if (owned.length === 0 || fitting.length === 0) continue;
      // Mostly one or two devices and products; now and then a bigger basket.
      const deviceCount =
        random() < 0.8 ? 1 + Math.floor(random() * 2) : 3 + Math.floor(random() * 6);
      const chosenDevices = new Set(Array.from({ length: deviceCount }, () => pick(owned)));
      const chosenItems = new Set(
        Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(fitting)),
      );
      // In order of time, with some jitter: sessions arrive as they would have.
      const at = start + (purchases / env.SEED_PURCHASES) * span + Math.floor(random() * 60_000);
      const createdAt = new Date(Math.min(at, Date.now() - 1000)).toISOString();
      const lines: PastSession['lines'] = [];
      for (const deviceId of chosenDevices) {
        for (const item of chosenItems) {
          const refund = item.price > 0 && random() < 0.03;
          if (refund) refunded += 1;
          lines.push({
            deviceId,
            itemId: item.id,
            unitAmount: item.price,
            refundedAt: refund
              ? new Date(
                  Date.parse(createdAt) + Math.floor(random() * 14 * 86_400_000),
                ).toISOString()
              : null,
            install: refund ? undefined : installOf(deviceId, spec.model, item.id, createdAt),
          });
        }
      }
      // The last basket is cut to land on the exact number asked for.
      lines.splice(env.SEED_PURCHASES - purchases);
      batch.push({
        organisationId: org.id,
        instanceId: DEMO_INSTANCE_ID,
        mode: random() < 0.35 ? 'test' : 'live',
        createdAt,
        createdBy: org.admin,
        currency: 'eur',
        platformFeeBps: org.feeBps,
        lines,
      });
      purchases += lines.length;
      sessions += 1;
    }
    return batch;
  }
  // Each batch is one transaction of a few multi-row statements per table.
  const batchPurchases = 25_000;
  while (purchases < env.SEED_PURCHASES) {
    await write(nextSessions(Math.min(purchases + batchPurchases, env.SEED_PURCHASES)));
    process.stdout.write(
      `\r  ${purchases.toLocaleString('en')} purchases written (${seconds()} s)`,
    );
  }
  process.stdout.write('\n');

  process.stdout.write(`  building indexes and checking foreign keys… (${seconds()} s)\n`);
  for (const definition of rebuild) await sql.raw(definition).execute(db);
  // The planners choose between the purchase indexes from these statistics; PostgreSQL's
  // visibility map lets it answer counts from an index alone.
  if (database.dialect === 'sqlite') {
    await sql`ANALYZE`.execute(db);
    await sql`PRAGMA journal_mode = WAL`.execute(db);
  } else {
    await sql`VACUUM ANALYZE`.execute(db);
  }
  // Fewer than were drawn: a purchase that duplicated an entitlement could not be installed.
  const { installs } = await db
    .selectFrom('installJobs')
    .select((eb) => eb.fn.countAll<number>().as('installs'))
    .executeTakeFirstOrThrow();
  await database.close();
  const size = postgresUrl
    ? ''
    : ` (${Math.round(fs.statSync(where).size / 1_048_576).toLocaleString('en')} MB)`;
  console.log(
    [
      `  Database: ${where}${size}`,
      `  ${env.SEED_DEVICES.toLocaleString('en')} devices, ${sessions.toLocaleString('en')} checkout sessions,`,
      `  ${purchases.toLocaleString('en')} purchases (${refunded.toLocaleString('en')} refunded), ${Number(installs).toLocaleString('en')} installs`,
      `  in ${seconds()} s`,
    ].join('\n'),
  );
}

void main();
