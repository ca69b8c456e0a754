import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import { isRead, loadActor, SESSION_COOKIE } from './http/auth';
import { csrfProtection } from './http/csrf';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { notFound } from './http/errors';
import { DatabaseRateLimitStore } from './http/rate-limit-store';
import { DatabaseSessionStore } from './http/session-store';
import { loggableUrl } from './logger';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes';
import { auditRoutes } from './modules/audit/audit.routes';
import { authRoutes } from './modules/auth/auth.routes';
import { checkoutRoutes } from './modules/checkout/checkout.routes';
import { deviceApiRoutes } from './modules/device-api/device-api.routes';
import { deviceGroupsRoutes } from './modules/device-groups/device-groups.routes';
import { devicesRoutes } from './modules/devices/devices.routes';
import { healthRoutes } from './modules/health/health.routes';
import { installsRoutes } from './modules/installs/installs.routes';
import { marketplacesRoutes } from './modules/marketplaces/marketplaces.routes';
import { overviewRoutes } from './modules/overview/overview.routes';
import { paymentLinkPages } from './modules/payment-links/payment-link-pages';
import { paymentLinksRoutes } from './modules/payment-links/payment-links.routes';
import { webhookEndpointsRoutes } from './modules/provider-webhooks/webhook-endpoints.routes';
import { purchasesRoutes } from './modules/purchases/purchases.routes';
import { rolloutsRoutes } from './modules/rollouts/rollouts.routes';
import { searchRoutes } from './modules/search/search.routes';
import { storefrontRoutes } from './modules/storefront/storefront.routes';
import type { SecretBox } from './security/secret-box';
import type { Services } from './services';
import { stripeWebhookRoutes } from './stripe/webhook.routes';

export type AppDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  services: Services;
};

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** The caller's X-Request-Id when it is a sane one, so logs line up across services; else a new id. */
export function requestIdFrom(incoming: unknown): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The session secret from the environment, or one generated once and kept sealed in the database. */
async function sessionSecret(
  config: Config,
  database: Database,
  secrets: SecretBox,
): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  const context = 'settings:session_secret';
  // Several instances may start at once: the first one's secret is the one they all use.
  await database.db
    .insertInto('settings')
    .values({
      key: 'session_secret',
      value: secrets.seal(randomBytes(32).toString('base64url'), context),
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const { value } = await database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'session_secret')
    .executeTakeFirstOrThrow();
  return secrets.open(value, context);
}

export async function createApp({ config, database, logger, services }: AppDeps): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestIdFrom(req.headers['x-request-id']);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      // Our serializers pick three fields from the raw request and response; pino-http's wrappers
      // would first copy every header of each into a new object.
      wrapSerializers: false,
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: loggableUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  const secure = config.publicUrl.startsWith('https://');
  // Over plain http (the embedded default on localhost) HSTS and upgrade-insecure-requests would break the site.
  app.use(
    helmet({
      strictTransportSecurity: secure,
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: secure ? [] : null } },
    }),
  );

  const rateLimitStore = (name: string) => new DatabaseRateLimitStore(database, name);

  // Before any JSON parser, session or CSRF check: Stripe signs the raw body and has no session.
  app.use(stripeWebhookRoutes({ stripe: services.stripe, stripeEvents: services.stripeEvents }));

  // Devices authenticate with their own token: no session, no CSRF.
  app.use('/device-api/v1', deviceApiRoutes({ installs: services.installs }));
  // Providers' servers: Bearer API keys instead of a session, so no cookie and no CSRF token.
  app.use(
    '/api/v1',
    storefrontRoutes({
      services,
      publicUrl: config.publicUrl,
      requestsPerMinute: config.storefrontRequestsPerMinute,
      rateLimitStore,
    }),
  );

  const secret = await sessionSecret(config, database, services.secrets);
  const api = express.Router();
  api.use(express.json({ limit: '100kb' }));
  const sessionStore = new DatabaseSessionStore(database);
  const sessionOptions = {
    name: SESSION_COOKIE,
    secret,
    resave: false,
    saveUninitialized: false,
    // The store ends a session after 8 idle hours and slides that expiry on reads, so the cookie
    // needs no expiry of its own and is sent only when the session starts (DatabaseSessionStore).
    cookie: { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' },
  };
  // Reads may take the session as this instance read it in the last second; whatever changes
  // state reads it from the database (DatabaseSessionStore.forReads).
  const readSession = session({ ...sessionOptions, store: sessionStore.forReads });
  const writeSession = session({ ...sessionOptions, store: sessionStore });
  api.use((req, res, next) => (isRead(req.method) ? readSession : writeSession)(req, res, next));
  const { csrfSynchronisedProtection, generateToken } = csrfProtection({ secret, secure });
  api.use(csrfSynchronisedProtection);
  api.use(loadActor(services.auth));

  api.use(healthRoutes({ health: services.health }));
  api.use(
    authRoutes({
      auth: services.auth,
      rateLimitStore,
      generateCsrfToken: generateToken,
      loginAttemptsPerAddress: config.loginAttempts.perAddress,
      loginAttemptsPerAccount: config.loginAttempts.perAccount,
    }),
  );
  api.use(marketplacesRoutes({ marketplaces: services.marketplaces }));
  api.use(devicesRoutes({ devices: services.devices }));
  api.use(deviceGroupsRoutes({ deviceGroups: services.deviceGroups }));
  api.use(checkoutRoutes({ checkout: services.checkout }));
  api.use(purchasesRoutes({ purchases: services.purchases, refunds: services.refunds }));
  api.use(installsRoutes({ installs: services.installs }));
  api.use(rolloutsRoutes({ rollouts: services.rollouts }));
  api.use(apiKeysRoutes({ apiKeys: services.apiKeys }));
  api.use(webhookEndpointsRoutes({ webhookEndpoints: services.webhookEndpoints }));
  api.use(paymentLinksRoutes({ paymentLinks: services.paymentLinks }));
  api.use(searchRoutes({ search: services.search }));
  api.use(overviewRoutes({ overview: services.overview }));
  api.use(auditRoutes({ audit: services.auditLog }));
  api.use(notFoundHandler);
  app.use('/api', api);

  // Public pages behind a payment link: whoever holds the link may pay for its basket.
  app.use(
    paymentLinkPages({
      paymentLinks: services.paymentLinks,
      publicUrl: config.publicUrl,
      rateLimitStore,
    }),
  );

  // Source maps would hand out the dashboard's source; the build makes none, and none is served
  // should one be copied into the folder.
  app.use((req, _res, next) => next(/\.map$/i.test(req.path) ? notFound('File') : undefined));

  const indexHtml = path.join(config.dashboardDist, 'index.html');
  if (fs.existsSync(indexHtml)) {
    app.use(express.static(config.dashboardDist, { index: false, maxAge: '1h' }));
    // Client-side routes: every other GET that accepts HTML gets the SPA shell.
    app.get(/^(?!\/api\/|\/device-api\/).*/, (req, res, next) =>
      req.accepts('html') ? res.sendFile(indexHtml, { maxAge: 0 }) : next(),
    );
  }

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
