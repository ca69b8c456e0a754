import path from 'node:path';
import { z } from 'zod';

const optionalSecret = (prefix: string) =>
  z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().startsWith(prefix, `must start with "${prefix}"`).optional())
    .optional();

/** 32 random bytes in base64 or base64url, e.g. from `openssl rand -base64 32`. */
const secretsKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 bytes in base64 (openssl rand -base64 32)')
  .transform((v) => Buffer.from(v, 'base64'));

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Where people open the dashboard; decides whether cookies are Secure. */
  PUBLIC_URL: z.url().optional(),
  DATABASE_PATH: z.string().min(1).default('data/marketplace.sqlite'),
  /** PostgreSQL instead of the SQLite file, e.g. postgres://user:password@host:5432/marketplace. */
  DATABASE_URL: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(
      z
        .url()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    )
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DASHBOARD_DIST: z.string().min(1).default('../dashboard/dist'),
  SEED_DEMO_DATA: booleanFlag.default(true),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SECRETS_KEY: secretsKey.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRIPE_SECRET_KEY_TEST: optionalSecret('sk_test_'),
  STRIPE_WEBHOOK_SECRET_TEST: optionalSecret('whsec_'),
  STRIPE_SECRET_KEY_LIVE: optionalSecret('sk_live_'),
  STRIPE_WEBHOOK_SECRET_LIVE: optionalSecret('whsec_'),
  STRIPE_API_URL: z.url().optional(),
  STRIPE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: booleanFlag.default(false),
  STOREFRONT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  LOGIN_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().min(1).default(20),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  /** The SQLite file, or the PostgreSQL server when DATABASE_URL is set. */
  database: { sqlitePath: string } | { postgresUrl: string; poolSize: number };
  /** The SQLite file's path, also where the secrets key file goes by default. */
  databasePath: string;
  dashboardDist: string;
  seedDemoData: boolean;
  sessionSecret: string | undefined;
  /** Seals the secrets kept in the database; without it, a key file beside the database does. */
  secretsKey: Buffer | undefined;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  /** Let providers' webhook endpoints be on this machine or a private network (development only). */
  webhooksAllowPrivateAddresses: boolean;
  /** What one API key may send to the storefront API in a minute. */
  storefrontRequestsPerMinute: number;
  /** Failed sign-ins allowed in 15 minutes, from one address and to one account. */
  loginAttempts: { perAddress: number; perAccount: number };
  stripe: {
    apiUrl: string | undefined;
    /** Where the embedded emulator listens when test mode has no key; 0 picks a free port. */
    emulatorPort: number;
    test: { secretKey: string | undefined; webhookSecret: string | undefined };
    live: { secretKey: string | undefined; webhookSecret: string | undefined };
  };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once, failing with every problem listed rather than the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema
    .superRefine((e, ctx) => {
      // Several instances share one PostgreSQL: each must have the key the others seal with.
      if (e.DATABASE_URL && !e.SECRETS_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['SECRETS_KEY'],
          message:
            'required with DATABASE_URL: every instance must seal and open secrets with the same key (openssl rand -base64 32)',
        });
      }
      for (const mode of ['TEST', 'LIVE'] as const) {
        const key = e[`STRIPE_SECRET_KEY_${mode}`];
        const secret = e[`STRIPE_WEBHOOK_SECRET_${mode}`];
        if (Boolean(key) !== Boolean(secret)) {
          ctx.addIssue({
            code: 'custom',
            path: [key ? `STRIPE_WEBHOOK_SECRET_${mode}` : `STRIPE_SECRET_KEY_${mode}`],
            message: `set together with ${key ? `STRIPE_SECRET_KEY_${mode}` : `STRIPE_WEBHOOK_SECRET_${mode}`}: webhooks cannot be verified without it`,
          });
        }
      }
    })
    .safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    database: e.DATABASE_URL
      ? { postgresUrl: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { sqlitePath: path.resolve(e.DATABASE_PATH) },
    databasePath: path.resolve(e.DATABASE_PATH),
    dashboardDist: path.resolve(e.DASHBOARD_DIST),
    seedDemoData: e.SEED_DEMO_DATA,
    sessionSecret: e.SESSION_SECRET,
    secretsKey: e.SECRETS_KEY,
    logLevel: e.LOG_LEVEL,
    webhooksAllowPrivateAddresses: e.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES,
    storefrontRequestsPerMinute: e.STOREFRONT_REQUESTS_PER_MINUTE,
    loginAttempts: {
      perAddress: e.LOGIN_ATTEMPTS_PER_ADDRESS,
      perAccount: e.LOGIN_ATTEMPTS_PER_ACCOUNT,
    },
    stripe: {
      apiUrl: e.STRIPE_API_URL,
      emulatorPort: e.STRIPE_EMULATOR_PORT,
      test: { secretKey: e.STRIPE_SECRET_KEY_TEST, webhookSecret: e.STRIPE_WEBHOOK_SECRET_TEST },
      live: { secretKey: e.STRIPE_SECRET_KEY_LIVE, webhookSecret: e.STRIPE_WEBHOOK_SECRET_LIVE },
    },
  };
}
