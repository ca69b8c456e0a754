import { sql } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../ids';
import type { Database } from './database';
import { createPollLoop, type PollLoop } from '../lib/poll-loop';

/**
 * Work that follows from a change (send a refund to Stripe, put a device into a running rollout)
 * is written as an outbox message in the transaction that makes the change, so it exists if and
 * only if the change does, and survives a crash. A worker on any instance claims due messages
 * (PostgreSQL's SKIP LOCKED keeps two instances off the same one), runs the topic's handler, and
 * retries with growing waits. Handlers must be safe to run more than once: a worker that dies
 * mid-handler leaves its message to be claimed again when the lease ends.
 */
export type OutboxMessage = {
  topic: string;
  payload: Record<string, unknown>;
  /**
   * At most one message per key waits to be claimed: enqueueing the same key again meanwhile
   * does nothing. A claimed message gives its key up, so that a change made while its handler
   * runs (which the handler may not have seen) enqueues the work again.
   */
  dedupeKey?: string;
  /** Not before this time. */
  runAt?: Date;
};

export const OUTBOX_CHANNEL = 'outbox';

/** Writes a message in the caller's transaction; the worker hears of it once that commits. */
export async function enqueue(database: Database, message: OutboxMessage): Promise<void> {
  const now = new Date();
  await database.db
    .insertInto('outbox')
    .values({
      id: newId('obx'),
      topic: message.topic,
      dedupeKey: message.dedupeKey ?? null,
      payload: JSON.stringify(message.payload),
      status: 'pending',
      runAt: (message.runAt ?? now).toISOString(),
      createdAt: now.toISOString(),
      finishedAt: null,
      lastError: null,
    })
    .onConflict((oc) =>
      oc
        .column('dedupeKey')
        // A literal, as in the partial index: neither database matches a bound parameter to it.
        .where('status', '=', sql.lit('pending'))
        .where('dedupeKey', 'is not', null)
        .doNothing(),
    )
    .execute();
  await database.notify(OUTBOX_CHANNEL);
}

export type OutboxHandler = (payload: Record<string, unknown>) => Promise<void>;

export type OutboxWorkerOptions = {
  handlers: Record<string, OutboxHandler>;
  /** How often to look for due messages when nothing wakes the worker sooner. */
  pollIntervalMs?: number;
  /** How long a claimed message is hidden from other workers. */
  leaseMs?: number;
  batchSize?: number;
  /** The wait after each failure; when they run out, the message has failed for good. */
  retryDelaysMs?: number[];
};

export const DEFAULT_OUTBOX_RETRY_DELAYS_MS = [5_000, 30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000];

type Claimed = { id: string; topic: string; payload: string; attempts: number };

export function createOutboxWorker(
  database: Database,
  logger: Logger,
  options: OutboxWorkerOptions,
) {
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 20;
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_OUTBOX_RETRY_DELAYS_MS;

  /** Takes due messages and pushes them past the lease, in one short transaction. */
  const claim = (now: Date): Promise<Claimed[]> =>
    database.transaction(async () => {
      const due = await database
        .forUpdate(
          database.db
            .selectFrom('outbox')
            .select(['id', 'topic', 'payload', 'attempts'])
            .where('status', '=', 'pending')
            .where('runAt', '<=', now.toISOString())
            .orderBy('runAt')
            .orderBy('id')
            .limit(batchSize),
          { skipLocked: true },
        )
        .execute();
      if (due.length > 0) {
        await database.db
          .updateTable('outbox')
          .set({ runAt: new Date(now.getTime() + leaseMs).toISOString(), dedupeKey: null })
          .where(
            'id',
            'in',
            due.map((m) => m.id),
          )
          .execute();
      }
      return due;
    });

  async function settle(message: Claimed, error: unknown): Promise<void> {
    const now = new Date();
    const attempts = message.attempts + 1;
    const delay = retryDelaysMs[attempts - 1];
    const status = error === undefined ? 'done' : delay === undefined ? 'failed' : 'pending';
    await database.db
      .updateTable('outbox')
      .set({
        status,
        attempts,
        runAt:
          status === 'pending' ? new Date(now.getTime() + delay!).toISOString() : now.toISOString(),
        lastError:
          error === undefined ? null : String((error as Error)?.message ?? error).slice(0, 1000),
        finishedAt: status === 'pending' ? null : now.toISOString(),
      })
      .where('id', '=', message.id)
      .execute();
  }

  async function run(message: Claimed, loop: PollLoop): Promise<void> {
    const handler = options.handlers[message.topic];
    let failure: unknown;
    try {
      if (!handler) throw new Error(`no handler for the topic ${message.topic}`);
      await handler(JSON.parse(message.payload) as Record<string, unknown>);
    } catch (error) {
      failure = error ?? new Error('failed');
      logger.warn(
        { err: error, messageId: message.id, topic: message.topic },
        'outbox work failed',
      );
    }
    // Stopping mid-handler leaves the message to its lease rather than count a false failure.
    if (!loop.stopped) await settle(message, failure);
  }

  const loop: PollLoop = createPollLoop(
    async () => {
      for (;;) {
        const due = await claim(new Date());
        if (due.length === 0) return;
        // One at a time: handlers are short, and order within a topic is kept.
        for (const message of due) {
          if (loop.stopped) return;
          await run(message, loop);
        }
        if (due.length < batchSize) return;
      }
    },
    {
      pollIntervalMs,
      onError: (error) => logger.error({ err: error }, 'the outbox worker failed'),
      subscribe: (wake) => database.listen(OUTBOX_CHANNEL, wake),
    },
  );
  return loop;
}
export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
