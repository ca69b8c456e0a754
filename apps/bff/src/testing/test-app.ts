import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { pino, type Logger } from 'pino';
import Stripe from 'stripe';
import supertest from 'supertest';
import { startStripeEmulator, type StripeEmulator } from '@repo/stripe-emulator';
import { createApp } from '../app';
import { loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import type { DB } from '../db/schema';
import { DEMO_PASSWORD } from '../db/seed';
import { loadSecretsKey, openSecretBox, type SecretBox } from '../security/secret-box';
import { createServices, type Services } from '../services';
import { createStripeGateway, STRIPE_API_VERSION } from '../stripe/stripe-gateway';
import { createWorkers, type WorkerOptions, type Workers } from '../workers';
import { createTestDatabase } from './test-database';

export const TEST_WEBHOOK_SECRET = 'whsec_bff_integration_tests';
const TEST_SECRET_KEY = 'sk_test_bff_integration_tests';

export type TestApp = {
  app: Awaited<ReturnType<typeof createApp>>;
  database: Database;
  /** The current executor, for tests that read or arrange rows directly. */
  db: Kysely<DB>;
  config: Config;
  secrets: SecretBox;
  services: Services;
  /** Where the app listens for real, so that the emulator's webhooks reach it. */
  baseUrl: string;
  emulator: StripeEmulator;
  /** The SDK pointed at the emulator, as a test's view of "Stripe". */
  stripe: Stripe;
  /** The outbox worker and providers' webhooks, running as in production but with short waits. */
  workers: Workers;
  providerWebhooks: Workers['providerWebhooks'];
  close: () => Promise<void>;
};

/**
 * The real app over a real database of its own (SQLite file, or PostgreSQL with TEST_DATABASE),
 * seeded with the demo data, listening on a real port, with test mode on the Stripe emulator
 * through the official SDK, and its background workers running.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: {
    providerWebhooks?: WorkerOptions['providerWebhooks'];
    /** Lets a test read what the app logs; the default is silent. */
    logger?: Logger;
    /**
     * false: test mode acts as if its keys were real Stripe's (STRIPE_API_URL pointed at the
     * emulator), so that what only the embedded default may do can be told apart.
     */
    embeddedEmulator?: boolean;
    /** Where the BFF sends its Stripe calls, given the emulator's address (a proxy that fails some). */
    stripeApiUrl?: (emulatorUrl: string) => string;
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DASHBOARD_DIST: `${testDatabase.dir}/no-dashboard`,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:5999',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    // The tests' webhook receivers listen on this machine.
    WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true',
    ...testDatabase.env,
    ...env,
  });
  const database = await openDatabase(config.database);
  const secrets = await openSecretBox(
    database,
    loadSecretsKey(config.secretsKey, config.databasePath),
  );
  const emulator = await startStripeEmulator({ port: 0, webhookRetryDelaysMs: [50, 100, 200] });
  const stripe = createStripeGateway({
    test: {
      secretKey: TEST_SECRET_KEY,
      webhookSecret: TEST_WEBHOOK_SECRET,
      apiUrl: options.stripeApiUrl?.(emulator.url) ?? emulator.url,
      embeddedEmulator: options.embeddedEmulator ?? true,
    },
  });
  const logger = options.logger ?? pino({ level: 'silent' });
  const services = createServices({ config, database, logger, stripe, secrets });
  const app = await createApp({ config, database, logger, services });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workers = createWorkers(
    { database, logger: pino({ level: 'silent' }), services },
    {
      outbox: { pollIntervalMs: 100, retryDelaysMs: [50, 100, 200] },
      providerWebhooks: {
        retryDelaysMs: [50, 100, 200],
        pollIntervalMs: 100,
        timeoutMs: 2000,
        ...options.providerWebhooks,
      },
    },
  );
  workers.start();
  emulator.setWebhooks([
    { url: `${baseUrl}/api/webhooks/stripe/test`, secret: TEST_WEBHOOK_SECRET },
  ]);
  return {
    app,
    database,
    get db() {
      return database.db;
    },
    config,
    secrets,
    services,
    baseUrl,
    emulator,
    stripe: new Stripe(TEST_SECRET_KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
    }),
    workers,
    providerWebhooks: workers.providerWebhooks,
    close: async () => {
      await workers.stop();
      await emulator.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
      await testDatabase.drop();
    },
  };
}

/**
 * Another instance of the app on the same database, as a second server behind the same load
 * balancer (or the same server after a restart) is: its own connections, services and memory.
 * Without workers and without listening: tests drive it with supertest.
 */
export async function createAnotherInstance(t: TestApp) {
  const database = await openDatabase(t.config.database);
  const secrets = await openSecretBox(
    database,
    loadSecretsKey(t.config.secretsKey, t.config.databasePath),
  );
  const logger = pino({ level: 'silent' });
  const services = createServices({
    config: t.config,
    database,
    logger,
    stripe: t.services.stripe,
    secrets,
  });
  const app = await createApp({ config: t.config, database, logger, services });
  return { app, database, services, close: () => database.close() };
}

/** A cookie-keeping client with a CSRF token, as the dashboard is after loading. */
export async function anonymousClient(app: TestApp['app']) {
  const agent = supertest.agent(app);
  const { body } = await agent.get('/api/auth/csrf').expect(200);
  return { agent, csrfToken: body.csrfToken as string };
}

/** Signs in as a demo user, e.g. signIn(app, 'support@acme.example'). */
export async function signIn(app: TestApp['app'], email: string) {
  const { agent, csrfToken } = await anonymousClient(app);
  const res = await agent
    .post('/api/auth/login')
    .set('X-CSRF-Token', csrfToken)
    .send({ email, password: DEMO_PASSWORD })
    .expect(200);
  return { agent, csrfToken: res.body.csrfToken as string };
}

/** Runs `act` while every write to the audit log fails, as a full disk or a bug would make it. */
export async function withAuditWritesFailing(database: Database, act: () => Promise<void>) {
  const { db } = database;
  if (database.dialect === 'postgres') {
    await sql`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit unavailable'; END $$`.execute(db);
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION refuse_audit()`.execute(db);
  } else {
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries
      BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`.execute(db);
  }
  try {
    await act();
  } finally {
    await sql`DROP TRIGGER refuse_audit${database.dialect === 'postgres' ? sql` ON audit_entries` : sql``}`.execute(
      db,
    );
    if (database.dialect === 'postgres') await sql`DROP FUNCTION refuse_audit()`.execute(db);
  }
}
