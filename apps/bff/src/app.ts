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
import { loadActor, SESSION_COOKIE } from './http/auth';
import { csrfProtection } from './http/csrf';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { notFound } from './http/errors';
import { SqliteSessionStore } from './http/session-store';
import { loggableUrl } from './logger';
import { createApiKeysRepo } from './modules/api-keys/api-keys.repo';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes';
import { createAuditRepo } from './modules/audit/audit.repo';
import { authRoutes } from './modules/auth/auth.routes';
import { deviceApiRoutes } from './modules/device-api/device-api.routes';
import { createDeviceDetail } from './modules/devices/device-detail';
import { createDevicesRepo } from './modules/devices/devices.repo';
import { devicesRoutes } from './modules/devices/devices.routes';
import { createInstallsRepo } from './modules/installs/installs.repo';
import { installsRoutes } from './modules/installs/installs.routes';
import { createInstallsService } from './modules/installs/installs.service';
import { createReleasesRepo } from './modules/installs/releases.repo';
import { healthRoutes } from './modules/health/health.routes';
import { marketplacesRoutes } from './modules/marketplaces/marketplaces.routes';
import { createCheckoutRepo } from './modules/checkout/checkout.repo';
import { checkoutRoutes } from './modules/checkout/checkout.routes';
import { createCheckoutService } from './modules/checkout/checkout.service';
import { createCheckoutSync } from './modules/checkout/checkout-sync';
import { createFulfillment } from './modules/checkout/fulfillment';
import { createDeviceValidation } from './modules/devices/device-validation';
import { createConnectedAccounts } from './stripe/connected-accounts';
import { purchasesRoutes } from './modules/purchases/purchases.routes';
import { createPurchasesService } from './modules/purchases/purchases.service';
import { createRefundsService } from './modules/purchases/refunds.service';
import { paymentLinkPages } from './modules/payment-links/payment-link-pages';
import { createPaymentLinksRepo } from './modules/payment-links/payment-links.repo';
import { paymentLinksRoutes } from './modules/payment-links/payment-links.routes';
import { webhookEndpointsRoutes } from './modules/provider-webhooks/webhook-endpoints.routes';
import { storefrontRoutes } from './modules/storefront/storefront.routes';
import type { SecretBox } from './security/secret-box';
import type { StripeGateway } from './stripe/stripe-gateway';
import { stripeWebhookRoutes } from './stripe/webhook.routes';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  stripe: StripeGateway;
  /** From openSecretBox: seals what the server must read back, under a key kept out of the database. */
  secrets: SecretBox;
};

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** The caller's X-Request-Id when it is a sane one, so logs line up across services; else a new id. */
export function requestIdFrom(incoming: unknown): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The session secret from the environment, or one generated once and kept sealed in the database. */
function sessionSecret(config: Config, db: Database, secrets: SecretBox): string {
  if (config.sessionSecret) return config.sessionSecret;
  const context = 'settings:session_secret';
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(
    'session_secret',
    secrets.seal(randomBytes(32).toString('base64url'), context),
  );
  const sealed = db
    .prepare("SELECT value FROM settings WHERE key = 'session_secret'")
    .pluck()
    .get() as string;
  return secrets.open(sealed, context);
}

export function createApp({ config, db, logger, stripe, secrets }: AppDeps): Express {
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

  const audit = createAuditRepo(db);
  const checkout = createCheckoutRepo(db);
  // Fulfillment hands duplicates to the refunds service, which itself fulfills a session whose
  // refund arrives first: the service is bound here and called only once both exist.
  const fulfill = createFulfillment(db, checkout, {
    record: (duplicate) => refunds.recordDuplicate(duplicate),
    send: (checkoutSessionId) => refunds.sendAutomaticRefunds(checkoutSessionId),
  });
  const sync = createCheckoutSync(checkout, fulfill);
  const connectedAccount = createConnectedAccounts(db, stripe);
  const validateBasket = createDeviceValidation(db, connectedAccount);
  const installs = createInstallsRepo(db);
  const releases = createReleasesRepo(db);
  const devices = createDevicesRepo(db);
  const installsService = createInstallsService({ db, installs, releases, audit });
  const refunds = createRefundsService({ db, checkout, fulfill, stripe, audit, installs, logger });
  const checkoutService = createCheckoutService({
    db,
    checkout,
    sync,
    fulfill,
    validateBasket,
    stripe,
    audit,
    publicUrl: config.publicUrl,
    logger,
    sendAutomaticRefunds: refunds.sendAutomaticRefunds,
    connectedAccount,
  });

  const apiKeys = createApiKeysRepo(db);
  const paymentLinks = createPaymentLinksRepo(db, secrets);

  // Before any JSON parser, session or CSRF check: Stripe signs the raw body and has no session.
  app.use(stripeWebhookRoutes({ db, stripe, sync, refunds }));

  // Devices authenticate with their own token: no session, no CSRF.
  app.use('/device-api/v1', deviceApiRoutes({ service: installsService }));
  // Providers' servers: Bearer API keys instead of a session, so no cookie and no CSRF token.
  app.use(
    '/api/v1',
    storefrontRoutes({
      db,
      apiKeys,
      checkoutService,
      validateBasket,
      publicUrl: config.publicUrl,
      requestsPerMinute: config.storefrontRequestsPerMinute,
    }),
  );

  const secret = sessionSecret(config, db, secrets);
  const api = express.Router();
  api.use(express.json({ limit: '100kb' }));
  api.use(
    session({
      name: SESSION_COOKIE,
      secret,
      store: new SqliteSessionStore(db),
      resave: false,
      saveUninitialized: false,
      // The store ends a session after 8 idle hours and slides that expiry on reads, so the cookie
      // needs no expiry of its own and is sent only when the session starts (SqliteSessionStore).
      cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
    }),
  );
  const { csrfSynchronisedProtection, generateToken } = csrfProtection({ secret, secure });
  api.use(csrfSynchronisedProtection);
  api.use(loadActor(db));

  api.use(healthRoutes({ db }));
  api.use(
    authRoutes({
      db,
      audit,
      generateCsrfToken: generateToken,
      loginAttemptsPerAddress: config.loginAttempts.perAddress,
      loginAttemptsPerAccount: config.loginAttempts.perAccount,
    }),
  );
  api.use(marketplacesRoutes({ db }));
  api.use(
    devicesRoutes({
      devices,
      deviceDetail: createDeviceDetail({ db, devices, installs, releases }),
      validateBasket,
    }),
  );
  api.use(checkoutRoutes({ service: checkoutService }));
  api.use(purchasesRoutes({ purchases: createPurchasesService({ db }), refunds }));
  api.use(installsRoutes({ installs, releases, service: installsService }));
  api.use(apiKeysRoutes({ db, apiKeys, audit }));
  api.use(
    webhookEndpointsRoutes({
      db,
      audit,
      secrets,
      allowPrivateAddresses: config.webhooksAllowPrivateAddresses,
    }),
  );
  api.use(
    paymentLinksRoutes({
      db,
      paymentLinks,
      validateBasket,
      stripe,
      audit,
      publicUrl: config.publicUrl,
    }),
  );
  api.use(notFoundHandler);
  app.use('/api', api);

  // Public pages behind a payment link: whoever holds the link may pay for its basket.
  app.use(
    paymentLinkPages({
      paymentLinks,
      checkoutService,
      validateBasket,
      publicUrl: config.publicUrl,
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
