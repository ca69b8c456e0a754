/**
 * Load test of the support search "did this device buy that?" on the large database:
 *
 *   1. the BFF (createApp, signed in as support) under autocannon, 50 connections;
 *   2. baseline: a bare node:http server running the same repo call, same JSON, same load;
 *   3. baseline: the same repo call in a tight loop on better-sqlite3, no HTTP at all;
 *   and, to show where the difference goes, Express 5 alone with that one route, and Fastify 5
 *   doing what the BFF does on this GET (see bench-servers.ts), as a reference for the framework.
 *
 * Prints requests per second and p50/p99 latency of each, and the ratios. Needs the database
 * that `pnpm seed:large` writes (LARGE_DATABASE_PATH, default data/large.sqlite).
 *
 *   BENCH_DURATION=10 BENCH_CONNECTIONS=50 pnpm bench
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { DEMO_PASSWORD } from '../db/seed';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    BENCH_DURATION: z.coerce.number().int().min(1).default(10),
    BENCH_WARMUP: z.coerce.number().int().min(0).default(3),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
  })
  .parse(process.env);

const ORGANISATION_ID = 'org_acme';
const SUPPORT_EMAIL = 'support@acme.example';
const here = path.dirname(fileURLToPath(import.meta.url));

type Figures = { label: string; rps: number; p50: number; p99: number };

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

/** The large database, opened read-only only to check it and choose a device. */
function inspectDatabase(file: string) {
  if (!fs.existsSync(file))
    fail(`No database at ${file}. Run \`pnpm seed:large\` first (it takes about two minutes).`);
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const purchases = db.prepare('SELECT count(*) FROM purchases').pluck().get() as number;
    const devices = db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
    if (purchases < 100_000)
      fail(`${file} holds only ${purchases} purchases. Run \`pnpm seed:large\` to fill it.`);
    // A device from the middle of the history: neither the newest rows nor the oldest.
    const deviceId = db
      .prepare(
        `SELECT device_id FROM purchases WHERE organisation_id = ? AND rowid >= (SELECT max(rowid) / 2 FROM purchases)
         ORDER BY rowid LIMIT 1`,
      )
      .pluck()
      .get(ORGANISATION_ID) as string;
    return { purchases, devices, deviceId };
  } finally {
    db.close();
  }
}

