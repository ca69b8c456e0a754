import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import type { Database } from '../../db/database';
import { webhookSecretContext, type SecretBox } from '../../security/secret-box';
import { onProviderEventRecorded } from './provider-events';
import { createWebhookPost } from './webhook-http';
import { SIGNATURE_HEADER, signPayload } from './webhook-signature';

export type DispatcherOptions = {
  /** The wait after each failed try; when they run out, the delivery has failed. */
  retryDelaysMs?: number[];
  /** How often to look for due deliveries when nothing wakes the dispatcher sooner. */
  pollIntervalMs?: number;
  /** How long one request may take. */
  timeoutMs?: number;
  /** How long a claimed delivery is hidden from other ticks; a crash makes it due again after. */
  leaseMs?: number;
  batchSize?: number;
  /** Deliver to endpoints on this machine or a private network (development and tests only). */
  allowPrivateAddresses?: boolean;
  /** The resolver for endpoints' names; tests give names odd addresses with it. */
  lookup?: LookupFunction;
};

/** 1 try and 6 retries over about a day, as receivers are sometimes down for hours. */
export const DEFAULT_RETRY_DELAYS_MS = [
  30_000,
  2 * 60_000,
  10 * 60_000,
  60 * 60_000,
  6 * 60 * 60_000,
  18 * 60 * 60_000,
];

type DueDelivery = {
  id: string;
  attempts: number;
  endpointId: string;
  url: string;
  /** Sealed with the secrets key, as stored. */
  secret: string;
  eventId: string;
  eventType: string;
  payload: string;
};

/**
 * What the provider may read about a failed try: no internal address or network detail, only
 * the kind of failure.
 */
function failureReason(error: unknown, timeoutMs: number): string {
  const { name, message, code, cause } = error as Error & { code?: string; cause?: Error };
  if (name === 'TimeoutError' || cause?.name === 'TimeoutError')
    return `No answer within ${timeoutMs / 1000} s.`;
  if (/is not allowed/.test(message)) return 'The endpoint is not on a public internet address.';
  return `Could not reach the endpoint${code ? ` (${code})` : ''}.`;
}

type Outcome = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number };

/**
 * Delivers the outbox: signs each event with its endpoint's secret, retries with backoff, and
 * records every try. It runs beside the request path (requests only write rows), picks up
 * whatever is due when it starts, and stops cleanly, abandoning in-flight requests to their lease.
 */
export function createProviderWebhookDispatcher(
  db: Database,
  logger: Logger,
  secrets: SecretBox,
  options: DispatcherOptions = {},
) {
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const pollIntervalMs = options.pollIntervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 2);
  const batchSize = options.batchSize ?? 20;
  const post = createWebhookPost({
    allowPrivateAddresses: options.allowPrivateAddresses ?? false,
    ...(options.lookup && { lookup: options.lookup }),
  });

  const s = {
    due: db.prepare(
      `SELECT d.id, d.attempts, e.id AS endpointId, e.url, e.secret, d.event_id AS eventId, p.type AS eventType, p.payload
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN provider_events p ON p.id = d.event_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.disabled_at IS NULL
       ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    ),
    claim: db.prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`,
    ),
    nextDue: db
      .prepare(`SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'`)
      .pluck(),
    attempt: db.prepare(
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, status_code, error, duration_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    // Only a delivery still pending takes the outcome: disabling the endpoint meanwhile ended it.
    finish: db.prepare(
      `UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1,
         next_attempt_at = @nextAttemptAt, last_attempt_at = @now, last_status_code = @statusCode,
         last_error = @error, completed_at = CASE WHEN @status = 'pending' THEN NULL ELSE @now END
       WHERE id = @id AND status = 'pending'`,
    ),
  };

  const claimDue = db.transaction((now: number): DueDelivery[] => {
    const due = s.due.all(new Date(now).toISOString(), batchSize) as DueDelivery[];
    const leaseUntil = new Date(now + leaseMs).toISOString();
    for (const delivery of due) s.claim.run(leaseUntil, delivery.id);
    return due;
  });

  const record = db.transaction((delivery: DueDelivery, outcome: Outcome, at: number) => {
    const now = new Date(at).toISOString();
    s.attempt.run(delivery.id, now, outcome.statusCode, outcome.error, outcome.durationMs);
    const attempts = delivery.attempts + 1;
    const delay = retryDelaysMs[attempts - 1];
    const status = outcome.ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    s.finish.run({
      id: delivery.id,
      status,
      nextAttemptAt: status === 'pending' ? new Date(at + delay!).toISOString() : null,
      now,
      statusCode: outcome.statusCode,
      error: outcome.error,
    });
  });

  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let inFlight = new AbortController();
  let unsubscribe: (() => void) | undefined;

  async function deliver(delivery: DueDelivery): Promise<Outcome> {
    const started = Date.now();
    try {
      const status = await post(delivery.url, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'DeviceMarketplace-Webhooks/1.0',
          'Marketplace-Event-Id': delivery.eventId,
          'Marketplace-Event-Type': delivery.eventType,
          [SIGNATURE_HEADER]: signPayload(
            delivery.payload,
            secrets.open(delivery.secret, webhookSecretContext(delivery.endpointId)),
          ),
        },
        body: delivery.payload,
        signal: AbortSignal.any([inFlight.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const ok = status >= 200 && status < 300;
      return {
        ok,
        statusCode: status,
        error: ok ? null : `The endpoint answered ${status}.`,
        durationMs: Date.now() - started,
      };
    } catch (error) {
      return {
        ok: false,
        statusCode: null,
        error: failureReason(error, timeoutMs),
        durationMs: Date.now() - started,
      };
    }
  }

  async function runOnce(): Promise<void> {
    for (;;) {
      const due = claimDue(Date.now());
      if (due.length === 0) return;
      await Promise.all(
        due.map(async (delivery) => {
          const outcome = await deliver(delivery);
          // Stopping mid-request: leave the delivery to its lease rather than count a false failure.
          if (stopped) return;
          record(delivery, outcome, Date.now());
          if (!outcome.ok)
            logger.warn(
              { deliveryId: delivery.id, eventId: delivery.eventId, error: outcome.error },
              'webhook delivery failed',
            );
        }),
      );
      if (stopped || due.length < batchSize) return;
    }
  }

  function schedule(): void {
    clearTimeout(timer);
    if (stopped) return;
    const next = s.nextDue.get() as string | null;
    const untilDue = next ? Math.max(0, Date.parse(next) - Date.now()) : pollIntervalMs;
    timer = setTimeout(tick, Math.min(untilDue, pollIntervalMs));
    timer.unref();
  }

  function tick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = runOnce()
      .catch((error: unknown) => logger.error({ err: error }, 'webhook dispatcher failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          tick();
        } else schedule();
      });
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      inFlight = new AbortController();
      unsubscribe = onProviderEventRecorded(db, tick);
      tick();
    },
    /** Stops polling, aborts requests in flight, and resolves once the current tick is over. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      inFlight.abort();
      await running;
    },
    /** Looks for due deliveries now, e.g. after a resend. */
    wakeUp: tick,
    /** Resolves when nothing is due right now; for tests and for shutdown ordering. */
    async idle(): Promise<void> {
      while (running || (!stopped && claimableNow())) {
        if (!running) tick();
        await running;
      }
    },
  };

  function claimableNow(): boolean {
    const next = s.nextDue.get() as string | null;
    return next !== null && Date.parse(next) <= Date.now();
  }
}
export type ProviderWebhookDispatcher = ReturnType<typeof createProviderWebhookDispatcher>;
