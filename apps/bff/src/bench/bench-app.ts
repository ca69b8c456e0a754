import { createHash } from 'node:crypto';
import { loadConfig, type Config } from '../config';
import type { Database } from '../db/database';
import type { Actor } from '../http/auth';
import { createLogger } from '../logger';
import { loadSecretsKey, openSecretBox } from '../security/secret-box';
import { createServices } from '../services';
import { createStripeGateway } from '../stripe/stripe-gateway';
import { BENCH_ORGANISATION_ID, BENCH_WEBHOOK_SECRET, SUPPORT_EMAIL } from './bench-settings';

/**
 * The same configuration for every process, run and instance, so that what one sealed in the
 * database (the secrets check) opens in the next: the bench's databases hold nothing secret.
 * `where` is a SQLite file or a postgres:// URL.
 */
export function benchConfig(where: string): Config {
  return loadConfig({
    NODE_ENV: 'production',
    ...(/^postgres(ql)?:\/\//.test(where) ? { DATABASE_URL: where } : { DATABASE_PATH: where }),
    DATABASE_POOL_SIZE: '10',
    DASHBOARD_DIST: process.env.BENCH_DASHBOARD_DIST ?? '/nonexistent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: 'info',
    SECRETS_KEY: createHash('sha256').update('purchases benchmark').digest('base64'),
    SESSION_SECRET: createHash('sha256').update('purchases benchmark session').digest('hex'),
  });
}

/** The services as the product wires them; test mode's webhooks are verified with the bench's secret. */
export async function benchServices(config: Config, database: Database) {
  const secrets = await openSecretBox(
    database,
    loadSecretsKey(config.secretsKey, config.databasePath),
  );
  // Nothing in the bench calls Stripe: a call would fail at once on this closed port.
  const stripe = createStripeGateway({
    test: {
      secretKey: 'sk_test_bench',
      webhookSecret: BENCH_WEBHOOK_SECRET,
      apiUrl: 'http://127.0.0.1:9',
    },
  });
  const logger = createLogger(config.logLevel);
  return { logger, services: createServices({ config, database, logger, stripe, secrets }) };
}

/** The support user of the searched organisation, as the session would make it the actor. */
export const SUPPORT_ACTOR: Actor = {
  userId: 'usr_acme_support',
  email: SUPPORT_EMAIL,
  role: 'support',
  organisationId: BENCH_ORGANISATION_ID,
};
