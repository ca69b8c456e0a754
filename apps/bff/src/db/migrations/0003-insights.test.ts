import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../../testing/test-database';
import { migrateToLatest, migrationProvider } from '../migrator';

/* eslint-disable @typescript-eslint/no-explicit-any -- the schema as it was, before the DB type */

let testDatabase: TestDatabase;
let db: Kysely<any>;

beforeEach(async () => {
  testDatabase = await createTestDatabase({ empty: true });
  const { target } = testDatabase;
  db = new Kysely<any>({
    dialect:
      'sqlitePath' in target
        ? new SqliteDialect({ database: new BetterSqlite3(target.sqlitePath) })
        : new PostgresDialect({
            pool: new pg.Pool({ connectionString: target.postgresUrl, max: 2 }),
          }),
  });
  const { error } = await new Migrator({
    db,
    provider: migrationProvider(TEST_DIALECT),
  }).migrateTo('0002-rollouts');
  if (error) throw error;
});

afterEach(async () => {
  await db.destroy();
  await testDatabase.drop();
});

const at = '2026-01-01T00:00:00.000Z';

/** A database as the release before found it: purchases, a refund on a later day, audit entries. */
async function writeHistory() {
  await db
    .insertInto('marketplace_instances')
    .values({ id: 'mkt_eu', name: 'EU', currency: 'eur', platform_fee_bps: 0, created_at: at })
    .execute();
  await db
    .insertInto('organisations')
    .values({ id: 'org_acme', slug: 'acme', name: 'Acme', created_at: at })
    .execute();
  await db
    .insertInto('users')
    .values({
      id: 'usr_admin',
      organisation_id: 'org_acme',
      email: 'admin@acme.example',
      password_hash: 'x',
      role: 'admin',
      created_at: at,
    })
    .execute();
  await db
    .insertInto('marketplace_items')
    .values(
      ['item_a', 'item_b'].map((id) => ({
        id,
        instance_id: 'mkt_eu',
        organisation_id: 'org_acme',
        name: id,
        description: '',
        price_amount: 1000,
        currency: 'eur',
        listed: 1,
        created_at: at,
      })),
    )
    .execute();
  await db
    .insertInto('devices')
    .values(
      ['ACM-1', 'ACM-2'].map((id) => ({
        id,
        organisation_id: 'org_acme',
        name: id,
        model: 'm',
        firmware_version: '1.0.0',
        token_hash: id,
        created_at: at,
      })),
    )
    .execute();
  await db
    .insertInto('checkout_sessions')
    .values({
      id: 'chk_1',
      organisation_id: 'org_acme',
      instance_id: 'mkt_eu',
      mode: 'live',
      status: 'complete',
      payment_status: 'paid',
      currency: 'eur',
      amount_subtotal: 3000,
      platform_fee: 0,
      amount_total: 2700,
      success_url: 's',
      cancel_url: 'c',
      expires_at: at,
      idempotency_key: 'k',
      request_hash: 'h',
      created_by: 'usr_admin',
      created_at: at,
    })
    .execute();
  const purchase = (
    id: string,
    [deviceId, itemId]: [string, string],
    createdAt: string,
    refundedAt: string | null,
  ) => ({
    id,
    organisation_id: 'org_acme',
    checkout_session_id: 'chk_1',
    device_id: deviceId,
    item_id: itemId,
    mode: 'live',
    amount: 900,
    currency: 'eur',
    status: refundedAt ? 'refunded' : 'active',
    created_at: createdAt,
    refunded_at: refundedAt,
  });
  await db
    .insertInto('purchases')
    .values([
      purchase('pur_1', ['ACM-1', 'item_a'], '2026-03-01T10:00:00.000Z', null),
      purchase(
        'pur_2',
        ['ACM-2', 'item_a'],
        '2026-03-01T23:59:59.999Z',
        '2026-03-04T08:00:00.000Z',
      ),
      purchase('pur_3', ['ACM-1', 'item_b'], '2026-03-02T00:00:00.000Z', null),
    ])
    .execute();
  const entry = (userId: string | null, action: string, details: unknown) => ({
    organisation_id: 'org_acme',
    user_id: userId,
    action,
    object_type: 'checkout_session',
    object_id: 'chk_1',
    details: details === null ? null : JSON.stringify(details),
    created_at: at,
  });
  await db
    .insertInto('audit_entries')
    .values([
      entry('usr_admin', 'checkout.create', { mode: 'live' }),
      entry(null, 'checkout.create', { mode: 'live', apiKeyId: 'key_1' }),
      entry(null, 'checkout.create', { mode: 'live', paymentLinkId: 'plink_1' }),
      entry(null, 'purchase.refund', { automatic: true }),
      entry(null, 'purchase.refund', null),
    ])
    .execute();
}

describe(`the migration to sales totals and audit actors (${TEST_DIALECT})`, () => {
  it('fills the per-day sales totals from the purchases there are', async () => {
    await writeHistory();
    await migrateToLatest(db, TEST_DIALECT);
    const rows = await db
      .selectFrom('sales_day_totals')
      .select(['day', 'item_id', 'purchases', 'gross_amount', 'refunds', 'refunded_amount'])
      .orderBy('day')
      .orderBy('item_id')
      .execute();
    // This bare connection reads PostgreSQL's bigints as text.
    const totals = rows.map((row) => ({
      ...row,
      gross_amount: Number(row.gross_amount),
      refunded_amount: Number(row.refunded_amount),
    }));
    expect(totals).toEqual([
      {
        day: '2026-03-01',
        item_id: 'item_a',
        purchases: 2,
        gross_amount: 1800,
        refunds: 0,
        refunded_amount: 0,
      },
      {
        day: '2026-03-02',
        item_id: 'item_b',
        purchases: 1,
        gross_amount: 900,
        refunds: 0,
        refunded_amount: 0,
      },
      {
        day: '2026-03-04',
        item_id: 'item_a',
        purchases: 0,
        gross_amount: 0,
        refunds: 1,
        refunded_amount: 900,
      },
    ]);
  });

  it('names who acted on every earlier entry, and keeps the log from being changed after', async () => {
    await writeHistory();
    await migrateToLatest(db, TEST_DIALECT);
    const actors = await db
      .selectFrom('audit_entries')
      .select(['actor_type', 'actor_id'])
      .orderBy('id')
      .execute();
    expect(actors).toEqual([
      { actor_type: 'user', actor_id: 'usr_admin' },
      { actor_type: 'api_key', actor_id: 'key_1' },
      { actor_type: 'payment_link', actor_id: 'plink_1' },
      { actor_type: 'system', actor_id: null },
      { actor_type: 'system', actor_id: null },
    ]);
    await expect(
      db.updateTable('audit_entries').set({ action: 'changed' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_entries').execute()).rejects.toThrow(/append-only/);
  });

  it('runs on an empty database', async () => {
    await migrateToLatest(db, TEST_DIALECT);
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sales_day_totals`.execute(
      db,
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
