/**
 * Fills a separate database with a large purchase history, for benchmarks and for trying the
 * Purchases page at scale: the demo marketplace, 100,000 devices and 1,000,000 purchases in
 * checkout sessions of several lines, over both organisations, both modes and two years.
 *
 *   LARGE_DATABASE_PATH=data/large.sqlite SEED_PURCHASES=1000000 SEED_DEVICES=100000 pnpm seed:large
 *
 * The file is recreated from scratch on every run. Random choices come from a seeded generator,
 * so two runs with the same numbers describe the same fleet and history.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { openDatabase } from './database';
import { createPurchaseWriter, type PastSession } from './purchase-writer';
import { DEMO_INSTANCE_ID, seedDemoData } from './seed';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    SEED_PURCHASES: z.coerce.number().int().min(1).default(1_000_000),
    SEED_DEVICES: z.coerce.number().int().min(10).default(100_000),
  })
  .parse(process.env);

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

/** Large-seed device IDs have six digits, so they never meet the demo's four-digit ones. */
const largeDeviceId = (prefix: string, code: string, n: number) =>
  `${prefix}-${code}-${String(n).padStart(6, '0')}`;

async function main() {
  const started = performance.now();
  const file = path.resolve(env.LARGE_DATABASE_PATH);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  const db = openDatabase(file);
  await seedDemoData(db);
  // A throwaway file: durability does not matter while it is being filled, and building each
  // secondary index once at the end is much faster than keeping it sorted row by row.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  const bulkTables = [
    'purchases',
    'entitlements',
    'checkout_sessions',
    'checkout_attempts',
    'refunds',
  ];
  const indexes = db
    .prepare(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))
         AND sql NOT LIKE '%UNIQUE%'`,
    )
    .all(JSON.stringify(bulkTables)) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);

  type Item = { id: string; organisationId: string; price: number; models: string[] };
  const items = (
    db
      .prepare(
        `SELECT i.id, i.organisation_id AS organisationId, i.price_amount AS price,
                (SELECT json_group_array(model) FROM item_compatible_models WHERE item_id = i.id) AS models
         FROM marketplace_items i WHERE i.listed = 1 ORDER BY i.id`,
      )
      .all() as { id: string; organisationId: string; price: number; models: string }[]
  ).map((row): Item => ({ ...row, models: JSON.parse(row.models) as string[] }));

  // Devices: per organisation and model, so that a basket only holds devices its items fit.
  const fleet = new Map<string, string[]>();
  const insertDevice = db.prepare(
    `INSERT INTO devices (id, organisation_id, name, model, firmware_version, token_hash, last_seen_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = db.prepare('INSERT INTO device_tags (device_id, tag) VALUES (?, ?)');
  const fleetCreatedAt = new Date(Date.now() - 3 * 365 * 86_400_000).toISOString();
  db.transaction(() => {
    for (const org of ORGS) {
      const count = Math.round(env.SEED_DEVICES * org.share);
      for (let n = 1; n <= count; n += 1) {
        const spec = MODELS[n % MODELS.length]!;
        const id = largeDeviceId(org.prefix, spec.code, n);
        insertDevice.run(
          id,
          org.id,
          `Fleet ${spec.model} ${n}`,
          spec.model,
          pick(spec.firmware),
          createHash('sha256').update(`large-seed:${id}`).digest('hex'),
          new Date(Date.now() - Math.floor(random() * 30 * 86_400_000)).toISOString(),
          fleetCreatedAt,
        );
        insertTag.run(id, `site:${pick(['north', 'south', 'east', 'west'])}`);
        const key = `${org.id}:${spec.model}`;
        const list = fleet.get(key) ?? [];
        if (list.length === 0) fleet.set(key, list);
        list.push(id);
      }
    }
  })();

  const write = createPurchaseWriter(db);
  const span = 2 * 365 * 86_400_000;
  const start = Date.now() - span;
  let purchases = 0;
  let sessions = 0;
  let refunded = 0;
  const writeBatch = db.transaction((untilPurchases: number) => {
    while (purchases < untilPurchases) {
      const org = random() < ORGS[0].share ? ORGS[0] : ORGS[1];
      const spec = pick(MODELS);
      const devices = fleet.get(`${org.id}:${spec.model}`) ?? [];
      const fitting = items.filter(
        (i) => i.organisationId === org.id && i.models.includes(spec.model),
      );
      if (devices.length === 0 || fitting.length === 0) continue;
      // Mostly one or two devices and products; now and then a bigger basket.
      const deviceCount =
        random() < 0.8 ? 1 + Math.floor(random() * 2) : 3 + Math.floor(random() * 6);
      const chosenDevices = new Set(Array.from({ length: deviceCount }, () => pick(devices)));
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
          });
        }
      }
      // The last basket is cut to land on the exact number asked for.
      lines.splice(env.SEED_PURCHASES - purchases);
      write({
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
  });
  const batch = 50_000;
  while (purchases < env.SEED_PURCHASES) {
    writeBatch(Math.min(purchases + batch, env.SEED_PURCHASES));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`\r  ${purchases.toLocaleString('en')} purchases written (${seconds} s)`);
  }
  process.stdout.write('\n');

  process.stdout.write(`  building ${indexes.length} indexes…\n`);
  for (const index of indexes) db.exec(index.sql);
  // The planner chooses between the purchase indexes from these statistics.
  db.exec('ANALYZE');
  db.pragma('journal_mode = WAL');
  db.close();
  const megabytes = Math.round(fs.statSync(file).size / 1_048_576);
  console.log(
    [
      `  Database: ${file} (${megabytes} MB)`,
      `  ${env.SEED_DEVICES.toLocaleString('en')} devices, ${sessions.toLocaleString('en')} checkout sessions,`,
      `  ${purchases.toLocaleString('en')} purchases (${refunded.toLocaleString('en')} refunded)`,
      `  in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
}

void main();
