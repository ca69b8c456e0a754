/**
 * Load test of the support search "did this device buy that?" on the large database, on SQLite
 * and, when there is one, on PostgreSQL, each beside baselines measured in the same run:
 *
 *   1. the BFF (createApp, signed in as support) under autocannon, 50 connections;
 *   2. baseline: a bare node:http server running the same repo call, same JSON, same load;
 *   3. baseline: the same repo call in a loop, one call at a time, no HTTP at all;
 *   and, to show where the difference goes, Express 5 alone with that one route, and Fastify 5
 *   doing what the BFF does on this GET (see bench-servers.ts), as a reference for the framework.
 *
 * Prints requests per second and p50/p99 latency of each, and the ratios, per database. Needs
 * the databases that `pnpm seed:large` writes: the SQLite file at LARGE_DATABASE_PATH (default
 * data/large.sqlite) and, for PostgreSQL, the database at LARGE_DATABASE_URL (left out when unset):
 *
 *   pnpm seed:large && LARGE_DATABASE_URL=postgres://…/marketplace_large pnpm seed:large
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large BENCH_DURATION=10 BENCH_CONNECTIONS=50 pnpm bench
 *
 * BENCH_DATABASES=postgres (or sqlite) runs one of the two only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { z } from 'zod';
import { openDatabase, type Database, type DatabaseTarget } from '../db/database';
import { DEMO_PASSWORD } from '../db/seed';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    BENCH_DATABASES: z.enum(['both', 'sqlite', 'postgres']).default('both'),
    BENCH_DURATION: z.coerce.number().int().min(1).default(10),
    BENCH_WARMUP: z.coerce.number().int().min(0).default(3),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
  })
  .parse(process.env);

const ORGANISATION_ID = 'org_acme';
const SUPPORT_EMAIL = 'support@acme.example';
const here = path.dirname(fileURLToPath(import.meta.url));

type Figures = { label: string; rps: number; p50: number; p99: number };
/** `server`: what the servers open, the SQLite file or the postgres:// URL. */
type Subject = { name: string; where: string; server: string; target: DatabaseTarget };

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

/** The large database, checked and asked for a device to search. */
async function inspectDatabase(database: Database, where: string) {
  const { db } = database;
  const count = async (table: 'purchases' | 'devices') =>
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow()
    ).count;
  const [purchases, devices] = [await count('purchases'), await count('devices')];
  if (purchases < 100_000)
    fail(`${where} holds only ${purchases} purchases. Run \`pnpm seed:large\` to fill it.`);
  // A device from the middle of the history: neither the newest purchases nor the oldest.
  const span = await db
    .selectFrom('purchases')
    .select((eb) => [eb.fn.min('createdAt').as('first'), eb.fn.max('createdAt').as('last')])
    .where('organisationId', '=', ORGANISATION_ID)
    .executeTakeFirstOrThrow();
  const middle = new Date((Date.parse(span.first) + Date.parse(span.last)) / 2).toISOString();
  const { deviceId } = await db
    .selectFrom('purchases')
    .select('deviceId')
    .where('organisationId', '=', ORGANISATION_ID)
    .where('createdAt', '>=', middle)
    .orderBy('createdAt')
    .limit(1)
    .executeTakeFirstOrThrow();
  return { purchases, devices, deviceId };
}

