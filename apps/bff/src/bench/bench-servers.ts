/**
 * The two servers the purchases benchmark loads, each run in a process of its own so that it
 * has a core to itself while autocannon uses the other:
 *
 *   bff      the real app (createApp): helmet, pino-http logging, session from SQLite, CSRF, zod.
 *   bare     node:http and nothing else: no session, no validation, the same repo call and JSON.
 *   express  Express 5 with that one route and no middleware: what the framework alone costs.
 *
 * Started by purchases-bench.ts with the kind and database file as arguments; reports its port
 * over IPC.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createLogger } from '../logger';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { createStripeGateway } from '../stripe/stripe-gateway';

const [kind, databasePath, organisationId] = process.argv.slice(2);
const db = openDatabase(databasePath!);

function listen(server: http.Server) {
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
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
  const app = createApp({ config, db, logger: createLogger(config.logLevel), stripe });
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
} else {
  console.error(`unknown server kind: ${kind}`);
  process.exit(2);
}

process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
