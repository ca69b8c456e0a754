import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import Stripe from 'stripe';
import supertest from 'supertest';
import { startStripeEmulator, type StripeEmulator } from '@repo/stripe-emulator';
import { createApp } from '../app';
import {
  createProviderWebhookDispatcher,
  type DispatcherOptions,
  type ProviderWebhookDispatcher,
} from '../modules/provider-webhooks/dispatcher';
import { loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import { DEMO_PASSWORD, seedDemoData } from '../db/seed';
import { loadSecretsKey, openSecretBox, type SecretBox } from '../security/secret-box';
import { createStripeGateway, STRIPE_API_VERSION } from '../stripe/stripe-gateway';

export const TEST_WEBHOOK_SECRET = 'whsec_bff_integration_tests';
const TEST_SECRET_KEY = 'sk_test_bff_integration_tests';

export type TestApp = {
  app: ReturnType<typeof createApp>;
  db: Database;
  config: Config;
  secrets: SecretBox;
  /** Where the app listens for real, so that the emulator's webhooks reach it. */
  baseUrl: string;
  emulator: StripeEmulator;
  /** The SDK pointed at the emulator, as a test's view of "Stripe". */
  stripe: Stripe;
  /** Providers' outgoing webhooks, running as in production but with short waits. */
  providerWebhooks: ProviderWebhookDispatcher;
  close: () => Promise<void>;
};

/**
 * The real app over a real SQLite file in a fresh temporary folder, seeded with the demo data,
 * listening on a real port, with test mode on the Stripe emulator through the official SDK.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: {
    providerWebhooks?: DispatcherOptions;
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bff-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: path.join(dir, 'test.sqlite'),
    DASHBOARD_DIST: path.join(dir, 'no-dashboard'),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:5999',
    // The tests' webhook receivers listen on this machine.
    WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true',
    ...env,
  });
  const db = openDatabase(config.databasePath);
  const secrets = openSecretBox(db, loadSecretsKey(config.secretsKey, config.databasePath));
  await seedDemoData(db);
  const emulator = await startStripeEmulator({ port: 0, webhookRetryDelaysMs: [50, 100, 200] });
  const stripe = createStripeGateway({
    test: {
      secretKey: TEST_SECRET_KEY,
      webhookSecret: TEST_WEBHOOK_SECRET,
      apiUrl: options.stripeApiUrl?.(emulator.url) ?? emulator.url,
      embeddedEmulator: options.embeddedEmulator ?? true,
    },
  });
  const app = createApp({
    config,
    db,
    logger: options.logger ?? pino({ level: 'silent' }),
    stripe,
    secrets,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const providerWebhooks = createProviderWebhookDispatcher(db, pino({ level: 'silent' }), secrets, {
    retryDelaysMs: [50, 100, 200],
    pollIntervalMs: 100,
    timeoutMs: 2000,
    allowPrivateAddresses: config.webhooksAllowPrivateAddresses,
    ...options.providerWebhooks,
  });
  providerWebhooks.start();
  emulator.setWebhooks([
    { url: `${baseUrl}/api/webhooks/stripe/test`, secret: TEST_WEBHOOK_SECRET },
  ]);
  return {
    app,
    db,
    config,
    secrets,
    baseUrl,
    emulator,
    stripe: new Stripe(TEST_SECRET_KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
    }),
    providerWebhooks,
    close: async () => {
      await providerWebhooks.stop();
      await emulator.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
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
export async function withAuditWritesFailing(db: Database, act: () => Promise<void>) {
  db.exec(
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END",
  );
  try {
    await act();
  } finally {
    db.exec('DROP TRIGGER refuse_audit');
  }
}
