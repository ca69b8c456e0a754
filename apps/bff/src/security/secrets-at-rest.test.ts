import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { LegacyDatabaseError } from '../db/migrator';
import { SESSION_COOKIE } from '../http/auth';
import { findInSqliteFile, findStoredInClear } from '../testing/stored-text';
import { createTestApp, signIn, type TestApp } from '../testing/test-app';
import { createTestDatabase, TEST_DIALECT } from '../testing/test-database';
import {
  isSealed,
  loadSecretsKey,
  openSecretBox,
  secretsKeyFile,
  SecretsKeyError,
} from './secret-box';

const SESSION_SECRET = 'a-session-secret-of-at-least-32-characters';

/** What express-session puts in the cookie: `s:` and the id signed as cookie-signature does. */
const signedCookie = (sid: string, secret: string) =>
  `${SESSION_COOKIE}=${encodeURIComponent(
    `s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`,
  )}`;

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bff-secrets-'));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('a copy of the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SESSION_SECRET });
  });
  afterAll(() => t.close());

  /** The session ids as stored, read as an intruder would: on SQLite, from the file itself. */
  async function storedSessionIds(): Promise<string[]> {
    if (TEST_DIALECT === 'sqlite') {
      const copy = new BetterSqlite3(t.config.databasePath, { readonly: true });
      try {
        return copy
          .prepare<[], { sid: string }>('SELECT sid FROM http_sessions')
          .all()
          .map((row) => row.sid);
      } finally {
        copy.close();
      }
    }
    return (await t.db.selectFrom('httpSessions').select('sid').execute()).map((row) => row.sid);
  }

  it('holds no session id that works as a cookie, even signed with the real secret', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    await agent.get('/api/me').expect(200);
    const storedIds = await storedSessionIds();
    expect(storedIds).toHaveLength(1);

    const replay = await supertest(t.app)
      .get('/api/me')
      .set('Cookie', signedCookie(storedIds[0]!, SESSION_SECRET));
    expect(replay.status).toBe(401);
  });

  it('takes the real session id, signed the same way: the replay above was a fair one', async () => {
    const { agent } = await signIn(t.app, 'support@acme.example');
    const cookie = agent.jar.getCookie(SESSION_COOKIE, { path: '/', domain: '127.0.0.1' } as never);
    const sid = decodeURIComponent(cookie!.value).slice(2).split('.')[0]!;
    await supertest(t.app)
      .get('/api/me')
      .set('Cookie', signedCookie(sid, SESSION_SECRET))
      .expect(200);
  });
});

describe('secrets sealed at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No SESSION_SECRET: the app makes its own and keeps it in the database.
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('writes no webhook secret, payment-link token, session id or cookie secret in clear', async () => {
    const admin = await signIn(t.app, 'admin@acme.example');
    const endpoint = await admin.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({
        url: 'https://hooks.example.com/in',
        mode: 'test',
        eventTypes: ['purchase.activated'],
      })
      .expect(201);
    const link = await admin.agent
      .post('/api/payment-links')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({
        instanceId: 'mkt_eu',
        itemIds: ['item_vpn_pro'],
        deviceIds: ['ACM-GW3-0002'],
        mode: 'test',
        expiresInDays: 7,
      })
      .expect(201);
    const token = new URL(link.body.url as string).pathname.split('/').pop()!;
    // The link still opens, a visitor can start paying, and the dashboard still shows its address.
    await supertest(t.app).get(`/pay/${token}`).expect(200);
    await supertest(t.app).post(`/pay/${token}`).expect(303);
    const listed = await admin.agent.get('/api/payment-links').expect(200);
    expect(listed.body.items[0].url).toBe(link.body.url);

    const { value: sealedSessionSecret } = await t.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'session_secret')
      .executeTakeFirstOrThrow();
    expect(isSealed(sealedSessionSecret)).toBe(true);
    const sessionSecret = t.secrets.open(sealedSessionSecret, 'settings:session_secret');
    const sessionCookie = admin.agent.jar.getCookie(SESSION_COOKIE, {
      path: '/',
      domain: '127.0.0.1',
    } as never)!;
    const sid = decodeURIComponent(sessionCookie.value).slice(2).split('.')[0]!;

    const secrets = {
      'webhook secret': endpoint.body.secret as string,
      'payment-link token': token,
      'session secret': sessionSecret,
      'session id': sid,
    };
    // Every column of every table, on either database.
    expect(await findStoredInClear(t.database, secrets)).toEqual([]);
    // And on SQLite the bytes of the file and its log, where rows deleted or rewritten linger.
    if (TEST_DIALECT === 'sqlite') {
      expect(findInSqliteFile(t.config.databasePath, secrets)).toEqual([]);
    }
  });
});

