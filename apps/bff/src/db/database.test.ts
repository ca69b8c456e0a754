import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../testing/test-database';
import { openDatabase, type Database } from './database';

let testDatabase: TestDatabase;
let database: Database;
beforeEach(async () => {
  testDatabase = await createTestDatabase();
  database = await openDatabase(testDatabase.target);
});
afterEach(async () => {
  await database.close();
  await testDatabase.drop();
});

const setting = async (key: string) =>
  (
    await database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst()
  )?.value;

const write = (key: string, value = 'v') =>
  database.db.insertInto('settings').values({ key, value }).execute();

describe(`the database handle (${TEST_DIALECT})`, () => {
  it('commits everything a transaction did, and its callbacks run after the commit', async () => {
    const seen: (string | undefined)[] = [];
    await database.transaction(async () => {
      await write('a');
      database.afterCommit(() => seen.push('after commit'));
      await write('b');
      seen.push(await setting('a'));
    });
    expect(seen).toEqual(['v', 'after commit']);
    expect(await setting('a')).toBe('v');
    expect(await setting('b')).toBe('v');
  });

  it('rolls back everything when the work throws, and drops its callbacks', async () => {
    const seen: string[] = [];
    await expect(
      database.transaction(async () => {
        await write('a');
        database.afterCommit(() => seen.push('after commit'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await setting('a')).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('joins the caller’s transaction when one is open, so an inner failure undoes the outer work', async () => {
    await expect(
      database.transaction(async () => {
        await write('outer');
        await database.transaction(async () => {
          await write('inner');
        });
        await write('outer'); // a duplicate key
      }),
    ).rejects.toThrow();
    expect(await setting('outer')).toBeUndefined();
    expect(await setting('inner')).toBeUndefined();
  });

  it('keeps concurrent transactions apart: each sees only its own writes until it commits', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = database.transaction(async () => {
      await write('first');
      await held;
    });
    // Give the first transaction time to start and hold its write.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outside = setting('first');
    release();
    await first;
    // SQLite runs one transaction at a time, so the read waits for the commit; PostgreSQL reads
    // the last committed state. Neither ever sees the write half-done.
    const value = await outside;
    expect(value === undefined || value === 'v').toBe(true);
    expect(await setting('first')).toBe('v');
  });

  it('wakes listeners on notify only once the transaction has committed', async () => {
    const heard: string[] = [];
    const stop = database.listen('test_channel', () => heard.push('woken'));
    try {
      await database.transaction(async () => {
        await database.notify('test_channel');
        expect(heard).toEqual([]);
      });
      await expect.poll(() => heard.length).toBeGreaterThan(0);

      heard.length = 0;
      await database
        .transaction(async () => {
          await database.notify('test_channel');
          throw new Error('rolled back');
        })
        .catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
  });

  it('reads a long result on a connection of its own while other queries go on', async () => {
    await database.db
      .insertInto('settings')
      .values(Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: String(i) })))
      .execute();
    const values: string[] = [];
    for await (const row of database.stream((db) =>
      db.selectFrom('settings').select('value').where('key', 'like', 'k%').orderBy('key').stream(),
    )) {
      values.push(row.value);
      // The main connection still answers mid-stream.
      if (values.length === 10) expect(await setting('k1')).toBe('1');
    }
    expect(values).toHaveLength(50);
  });

  it('stores flags as 0 or 1', async () => {
    await database.db
      .insertInto('organisations')
      .values({ id: 'org_t', slug: 't', name: 'T', stripeConnectedAccount: null, createdAt: 'x' })
      .execute();
    await database.db
      .insertInto('marketplaceItems')
      .values({
        id: 'item_t',
        instanceId: 'mkt_eu',
        organisationId: 'org_t',
        name: 'T',
        description: 'T',
        priceAmount: 1,
        currency: 'eur',
        listed: 1,
        createdAt: 'x',
      })
      .execute();
    const row = await database.db
      .selectFrom('marketplaceItems')
      .select('listed')
      .where('id', '=', 'item_t')
      .executeTakeFirstOrThrow();
    expect(row.listed).toBe(1);
  });

  it('refuses to change an append-only log', async () => {
    await database.db
      .insertInto('auditEntries')
      .values({
        organisationId: null,
        userId: null,
        action: 'a',
        objectType: 'o',
        objectId: null,
        details: null,
        requestId: null,
        createdAt: 'x',
      })
      .execute();
    await database.db
      .insertInto('checkoutSessions')
      .values({
        id: 'chk_t',
        organisationId: 'org_acme',
        instanceId: 'mkt_eu',
        mode: 'test',
        status: 'open',
        paymentStatus: 'unpaid',
        currency: 'eur',
        amountSubtotal: 0,
        platformFee: 0,
        amountTotal: 0,
        successUrl: 's',
        cancelUrl: 'c',
        expiresAt: 'x',
        idempotencyKey: 'k',
        requestHash: 'h',
        stripeSessionId: null,
        stripePaymentIntentId: null,
        stripePromotionCodeId: null,
        checkoutUrl: null,
        allowPromotionCodes: 0,
        apiKeyId: null,
        paymentLinkId: null,
        createdBy: 'usr_acme_admin',
        createdAt: 'x',
        fulfilledAt: null,
        paymentFailedAt: null,
      })
      .execute();
    await database.db
      .insertInto('checkoutAttempts')
      .values({
        checkoutSessionId: 'chk_t',
        kind: 'created',
        detail: null,
        stripeEventId: null,
        createdAt: 'x',
      })
      .execute();
    await expect(
      database.db.updateTable('checkoutAttempts').set({ detail: 'changed' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('checkoutAttempts').execute()).rejects.toThrow(
      /append-only/,
    );
  });
});
