/**
 * A server under test, in a process of its own (started by server-process.ts), so that the load
 * generator and the bench's own work never share its event loop:
 *
 *   bff      the real app (createApp), as in production: helmet, a request log line per request
 *            (to stdout, which the bench discards), the session from the database, CSRF, zod,
 *            and the built dashboard when BENCH_DASHBOARD_DIST names it.
 *   bare     node:http and nothing else: the same repo call for a device search, the same JSON;
 *            no session, no validation, no log.
 *   express  Express 5 alone doing the same work on the same route: zod parses the query, the
 *            repo searches, res.json answers; no middleware, no session.
 *
 * Arguments: the kind and the database (a SQLite file or a postgres:// URL). Reports its port
 * over IPC once it listens; on { type: 'profile', action: 'start' | 'stop', file } it starts or
 * stops V8's CPU profiler (the stop writes the profile to `file`).
 */
import fs from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { purchasesQuerySchema } from '@repo/schemas';
import { createApp } from '../app';
import { openDatabase } from '../db/database';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { benchConfig, benchServices } from './bench-app';
import { BENCH_ORGANISATION_ID } from './bench-settings';

const [kind, where] = process.argv.slice(2) as [string, string];

const config = benchConfig(where);

function listen(server: http.Server) {
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
  });
}

const profiler = new Session();
process.on('message', (message: { type: string; action?: string; file?: string }) => {
  if (message.type !== 'profile') return;
  const done = (error?: unknown) =>
    process.send?.({ type: 'profiled', error: error ? String(error) : undefined });
  if (message.action === 'start') {
    profiler.connect();
    profiler
      .post('Profiler.enable')
      .then(() => profiler.post('Profiler.start'))
      .then(() => done(), done);
  } else {
    profiler
      .post('Profiler.stop')
      .then(({ profile }) => fs.writeFileSync(message.file!, JSON.stringify(profile)))
      .then(() => profiler.disconnect())
      .then(() => done(), done);
  }
});

async function main() {
  const database = await openDatabase(config.database);
  process.on('SIGTERM', () => {
    void database.close().finally(() => process.exit(0));
  });
  const purchases = createPurchasesRepo(database);

  if (kind === 'bff') {
    const { logger, services } = await benchServices(config, database);
    listen(http.createServer(await createApp({ config, database, logger, services })));
  } else if (kind === 'bare') {
    listen(
      http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://bare');
        purchases
          .list(BENCH_ORGANISATION_ID, {
            deviceId: url.searchParams.get('deviceId') ?? undefined,
            deviceIdMatch: 'exact',
            limit: 25,
          })
          .then(
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
    app.set('query parser', 'simple');
    app.get('/api/purchases', async (req, res) => {
      res.json(await purchases.list(BENCH_ORGANISATION_ID, purchasesQuerySchema.parse(req.query)));
    });
    listen(http.createServer(app));
  } else {
    console.error(`unknown server kind: ${kind}`);
    process.exit(2);
  }
}

void main();