describe('the secrets key', () => {
  it('is made on first start in a file beside the database that only its owner can read', () => {
    const dir = tempDir();
    try {
      const database = path.join(dir, 'marketplace.sqlite');
      const key = loadSecretsKey(undefined, database);
      expect(key).toHaveLength(32);
      expect(modeOf(secretsKeyFile(database))).toBe(0o600);
      // The next start reads the same key rather than making a new one.
      expect(loadSecretsKey(undefined, database).equals(key)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is narrowed to its owner when a copy left it readable by others', () => {
    const dir = tempDir();
    try {
      const database = path.join(dir, 'marketplace.sqlite');
      const key = loadSecretsKey(undefined, database);
      fs.chmodSync(secretsKeyFile(database), 0o644);
      expect(loadSecretsKey(undefined, database).equals(key)).toBe(true);
      expect(modeOf(secretsKeyFile(database))).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('comes from SECRETS_KEY when set, which must be 32 bytes in base64', () => {
    const key = randomBytes(32);
    expect(loadConfig({ SECRETS_KEY: key.toString('base64') }).secretsKey?.equals(key)).toBe(true);
    expect(loadConfig({ SECRETS_KEY: key.toString('base64url') }).secretsKey?.equals(key)).toBe(
      true,
    );
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(ConfigError);
    try {
      loadConfig({ SECRETS_KEY: randomBytes(16).toString('base64') });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.join()).toMatch(/SECRETS_KEY/);
    }
  });

  it('stops the start with a clear error when it is not the key the database was sealed with', async () => {
    const testDatabase = await createTestDatabase();
    const database = await openDatabase(testDatabase.target);
    try {
      await openSecretBox(database, randomBytes(32));
      await expect(openSecretBox(database, randomBytes(32))).rejects.toThrow(SecretsKeyError);
      await expect(openSecretBox(database, randomBytes(32))).rejects.toThrow(
        /not the key its secrets were sealed with/,
      );
    } finally {
      await database.close();
      await testDatabase.drop();
    }
  });
});

describe('a database file from before the move to the typed query layer', () => {
  it('is refused at start with a clear message, and left as it was', async () => {
    const dir = tempDir();
    try {
      // What the previous version left: its own migrations table, and secrets written in clear.
      const file = path.join(dir, 'old.sqlite');
      const old = new BetterSqlite3(file);
      old.pragma('journal_mode = WAL');
      old.exec(`
        CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES ('001-init.sql', '2026-01-01T00:00:00.000Z');
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO settings VALUES ('session_secret', 'clear-session-secret');
        CREATE TABLE payment_links (id TEXT PRIMARY KEY, token TEXT NOT NULL);
        INSERT INTO payment_links VALUES ('plink_old', 'pl_aaaaaaaaaaaaaaaaaaaaaaaa');
      `);
      old.close();
      fs.chmodSync(file, 0o600);
      const digest = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const before = digest();

      const opening = openDatabase({ sqlitePath: file });
      await expect(opening).rejects.toThrow(LegacyDatabaseError);
      await expect(opening).rejects.toThrow(
        /made by an older version of the product\. Move it aside \(or set DATABASE_PATH to a new file\)/,
      );

      expect(digest()).toBe(before);
      const after = new BetterSqlite3(file, { readonly: true });
      try {
        const tables = after
          .prepare<[], { name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
          )
          .all()
          .map((row) => row.name);
        expect(tables).toEqual(['payment_links', 'schema_migrations', 'settings']);
        expect(after.prepare('SELECT * FROM payment_links').all()).toEqual([
          { id: 'plink_old', token: 'pl_aaaaaaaaaaaaaaaaaaaaaaaa' },
        ]);
      } finally {
        after.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the database file', () => {
  it('is made readable by its owner only, with its -wal and -shm files', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'db.sqlite');
      const database = await openDatabase({ sqlitePath: file });
      await database.db.insertInto('settings').values({ key: 'probe', value: 'x' }).execute();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
      await database.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('narrows a file an older version left readable by others', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'db.sqlite');
      fs.writeFileSync(file, '');
      fs.chmodSync(file, 0o644);
      await (await openDatabase({ sqlitePath: file })).close();
      expect(modeOf(file)).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
