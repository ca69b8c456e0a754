/**
 * The baselines that need no HTTP, in a process of their own (started by baseline-process.ts):
 * the same service calls the BFF's routes make, one after the other on one caller, as the
 * least any request must cost; the CSV export's rows read alone; and a raw insert loop of the
 * rows webhook fulfilment writes. Argument: the database (a SQLite file or a postgres:// URL).
 * Each task arrives over IPC and its result goes back the same way.
 */
import { purchaseFiltersSchema, purchasesQuerySchema } from '@repo/schemas';
import { openDatabase } from '../db/database';
import { benchConfig, benchServices, SUPPORT_ACTOR } from './bench-app';
import { LatencySamples } from './latency-samples';
import { rawFulfilmentLoop } from './webhook-fixtures';

export type BaselineTask =
  | { type: 'calls'; paths: string[]; durationMs: number; warmupMs: number }
  | { type: 'stream'; path: string }
  | { type: 'raw-fulfilment'; checkoutSessionIds: string[] };

export type CallsResult = {
  calls: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
};
export type StreamResult = { rows: number; rowsPerSecond: number };
export type RawFulfilmentResult = { events: number; eventsPerSecond: number };

const [where] = process.argv.slice(2) as [string];
const config = benchConfig(where);
const database = await openDatabase(config.database);
const { services } = await benchServices(config, database);

const queryOf = (path: string) => Object.fromEntries(new URL(path, 'http://bench').searchParams);

/** The service calls of a GET under /api: a purchase list or a purchase's detail, and its JSON. */
function serviceCall(path: string): () => Promise<string> {
  const detail = path.match(/^\/purchases\/(pur_[a-f0-9]+)$/)?.[1];
  if (detail) {
    return async () => {
      await services.refunds.reconcilePurchase(SUPPORT_ACTOR.organisationId, detail);
      return JSON.stringify(await services.purchases.get(SUPPORT_ACTOR, detail));
    };
  }
  const query = purchasesQuerySchema.parse(queryOf(path));
  return async () => JSON.stringify(await services.purchases.list(SUPPORT_ACTOR, query));
}

async function calls(task: Extract<BaselineTask, { type: 'calls' }>): Promise<CallsResult> {
  const each = task.paths.map(serviceCall);
  let next = 0;
  const call = () => each[next++ % each.length]!();
  const warmUntil = performance.now() + task.warmupMs;
  while (performance.now() < warmUntil) await call();
  const samples = new LatencySamples();
  const started = performance.now();
  for (let now = started; now < started + task.durationMs;) {
    await call();
    const after = performance.now();
    samples.add(after - now);
    now = after;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    calls: samples.count,
    callsPerSecond: samples.count / seconds,
    p50: samples.quantile(0.5),
    p99: samples.quantile(0.99),
    p999: samples.quantile(0.999),
  };
}

async function stream(path: string): Promise<StreamResult> {
  const filters = purchaseFiltersSchema.parse(queryOf(path));
  const started = performance.now();
  let rows = 0;
  for await (const _record of services.purchases.exportRows(SUPPORT_ACTOR, filters)) rows += 1;
  return { rows, rowsPerSecond: rows / ((performance.now() - started) / 1000) };
}

async function run(task: BaselineTask): Promise<unknown> {
  switch (task.type) {
    case 'calls':
      return calls(task);
    case 'stream':
      return stream(task.path);
    case 'raw-fulfilment':
      return rawFulfilmentLoop(database, task.checkoutSessionIds);
  }
}

process.on('message', (task: BaselineTask) => {
  run(task).then(
    (result) => process.send?.({ type: 'result', result }),
    (error: unknown) =>
      process.send?.({
        type: 'failure',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
process.on('disconnect', () => {
  void database.close().finally(() => process.exit(0));
});
process.send?.({ type: 'ready' });
