/**
 * The servers the purchases benchmark loads, each run in a process of its own so that it has a
 * core to itself while autocannon uses the other:
 *
 *   bff      the real app (createApp): helmet, pino-http logging, session from the database,
 *            CSRF, zod.
 *   bare     node:http and nothing else: no session, no validation, the same repo call and JSON.
 *   express  Express 5 with that one route and no middleware: what the framework alone costs.
 *   fastify  a reference for choosing the framework: Fastify 5 with what the BFF does on this
 *            GET (request id, one log line, helmet, the same session store and cookie, the
 *            actor lookup, zod, the same service call). CSRF checks no GET, so it is left out;
 *            a bench-only route signs in.
 *
 * Started by purchases-bench.ts with the kind, the database (a SQLite file or a postgres:// URL)
 * and the organisation as arguments; reports its port over IPC.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySession from '@fastify/session';
import express from 'express';
import Fastify, { LogController } from 'fastify';
import { purchasesQuerySchema } from '@repo/schemas';
import { createApp, requestIdFrom } from '../app';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db/database';
import { createLogger } from '../logger';
import { DatabaseSessionStore } from '../http/session-store';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { loadSecretsKey, openSecretBox } from '../security/secret-box';
import { createServices } from '../services';
import { createStripeGateway } from '../stripe/stripe-gateway';

declare module 'fastify' {
  interface Session {
    userId?: string;
  }
}

const [kind, where, organisationId] = process.argv.slice(2) as [string, string, string];
const postgres = /^postgres(ql)?:\/\//.test(where);

/**
 * The same configuration for every run, so that what one run sealed in the database (the
 * secrets check) opens in the next: the large databases hold nothing secret.
 */
const config = loadConfig({
  NODE_ENV: 'production',
  ...(postgres ? { DATABASE_URL: where } : { DATABASE_PATH: where }),
  DATABASE_POOL_SIZE: '10',
  DASHBOARD_DIST: '/nonexistent',
  PUBLIC_URL: 'http://127.0.0.1:3000',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  SECRETS_KEY: createHash('sha256').update('purchases benchmark').digest('base64'),
  SESSION_SECRET: createHash('sha256').update('purchases benchmark session').digest('hex'),
});

function listen(server: http.Server) {
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
}

async function servicesFor(database: Database) {
  const secrets = await openSecretBox(
    database,
    loadSecretsKey(config.secretsKey, config.databasePath),
  );
  // Never called by the route under test; present because the app needs a gateway.
  const stripe = createStripeGateway({
    test: {
      secretKey: 'sk_test_bench',
      webhookSecret: 'whsec_bench',
      apiUrl: 'http://127.0.0.1:9',
    },
  });
  const logger = createLogger(config.logLevel);
  return { logger, services: createServices({ config, database, logger, stripe, secrets }) };
}

/** One line per answered request, as the BFF's pino-http writes it. */
class RequestLog extends LogController {
  override incomingRequest() {}
  override requestCompleted(
    _error: Error | null,
    request: { log: { info: (o: object, m: string) => void }; method: string; url: string },
    reply: { statusCode: number; elapsedTime: number },
  ) {
    request.log.info(
      {
        req: { method: request.method, url: request.url },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  }
}

async function startFastify(database: Database) {
  const { services } = await servicesFor(database);
  const app = Fastify({
    loggerInstance: createLogger('info'),
    logController: new RequestLog(),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('X-Request-Id', req.id);
    done(null, payload);
  });
  await app.register(fastifyHelmet, {
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    cookieName: 'mp.sid',
    secret: randomUUID() + randomUUID(),
    store: new DatabaseSessionStore(database),
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, path: '/' },
  });
  app.post('/bench/sign-in', async (req, reply) => {
    const email = String(req.headers['x-email']).toLowerCase();
    const user = await database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    if (!user) return reply.code(404).send({ error: { code: 'USER_NOT_FOUND' } });
    req.session.set('userId', user.id);
    return reply.send({ signedIn: true });
  });
  app.get('/api/purchases', async (req, reply) => {
    const userId = req.session.get('userId');
    const actor = userId ? await services.auth.actor(userId) : undefined;
    if (!actor) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED' } });
    const query = purchasesQuerySchema.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: { code: 'VALIDATION_FAILED' } });
    return reply.send(await services.purchases.list(actor, query.data));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: (app.server.address() as AddressInfo).port });
}

async function main() {
  const database = await openDatabase(config.database);
  process.on('SIGTERM', () => {
    void database.close().finally(() => process.exit(0));
  });
  const purchases = createPurchasesRepo(database);
  const search = (deviceId: string | undefined) =>
    purchases.list(organisationId, {
      deviceId,
      deviceIdMatch: 'exact',
      limit: 25,
    });

  if (kind === 'bff') {
    const { logger, services } = await servicesFor(database);
    listen(http.createServer(await createApp({ config, database, logger, services })));
  } else if (kind === 'bare') {
    listen(
      http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://bare');
        search(url.searchParams.get('deviceId') ?? undefined).then(
          (page) => {
            const body = JSON.stringify(page);
            res.writeHead(200, {
              'Content-Type': 'application/json; charset=utf-8',
              'Content-Length': Buffer.byteLength(body),
            });
            res.end(body);
          },
          () => {
            res.writeHead(500).end();
          },
        );
      }),
    );
  } else if (kind === 'express') {
    const app = express();
    app.get('/api/purchases', async (req, res) => {
      const deviceId = typeof req.query.deviceId === 'string' ? req.query.deviceId : undefined;
      res.json(await search(deviceId));
    });
    listen(http.createServer(app));
  } else if (kind === 'fastify') {
    await startFastify(database);
  } else {
    console.error(`unknown server kind: ${kind}`);
    process.exit(2);
  }
}

void main();
