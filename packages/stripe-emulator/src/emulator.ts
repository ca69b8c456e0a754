import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api-routes';
import { CheckoutStore } from './checkout-store';
import { BodyTooLargeError, sendText } from './http-helpers';
import { handleCheckoutPageRequest } from './hosted-checkout-routes';
import { IdempotencyCache } from './idempotency';
import {
  WebhookDispatcher,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './webhook-dispatcher';

export type EmulatorOptions = {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Base URL browsers use for the hosted checkout page; defaults to `http://localhost:<port>`. */
  publicUrl?: string;
  /** Accepted API keys; by default any key starting with `sk_test_`. */
  secretKeys?: string[];
  webhooks?: WebhookEndpoint[];
  /** Waits between delivery attempts after a failure; one retry per entry. */
  webhookRetryDelaysMs?: number[];
  /** Clock in milliseconds, so tests can move time (session expiry). */
  now?: () => number;
};

export type StripeEmulator = {
  /** The API base, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Same effect as clicking the matching button on the hosted page. */
  completeSession(id: string, outcome: 'succeeded' | 'declined' | 'delayed'): Promise<void>;
  /** Same as typing a promotion code on the hosted page; throws when the code is refused. */
  applyPromotionCode(id: string, code: string): Promise<void>;
  /** Resolves a bank transfer chosen with the `delayed` outcome. */
  settleDelayedPayment(id: string, outcome: 'succeeded' | 'failed'): Promise<void>;
  /** Expires every open session whose `expires_at` has passed (reads also do this lazily). */
  expireAll(): Promise<void>;
  deliveries(): WebhookDelivery[];
  /** Resolves when every delivery attempt already due has finished; later retries are not awaited. */
  flushWebhooks(): Promise<void>;
  /** Replaces the webhook endpoints, e.g. once the receiving server knows its own port. */
  setWebhooks(endpoints: WebhookEndpoint[]): void;
};

const defaultRetryDelaysMs = [1000, 5000, 30000];
/** Stripe expires sessions on its own; this sweep makes the emulator do so without a read. */
const expirySweepMs = 30_000;

export async function startStripeEmulator(options: EmulatorOptions = {}): Promise<StripeEmulator> {
  assertValidOptions(options);
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  let publicUrl = '';

  const dispatcher = new WebhookDispatcher({
    endpoints: options.webhooks ?? [],
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultRetryDelaysMs,
  });
  const store = new CheckoutStore({
    now,
    publicUrl: () => publicUrl,
    pendingWebhooks: () => dispatcher.endpointCount,
    publish: (event) => dispatcher.dispatch(event),
  });
  const api = {
    store,
    idempotency: new IdempotencyCache(now),
    secretKeys: options.secretKeys ?? null,
    now,
  };

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const handled = path.startsWith('/v1/')
      ? handleApiRequest(request, response, api)
      : path.startsWith('/checkout/')
        ? handleCheckoutPageRequest(request, response, store)
        : Promise.resolve(landing(response, path));
    handled.catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendText(response, 413, error.message);
        return;
      }
      console.error('[stripe-emulator] unexpected error', error);
      sendText(response, 500, 'The Stripe emulator failed to handle this request.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  publicUrl = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');

  const sweep = setInterval(() => store.expireDueSessions(), expirySweepMs);
  sweep.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      clearInterval(sweep);
      dispatcher.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close,
    async completeSession(id, outcome) {
      requireKnownSession(store, id);
      const result =
        outcome === 'delayed' ? store.payByBankTransfer(id) : store.payWithCard(id, outcome);
      if (result.kind === 'expired') {
        throw new Error(`Checkout Session ${id} has expired and can no longer be paid.`);
      }
    },
    async applyPromotionCode(id, code) {
      requireKnownSession(store, id);
      const result = store.applyPromotionCode(id, code);
      if (result.kind === 'invalid') throw new Error(result.message);
    },
    async settleDelayedPayment(id, outcome) {
      requireKnownSession(store, id);
      const result = store.settleBankTransfer(id, outcome);
      if (result.kind === 'not_awaiting_transfer') {
        throw new Error(`Checkout Session ${id} is not waiting for a bank transfer.`);
      }
    },
    async expireAll() {
      store.expireDueSessions();
    },
    deliveries: () => dispatcher.deliveries(),
    flushWebhooks: () => dispatcher.flush(),
    setWebhooks(endpoints) {
      assertValidOptions({ webhooks: endpoints });
      dispatcher.setEndpoints(endpoints);
    },
  };
}

function requireKnownSession(store: CheckoutStore, id: string): void {
  if (store.findSession(id) === undefined) throw new Error(`No such checkout.session: '${id}'`);
}

function landing(response: http.ServerResponse, path: string): void {
  if (path === '/') {
    sendText(
      response,
      200,
      'Stripe emulator (test mode). REST API under /v1, hosted checkout pages under /checkout/<session id>.\n',
    );
    return;
  }
  sendText(response, 404, 'Not found');
}

/** Fails fast, listing every problem at once. */
function assertValidOptions(options: EmulatorOptions): void {
  const problems: string[] = [];
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)
  ) {
    problems.push(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (options.publicUrl !== undefined && !isHttpUrl(options.publicUrl)) {
    problems.push(`publicUrl must be an http(s) URL, got "${options.publicUrl}"`);
  }
  for (const [index, endpoint] of (options.webhooks ?? []).entries()) {
    if (!isHttpUrl(endpoint.url)) {
      problems.push(`webhooks[${index}].url must be an http(s) URL, got "${endpoint.url}"`);
    }
    if (endpoint.secret === '') problems.push(`webhooks[${index}].secret must not be empty`);
  }
  for (const delay of options.webhookRetryDelaysMs ?? []) {
    if (!(Number.isFinite(delay) && delay >= 0)) {
      problems.push(`webhookRetryDelaysMs must hold non-negative numbers, got ${delay}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Invalid Stripe emulator options:\n- ${problems.join('\n- ')}`);
  }
}

function isHttpUrl(value: string): boolean {
  const protocol = URL.canParse(value) ? new URL(value).protocol : null;
  return protocol === 'http:' || protocol === 'https:';
}
