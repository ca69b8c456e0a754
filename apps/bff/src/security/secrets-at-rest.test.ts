import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { migrate, openDatabase } from '../db/database';
import { seedDemoData } from '../db/seed';
import { SESSION_COOKIE } from '../http/auth';
import { createPaymentLinksRepo, toPaymentLink } from '../modules/payment-links/payment-links.repo';
import { createTestApp, signIn, type TestApp } from '../testing/test-app';
import {
  isSealed,
  loadSecretsKey,
  openSecretBox,
  secretsKeyFile,
  SecretsKeyError,
  webhookSecretContext,
} from './secret-box';

const SESSION_SECRET = 'a-session-secret-of-at-least-32-characters';

/** What express-session puts in the cookie: `s:` and the id signed as cookie-signature does. */
const signedCookie = (sid: string, secret: string) =>
  `${SESSION_COOKIE}=${encodeURIComponent(
    `s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`,
  )}`;

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bff-secrets-'));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('a copy of the database file', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SESSION_SECRET });
  });
  afterAll(() => t.close());

  it('holds no session id that works as a cookie, even signed with the real secret', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    await agent.get('/api/me').expect(200);
    // Read as an intruder would: a separate connection to the file.
    const copy = new BetterSqlite3(t.config.databasePath, { readonly: true });
    const storedIds = copy.prepare('SELECT sid FROM http_sessions').pluck().all() as string[];
    copy.close();
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
    // The link still opens, and the dashboard still shows its address.
    await supertest(t.app).get(`/pay/${token}`).expect(200);
    const listed = await admin.agent.get('/api/payment-links').expect(200);
    expect(listed.body.items[0].url).toBe(link.body.url);

    const sealedSessionSecret = t.db
      .prepare("SELECT value FROM settings WHERE key = 'session_secret'")
      .pluck()
      .get() as string;
    expect(isSealed(sealedSessionSecret)).toBe(true);
    const sessionSecret = t.secrets.open(sealedSessionSecret, 'settings:session_secret');
    const sessionCookie = admin.agent.jar.getCookie(SESSION_COOKIE, {
      path: '/',
      domain: '127.0.0.1',
    } as never)!;
    const sid = decodeURIComponent(sessionCookie.value).slice(2).split('.')[0]!;

    const file = t.config.databasePath;
    const bytes = [file, `${file}-wal`]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
    for (const [what, secret] of [
      ['webhook secret', endpoint.body.secret as string],
      ['payment-link token', token],
      ['session secret', sessionSecret],
      ['session id', sid],
    ] as const) {
      expect(bytes.includes(secret), what).toBe(false);
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

  it('stops the start with a clear error when it is not the key the database was sealed with', () => {
    const dir = tempDir();
    try {
      const db = openDatabase(path.join(dir, 'db.sqlite'));
      openSecretBox(db, randomBytes(32));
      expect(() => openSecretBox(db, randomBytes(32))).toThrow(SecretsKeyError);
      expect(() => openSecretBox(db, randomBytes(32))).toThrow(
        /not the key its secrets were sealed with/,
      );
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database from before secrets were sealed', () => {
  it('gets its clear secrets sealed at start, and its payment links keep their addresses', async () => {
    const dir = tempDir();
    try {
      // The schema as it was before migration 010, with rows written in clear.
      const migrations = path.join(dir, 'migrations');
      fs.mkdirSync(migrations);
      const source = path.join(import.meta.dirname, '../db/migrations');
      for (const f of fs.readdirSync(source).filter((f) => Number.parseInt(f, 10) < 10))
        fs.copyFileSync(path.join(source, f), path.join(migrations, f));
      const file = path.join(dir, 'old.sqlite');
      const old = new BetterSqlite3(file);
      old.pragma('foreign_keys = ON');
      migrate(old, migrations);
      await seedDemoData(old);
      const now = new Date().toISOString();
      old
        .prepare(
          "INSERT INTO settings (key, value) VALUES ('session_secret', 'clear-session-secret')",
        )
        .run();
      old
        .prepare(
          `INSERT INTO webhook_endpoints (id, organisation_id, mode, url, secret, event_types, created_by, created_at)
         VALUES ('whe_old', 'org_acme', 'test', 'https://hooks.example.com', 'mkwhsec_clear', '[]', 'usr_acme_admin', ?)`,
        )
        .run(now);
      const token = 'pl_aaaaaaaaaaaaaaaaaaaaaaaa';
      old
        .prepare(
          `INSERT INTO payment_links (id, organisation_id, instance_id, mode, token, item_ids, device_ids,
           allow_promotion_codes, max_uses, expires_at, created_by, created_at)
         VALUES ('plink_old', 'org_acme', 'mkt_eu', 'test', ?, '[]', '[]', 0, 1, ?, 'usr_acme_admin', ?)`,
        )
        .run(token, new Date(Date.now() + 86_400_000).toISOString(), now);
      old.close();

      const db = openDatabase(file);
      const secrets = openSecretBox(db, randomBytes(32));
      const setting = db.prepare("SELECT value FROM settings WHERE key = 'session_secret'").pluck();
      expect(secrets.open(setting.get() as string, 'settings:session_secret')).toBe(
        'clear-session-secret',
      );
      const endpointSecret = db
        .prepare("SELECT secret FROM webhook_endpoints WHERE id = 'whe_old'")
        .pluck()
        .get() as string;
      expect(secrets.open(endpointSecret, webhookSecretContext('whe_old'))).toBe('mkwhsec_clear');
      const links = createPaymentLinksRepo(db, secrets);
      const link = links.findByToken(token);
      expect(link?.id).toBe('plink_old');
      expect(toPaymentLink(link!, 'https://pay.example').url).toBe(
        `https://pay.example/pay/${token}`,
      );
      const row = JSON.stringify(
        db.prepare("SELECT * FROM payment_links WHERE id = 'plink_old'").get(),
      );
      expect(row).not.toContain(token);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the database file', () => {
  it('is made readable by its owner only, with its -wal and -shm files', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'db.sqlite');
      const db = openDatabase(file);
      db.prepare("INSERT INTO settings (key, value) VALUES ('probe', 'x')").run();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('narrows a file an older version left readable by others', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'db.sqlite');
      fs.writeFileSync(file, '');
      fs.chmodSync(file, 0o644);
      openDatabase(file).close();
      expect(modeOf(file)).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
