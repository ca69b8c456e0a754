import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { migrateToLatest } from './db/migrator';
import { seedDemoData } from './db/seed';
import { createTestApp, type TestApp } from './testing/test-app';
import { createTestDatabase, TEST_DIALECT } from './testing/test-database';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('the app shell', () => {
  it('answers health when the database answers', async () => {
    const res = await supertest(t.app).get('/api/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('puts a request id on every answer, keeping a sane incoming one', async () => {
    const res = await supertest(t.app)
      .get('/api/health')
      .set('X-Request-Id', 'abc-123')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await supertest(t.app)
      .get('/api/health')
      .set('X-Request-Id', 'bad id!')
      .expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown API routes with the error shape and the request id', async () => {
    const res = await supertest(t.app).get('/api/nope').expect(404);
    expect(res.body.error).toMatchObject({
      code: 'ROUTE_NOT_FOUND',
      requestId: res.headers['x-request-id'],
    });
  });

  it('sends security headers', async () => {
    const res = await supertest(t.app).get('/api/health');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('configuration', () => {
  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', STRIPE_SECRET_KEY_LIVE: 'pk_live_nope', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/STRIPE_SECRET_KEY_LIVE/);
      expect(problems).toMatch(/LOG_LEVEL/);
    }
  });

  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.stripe.test.secretKey).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
  });
});

describe(`database (${TEST_DIALECT})`, () => {
  it('migrates once and seeds idempotently', async () => {
    const testDatabase = await createTestDatabase({ empty: true });
    const database = await openDatabase(testDatabase.target);
    try {
      // Opening migrated it: nothing is left to do.
      expect(await migrateToLatest(database.db, database.dialect)).toEqual([]);
      const count = async () =>
        (await database.db.selectFrom('devices').select('id').execute()).length;
      expect(await count()).toBe(0);
      await seedDemoData(database);
      expect(await count()).toBe(60);
      await seedDemoData(database);
      expect(await count()).toBe(60);
      if (database.dialect === 'sqlite') {
        const pragma = async (name: 'journal_mode' | 'foreign_keys') =>
          Object.values(
            (await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(database.db))
              .rows[0]!,
          )[0];
        expect(await pragma('journal_mode')).toBe('wal');
        expect(await pragma('foreign_keys')).toBe(1);
      }
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});