async function startServer(kind: 'bff' | 'bare' | 'express' | 'fastify', where: string) {
  const child: ChildProcess = fork(
    path.join(here, 'bench-servers.ts'),
    [kind, where, ORGANISATION_ID],
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

/**
 * The repo call itself, one caller, one call after the other: what every request must at least
 * cost. On PostgreSQL each call waits for a round trip, so this is its latency more than a ceiling
 * on throughput.
 */
async function loop(database: Database, deviceId: string, name: string): Promise<Figures> {
  const purchases = createPurchasesRepo(database);
  const query = { deviceId, deviceIdMatch: 'exact' as const, limit: 25 };
  const run = async () => JSON.stringify(await purchases.list(ORGANISATION_ID, query));
  const warmUntil = performance.now() + env.BENCH_WARMUP * 1000;
  while (performance.now() < warmUntil) await run();
  const samples: number[] = [];
  const started = performance.now();
  const until = started + env.BENCH_DURATION * 1000;
  for (let now = started; now < until;) {
    await run();
    const after = performance.now();
    samples.push(after - now);
    now = after;
  }
  const elapsed = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    label: `${name} loop (same repo call + JSON.stringify, one at a time)`,
    rps: samples.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1)).padStart(7);
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function bench(subject: Subject) {
  const database = await openDatabase(subject.target);
  let inspected: Awaited<ReturnType<typeof inspectDatabase>>;
  try {
    inspected = await inspectDatabase(database, subject.where);
  } catch (error) {
    await database.close();
    throw error;
  }
  const { purchases, devices, deviceId } = inspected;
  const route = `/api/purchases?deviceId=${encodeURIComponent(deviceId)}`;
  const { server } = subject;
  console.log(
    [
      '',
      `  ${subject.name}: GET ${route}`,
      `  Database: ${subject.where} (${purchases.toLocaleString('en')} purchases, ${devices.toLocaleString('en')} devices)`,
      `  Load average before: ${loadAverage()}`,
      '',
    ].join('\n'),
  );

  const bff = await startServer('bff', server);
  let bffFigures: Figures;
  let bffBody: unknown;
  try {
    const cookie = await signIn(bff.url);
    bffBody = await (await fetch(`${bff.url}${route}`, { headers: { cookie } })).json();
    bffFigures = await load(
      'BFF (Express 5, helmet, pino-http, session, CSRF, zod)',
      `${bff.url}${route}`,
      { cookie },
    );
  } finally {
    await bff.stop();
  }

  const bare = await startServer('bare', server);
  let bareFigures: Figures;
  try {
    const bareBody = await (await fetch(`${bare.url}${route}`)).json();
    if (JSON.stringify(bareBody) !== JSON.stringify(bffBody))
      fail('The bare server and the BFF answer differently; the comparison would mean nothing.');
    bareFigures = await load('bare node:http (same repo call, same JSON)', `${bare.url}${route}`);
  } finally {
    await bare.stop();
  }

  const framework = await startServer('express', server);
  let expressFigures: Figures;
  try {
    expressFigures = await load(
      'reference: Express 5 alone, no middleware (same call)',
      `${framework.url}${route}`,
    );
  } finally {
    await framework.stop();
  }

  const fastify = await startServer('fastify', server);
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

  let loopFigures: Figures;
  try {
    loopFigures = await loop(database, deviceId, subject.name);
  } finally {
    await database.close();
  }

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
      `  BFF / repo loop throughput: ${(bffFigures.rps / loopFigures.rps).toFixed(2)}`,
      `  Express alone / bare server throughput: ${(expressFigures.rps / bareFigures.rps).toFixed(2)}`,
      `  Fastify reference / bare server throughput: ${(fastifyFigures.rps / bareFigures.rps).toFixed(2)}`,
      `  BFF p99: ${bffFigures.p99.toFixed(1)} ms  (target < 20 ms: ${bffFigures.p99 < 20 ? 'met' : 'NOT met'})`,
      `  Load average after: ${loadAverage()}`,
    ].join('\n'),
  );
}

async function main() {
  const subjects: Subject[] = [];
  if (env.BENCH_DATABASES !== 'postgres') {
    const file = path.resolve(env.LARGE_DATABASE_PATH);
    if (!fs.existsSync(file))
      fail(`No database at ${file}. Run \`pnpm seed:large\` first (it takes a few minutes).`);
    subjects.push({ name: 'SQLite', where: file, server: file, target: { sqlitePath: file } });
  }
  if (env.BENCH_DATABASES !== 'sqlite') {
    if (env.LARGE_DATABASE_URL) {
      const url = new URL(env.LARGE_DATABASE_URL);
      subjects.push({
        name: 'PostgreSQL',
        where: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
        server: env.LARGE_DATABASE_URL,
        target: { postgresUrl: env.LARGE_DATABASE_URL },
      });
    } else if (env.BENCH_DATABASES === 'postgres') {
      fail('BENCH_DATABASES=postgres needs LARGE_DATABASE_URL (see `pnpm seed:large`).');
    }
  }
  console.log(
    [
      '',
      `  Purchases benchmark on ${subjects.map((s) => s.name).join(' and ')}`,
      `  Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`,
      `  autocannon: ${env.BENCH_CONNECTIONS} connections, ${env.BENCH_WARMUP} s warm-up, then ${env.BENCH_DURATION} s measured`,
    ].join('\n'),
  );
  if (!env.LARGE_DATABASE_URL && env.BENCH_DATABASES === 'both')
    console.log(
      '  (PostgreSQL left out: set LARGE_DATABASE_URL to a database `pnpm seed:large` filled.)',
    );
  for (const subject of subjects) await bench(subject);
  console.log('');
}

void main();
