import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoData } from './db/seed';
import { createLogger } from './logger';
import { createProviderWebhookDispatcher } from './modules/provider-webhooks/dispatcher';
import { loadSecretsKey, openSecretBox, SecretsKeyError } from './security/secret-box';
import { setUpStripe } from './stripe/embedded-stripe';
import { createStripeGateway } from './stripe/stripe-gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  let secrets;
  try {
    secrets = openSecretBox(db, loadSecretsKey(config.secretsKey, config.databasePath));
  } catch (err) {
    if (err instanceof SecretsKeyError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const isNew = (db.prepare('SELECT count(*) FROM organisations').pluck().get() as number) === 0;
  if (config.seedDemoData) await seedDemoData(db);

  const stripeSetup = await setUpStripe(config);
  const app = createApp({
    config,
    db,
    logger,
    stripe: createStripeGateway(stripeSetup.credentials),
    secrets,
  });
  // Delivers providers' webhooks beside the request path; picks up what a restart left pending.
  const providerWebhooks = createProviderWebhookDispatcher(db, logger, secrets, {
    allowPrivateAddresses: config.webhooksAllowPrivateAddresses,
  });
  const server = app.listen(config.port, config.host, () => {
    providerWebhooks.start();
    const { port } = server.address() as AddressInfo;
    stripeSetup.connectWebhooks(`http://127.0.0.1:${port}`);
    const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
    const lines = [
      '',
      `  Device marketplace dashboard is running: ${url}`,
      `  Database: ${config.databasePath}${isNew ? ' (created)' : ''}`,
      `  Stripe test mode: ${stripeSetup.emulator ? `embedded emulator at ${stripeSetup.emulator.url}` : 'Stripe (STRIPE_SECRET_KEY_TEST)'}`,
      `  Stripe live mode: ${stripeSetup.credentials.live ? 'Stripe (STRIPE_SECRET_KEY_LIVE)' : 'off (no STRIPE_SECRET_KEY_LIVE)'}`,
    ];
    if (config.seedDemoData) {
      lines.push(
        `  Demo logins (password "${DEMO_PASSWORD}"):`,
        ...DEMO_LOGINS.map((email) => `    ${email}`),
      );
    }
    console.log(lines.join('\n') + '\n');
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server.close(async () => {
      await providerWebhooks.stop();
      await stripeSetup.emulator?.close();
      db.close();
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
