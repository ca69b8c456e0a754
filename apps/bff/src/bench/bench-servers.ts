/**
 * The two servers the purchases benchmark loads, each run in a process of its own so that it
 * has a core to itself while autocannon uses the other:
 *
 *   bff      the real app (createApp): helmet, pino-http logging, session from SQLite, CSRF, zod.
 *   bare     node:http and nothing else: no session, no validation, the same repo call and JSON.
 *   express  Express 5 with that one route and no middleware: what the framework alone costs.
 *   fastify  a reference for choosing the framework: Fastify 5 with what the BFF does on this
 *            GET (request id, one log line, helmet, the same session store and cookie, the
 *            actor lookup, zod, the same service call). CSRF checks no GET, so it is left out;
 *            a bench-only route signs in.
 *
 * Started by purchases-bench.ts with the kind and database file as arguments; reports its port
 * over IPC.
 */
import { randomUUID } from 'node:crypto';
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
import { openDatabase } from '../db/database';
import { createLogger } from '../logger';
import type { Actor } from '../http/auth';
import { SqliteSessionStore } from '../http/session-store';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { createPurchasesService } from '../modules/purchases/purchases.service';
import { loadSecretsKey, openSecretBox } from '../security/secret-box';
import { createStripeGateway } from '../stripe/stripe-gateway';

declare module 'fastify' {
  interface Session {
    userId?: string;
  }
}

const [kind, databasePath, organisationId] = process.argv.slice(2);
const db = openDatabase(databasePath!);

function listen(server: http.Server) {
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
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

async function startFastify() {
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
    store: new SqliteSessionStore(db),
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, path: '/' },
  });
  const findUser = db.prepare(
    'SELECT id AS userId, email, role, organisation_id AS organisationId FROM users WHERE id = ?',
  );
  const purchases = createPurchasesService({ db });
  const findUserId = db.prepare('SELECT id FROM users WHERE email = ?').pluck();
  app.post('/bench/sign-in', (req, reply) => {
    const userId = findUserId.get(req.headers['x-email']) as string | undefined;
    if (!userId) return reply.code(404).send({ error: { code: 'USER_NOT_FOUND' } });
    req.session.set('userId', userId);
    return reply.send({ signedIn: true });
  });
  app.get('/api/purchases', (req, reply) => {
    const userId = req.session.get('userId');
    const actor = userId ? (findUser.get(userId) as Actor | undefined) : undefined;
    if (!actor) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED' } });
    const query = purchasesQuerySchema.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: { code: 'VALIDATION_FAILED' } });
    return reply.send(purchases.list(actor, query.data));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: (app.server.address() as AddressInfo).port });
}

if (kind === 'bff') {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_PATH: databasePath,
    DASHBOARD_DIST: '/nonexistent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  // Never called by the route under test; present because the app needs a gateway.
  const stripe = createStripeGateway({
    test: {
      secretKey: 'sk_test_bench',
      webhookSecret: 'whsec_bench',
      apiUrl: 'http://127.0.0.1:9',
    },
  });
  const app = createApp({
    config,
    db,
    logger: createLogger(config.logLevel),
    stripe,
    secrets: openSecretBox(db, loadSecretsKey(config.secretsKey, config.databasePath)),
  });
  listen(http.createServer(app));
} else if (kind === 'bare') {
  const purchases = createPurchasesRepo(db);
  listen(
    http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://bare');
      const deviceId = url.searchParams.get('deviceId') ?? undefined;
      const page = purchases.list(organisationId!, { deviceId, deviceIdMatch: 'exact', limit: 25 });
      const body = JSON.stringify(page);
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    }),
  );
} else if (kind === 'express') {
  const purchases = createPurchasesRepo(db);
  const app = express();
  app.get('/api/purchases', (req, res) => {
    const deviceId = typeof req.query.deviceId === 'string' ? req.query.deviceId : undefined;
    res.json(purchases.list(organisationId!, { deviceId, deviceIdMatch: 'exact', limit: 25 }));
  });
  listen(http.createServer(app));
} else if (kind === 'fastify') {
  void startFastify();
} else {
  console.error(`unknown server kind: ${kind}`);
  process.exit(2);
}

process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
