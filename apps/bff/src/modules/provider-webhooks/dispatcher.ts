import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import type { Database } from '../../db/database';
import { createPollLoop } from '../../lib/poll-loop';
import { webhookSecretContext, type SecretBox } from '../../security/secret-box';
import { PROVIDER_WEBHOOKS_CHANNEL } from './provider-events';
import {
  createWebhookDeliveriesRepo,
  type ClaimedDelivery,
  type DeliveryOutcome,
} from './webhook-deliveries.repo';
import { createWebhookPost } from './webhook-http';
import { SIGNATURE_HEADER, signPayload } from './webhook-signature';

export type DispatcherOptions = {
  /** The wait after each failed try; when they run out, the delivery has failed. */
  retryDelaysMs?: number[];
  /** How often to look for due deliveries when nothing wakes the dispatcher sooner. */
  pollIntervalMs?: number;
  /** How long one request may take. */
  timeoutMs?: number;
  /**
   * How long a claimed delivery is hidden from every dispatcher (on any instance); a crash makes
   * it due again after.
   */
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

const MIN_WAIT_MS = 10;

type Attempt = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number };

/**
 * Delivers providers' events: signs each with its endpoint's secret, retries with backoff, and
 * records every try. It runs beside the request path on every instance (requests only write
 * rows), claims what is due so that no two instances send the same delivery at once, wakes when
 * any instance records an event, and stops cleanly, abandoning in-flight requests to their lease.
 */
export function createProviderWebhookDispatcher(
  database: Database,
  logger: Logger,
  secrets: SecretBox,
  options: DispatcherOptions = {},
) {
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const pollIntervalMs = options.pollIntervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 2);
  const batchSize = options.batchSize ?? 20;
  const deliveries = createWebhookDeliveriesRepo(database);
  const post = createWebhookPost({
    allowPrivateAddresses: options.allowPrivateAddresses ?? false,
    ...(options.lookup && { lookup: options.lookup }),
  });
  let inFlight = new AbortController();

  async function send(delivery: ClaimedDelivery): Promise<Attempt> {
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

  function outcomeOf(delivery: ClaimedDelivery, attempt: Attempt, at: number): DeliveryOutcome {
    const delay = retryDelaysMs[delivery.attempts];
    const status = attempt.ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    return {
      status,
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
      nextAttemptAt: status === 'pending' ? new Date(at + delay!).toISOString() : null,
    };
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const attempt = await send(delivery);
    // Stopping mid-request: leave the delivery to its lease rather than count a false failure.
    if (loop.stopped) return;
    const at = Date.now();
    await deliveries.record(delivery, outcomeOf(delivery, attempt, at), new Date(at).toISOString());
    if (!attempt.ok)
      logger.warn(
        { deliveryId: delivery.id, eventId: delivery.eventId, error: attempt.error },
        'webhook delivery failed',
      );
  }

  const loop = createPollLoop(
    async () => {
      for (;;) {
        const now = Date.now();
        const due = await deliveries.claimDue(
          new Date(now).toISOString(),
          new Date(now + leaseMs).toISOString(),
          batchSize,
        );
        if (due.length === 0) return;
        // The network is called outside any transaction: each outcome is recorded in its own.
        await Promise.all(due.map(deliver));
        if (loop.stopped || due.length < batchSize) return;
      }
    },
    {
      // Sooner than the poll interval when a retry falls due before it.
      pollIntervalMs: async () => {
        const next = await deliveries.nextDueAt();
        const untilDue = next ? Math.max(0, Date.parse(next) - Date.now()) : pollIntervalMs;
        // Never quite 0: rows another instance is claiming right now are due but not claimable.
        return Math.max(MIN_WAIT_MS, Math.min(untilDue, pollIntervalMs));
      },
      onError: (error) => logger.error({ err: error }, 'webhook dispatcher failed'),
      subscribe: (wakeUp) => database.listen(PROVIDER_WEBHOOKS_CHANNEL, wakeUp),
      onStop: () => inFlight.abort(),
    },
  );

  return {
    get stopped() {
      return loop.stopped;
    },
    start(): void {
      if (!loop.stopped) return;
      inFlight = new AbortController();
      loop.start();
    },
    /** Stops polling, aborts requests in flight, and resolves once the current round is over. */
    stop: () => loop.stop(),
    /** Looks for due deliveries now, e.g. after a resend. */
    wakeUp: () => loop.wakeUp(),
    /** Resolves when nothing is due right now; for tests and for shutdown ordering. */
    idle: () => loop.idle(),
  };
}
export type ProviderWebhookDispatcher = ReturnType<typeof createProviderWebhookDispatcher>;