async function startServer(kind: 'bff' | 'bare' | 'express' | 'fastify', file: string) {
  const child: ChildProcess = fork(
    path.join(here, 'bench-servers.ts'),
    [kind, file, ORGANISATION_ID],
    {
      execArgv: ['--import', 'tsx'],
      // The BFF logs every request as in production; the lines go nowhere.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The cookies a response sets, as a Cookie header sends them back. */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/** Signs in as support the way the dashboard does, and returns the session cookie. */
async function signIn(baseUrl: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-CSRF-Token': csrfToken,
      cookie: cookiesOf(csrf),
    },
    body: JSON.stringify({ email: SUPPORT_EMAIL, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) fail(`Signing in as ${SUPPORT_EMAIL} failed: ${login.status}.`);
  return cookiesOf(login);
}

async function load(label: string, url: string, headers: Record<string, string> = {}) {
  const options = { url, headers, connections: env.BENCH_CONNECTIONS };
  if (env.BENCH_WARMUP > 0) await autocannon({ ...options, duration: env.BENCH_WARMUP });
  const result = await autocannon({ ...options, duration: env.BENCH_DURATION });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    fail(
      `${label}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts.`,
    );
  return {
    label,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
  } satisfies Figures;
}

/** The repo call itself, one caller, as fast as it goes: what every request must at least cost. */
function loop(file: string, deviceId: string): Figures {
  const db = new BetterSqlite3(file, { readonly: true });
  const purchases = createPurchasesRepo(db);
  const query = { deviceId, deviceIdMatch: 'exact' as const, limit: 25 };
  const run = () => JSON.stringify(purchases.list(ORGANISATION_ID, query));
  const warmUntil = performance.now() + env.BENCH_WARMUP * 1000;
  while (performance.now() < warmUntil) run();
  const samples: number[] = [];
  const started = performance.now();
  const until = started + env.BENCH_DURATION * 1000;
  for (let now = started; now < until;) {
    run();
    const after = performance.now();
    samples.push(after - now);
    now = after;
  }
  const elapsed = (performance.now() - started) / 1000;
  db.close();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    label: 'better-sqlite3 loop (same repo call + JSON.stringify)',
    rps: samples.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1)).padStart(7);

async function main() {
  const file = path.resolve(env.LARGE_DATABASE_PATH);
  const { purchases, devices, deviceId } = inspectDatabase(file);
  const route = `/api/purchases?deviceId=${encodeURIComponent(deviceId)}`;
  console.log(
    [
      '',
      `  Purchases benchmark: GET ${route}`,
      `  Database: ${file} (${purchases.toLocaleString('en')} purchases, ${devices.toLocaleString('en')} devices)`,
      `  Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `  autocannon: ${env.BENCH_CONNECTIONS} connections, ${env.BENCH_WARMUP} s warm-up, then ${env.BENCH_DURATION} s measured`,
      '',
    ].join('\n'),
  );

  const bff = await startServer('bff', file);
  let bffFigures: Figures;
  let bffBody: unknown;
  try {
    const cookie = await signIn(bff.url);
    bffBody = await (await fetch(`${bff.url}${route}`, { headers: { cookie } })).json();
    bffFigures = await load(
      'BFF (Express 5, helmet, pino-http, session, CSRF, zod)',
      `${bff.url}${route}`,
      {
        cookie,
      },
    );
  } finally {
    await bff.stop();
  }

  const bare = await startServer('bare', file);
  let bareFigures: Figures;
  try {
    const bareBody = await (await fetch(`${bare.url}${route}`)).json();
    if (JSON.stringify(bareBody) !== JSON.stringify(bffBody))
      fail('The bare server and the BFF answer differently; the comparison would mean nothing.');
    bareFigures = await load('bare node:http (same repo call, same JSON)', `${bare.url}${route}`);
  } finally {
    await bare.stop();
  }

  const framework = await startServer('express', file);
  let expressFigures: Figures;
  try {
    expressFigures = await load(
      'reference: Express 5 alone, no middleware (same call)',
      `${framework.url}${route}`,
    );
  } finally {
    await framework.stop();
  }

  const fastify = await startServer('fastify', file);
  let fastifyFigures: Figures;
  try {
    const cookie = cookiesOf(
      await fetch(`${fastify.url}/bench/sign-in`, {
        method: 'POST',
        headers: { 'X-Email': SUPPORT_EMAIL },
      }),
    );
    const fastifyBody = await (
      await fetch(`${fastify.url}${route}`, { headers: { cookie } })
    ).json();
    if (JSON.stringify(fastifyBody) !== JSON.stringify(bffBody))
      fail('The Fastify reference and the BFF answer differently.');
    fastifyFigures = await load(
      'reference: Fastify 5, same log, helmet, session, actor, zod',
      `${fastify.url}${route}`,
      { cookie },
    );
  } finally {
    await fastify.stop();
  }

  const loopFigures = loop(file, deviceId);

  const rows = [bffFigures, bareFigures, loopFigures, expressFigures, fastifyFigures];
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`  ${'what'.padEnd(width)}     req/s   p50 ms   p99 ms`);
  for (const r of rows)
    console.log(
      `  ${r.label.padEnd(width)}  ${Math.round(r.rps).toLocaleString('en').padStart(8)}  ${ms(r.p50)}  ${ms(r.p99)}`,
    );
  const ratio = bffFigures.rps / bareFigures.rps;
  console.log(
    [
      '',
      `  BFF / bare server throughput: ${ratio.toFixed(2)}  (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
      `  BFF / better-sqlite3 loop throughput: ${(bffFigures.rps / loopFigures.rps).toFixed(2)}`,
      `  Express alone / bare server throughput: ${(expressFigures.rps / bareFigures.rps).toFixed(2)}`,
      `  Fastify reference / bare server throughput: ${(fastifyFigures.rps / bareFigures.rps).toFixed(2)}`,
      `  BFF p99: ${bffFigures.p99.toFixed(1)} ms  (target < 20 ms: ${bffFigures.p99 < 20 ? 'met' : 'NOT met'})`,
      `  Load average after the run: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      '',
    ].join('\n'),
  );
}

void main();
