import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { LegacyDatabaseError } from './db/migrator';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoData } from './db/seed';
import { createLogger } from './logger';
import { loadSecretsKey, openSecretBox, SecretsKeyError } from './security/secret-box';
import { createServices } from './services';
import { setUpStripe } from './stripe/embedded-stripe';
import { createStripeGateway } from './stripe/stripe-gateway';
import { createWorkers } from './workers';

/** Problems the operator can fix: printed as they are, without a stack. */
const STARTUP_ERRORS = [ConfigError, SecretsKeyError, LegacyDatabaseError];

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  const secrets = await openSecretBox(
    database,
    loadSecretsKey(config.secretsKey, config.databasePath),
  );
  const isNew =
    (await database.db.selectFrom('organisations').select('id').limit(1).execute()).length === 0;
  if (config.seedDemoData) await seedDemoData(database);

  const stripeSetup = await setUpStripe(config);
  const stripe = createStripeGateway(stripeSetup.credentials);
  const services = createServices({ config, database, logger, stripe, secrets });
  const app = await createApp({ config, database, logger, services });
  const workers = createWorkers({ database, logger, services });
  const server = app.listen(config.port, config.host, () => {
    workers.start();
    const { port } = server.address() as AddressInfo;
    stripeSetup.connectWebhooks(`http://127.0.0.1:${port}`);
    const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
    const listening = `${config.host}:${port}`;
    // Behind a proxy, or one of several instances, this one listens elsewhere than PUBLIC_URL.
    const where =
      new URL(url).port === String(port) ? '' : ` (this instance listens on ${listening})`;
    const stripeServer = config.stripe.apiUrl
      ? `the Stripe-compatible server at ${config.stripe.apiUrl}`
      : 'Stripe';
    const lines = [
      '',
      `  Device marketplace dashboard is running: ${url}${where}`,
      `  Database: ${database.description}${isNew ? ' (created)' : ''}`,
      `  Stripe test mode: ${stripeSetup.emulator ? `embedded emulator at ${stripeSetup.emulator.url}` : `${stripeServer} (STRIPE_SECRET_KEY_TEST)`}`,
      `  Stripe live mode: ${stripeSetup.credentials.live ? `${stripeServer} (STRIPE_SECRET_KEY_LIVE)` : 'off (no STRIPE_SECRET_KEY_LIVE)'}`,
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
      await workers.stop();
      await stripeSetup.emulator?.close();
      await database.close();
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (STARTUP_ERRORS.some((kind) => error instanceof kind)) {
    console.error((error as Error).message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
