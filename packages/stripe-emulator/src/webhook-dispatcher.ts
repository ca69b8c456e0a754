import http from 'node:http';
import https from 'node:https';
import type { EventObject } from './stripe-objects';
import { signWebhookPayload } from './webhook-signature';

export type WebhookEndpoint = { url: string; secret: string };

export type WebhookDelivery = {
  eventId: string;
  type: string;
  url: string;
  /** The endpoint's HTTP status, or null when it could not be reached or timed out. */
  status: number | null;
  attempt: number;
};

export type WebhookDispatcherOptions = {
  endpoints: WebhookEndpoint[];
  retryDelaysMs: number[];
  timeoutMs?: number;
};

const defaultTimeoutMs = 10_000;

/**
 * Sends each event to every endpoint the way Stripe does: a JSON POST signed with the endpoint's
 * secret, off the request path that caused it, retried after a non-2xx answer or a network error.
 * Each retry is signed again with a fresh timestamp, so a slow retry still passes the receiver's
 * tolerance check.
 */
export class WebhookDispatcher {
  private endpoints: WebhookEndpoint[];
  private readonly history: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly openRequests = new Set<http.ClientRequest>();
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.endpoints = [...options.endpoints];
  }

  setEndpoints(endpoints: WebhookEndpoint[]): void {
    this.endpoints = [...endpoints];
  }

  get endpointCount(): number {
    return this.endpoints.length;
  }

  dispatch(event: EventObject): void {
    if (this.closed) return;
    // Stripe sends pretty-printed JSON; receivers must verify the bytes exactly as sent.
    const payload = JSON.stringify(event, null, 2);
    for (const endpoint of this.endpoints) this.startAttempt(endpoint, event, payload, 1);
  }

  deliveries(): WebhookDelivery[] {
    return this.history.map((delivery) => ({ ...delivery }));
  }

  /** Resolves once every attempt that has started or is about to start has finished. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const request of this.openRequests) request.destroy();
  }

  private startAttempt(
    endpoint: WebhookEndpoint,
    event: EventObject,
    payload: string,
    attempt: number,
  ): void {
    const delivery = (async () => {
      // Let the API or page response that caused the event go out first, as at Stripe.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closed) return;
      const status = await this.post(endpoint, payload);
      this.history.push({
        eventId: event.id,
        type: event.type,
        url: endpoint.url,
        status,
        attempt,
      });
      const delivered = status !== null && status >= 200 && status < 300;
      const delay = this.options.retryDelaysMs[attempt - 1];
      if (!delivered && delay !== undefined && !this.closed) {
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.startAttempt(endpoint, event, payload, attempt + 1);
        }, delay);
        this.retryTimers.add(timer);
      }
    })();
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private post(endpoint: WebhookEndpoint, payload: string): Promise<number | null> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(endpoint.url);
      } catch {
        resolve(null);
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      const body = Buffer.from(payload, 'utf8');
      const request = transport.request(url, {
        method: 'POST',
        // A fresh connection per attempt, so no pooled socket outlives `close()`.
        agent: false,
        timeout: this.options.timeoutMs ?? defaultTimeoutMs,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': body.length,
          'Stripe-Signature': signWebhookPayload(payload, endpoint.secret),
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          Accept: '*/*; q=0.5, application/xml',
          'Cache-Control': 'no-cache',
        },
      });
      this.openRequests.add(request);
      const finish = (status: number | null) => {
        this.openRequests.delete(request);
        resolve(status);
      };
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => finish(response.statusCode ?? null));
        response.on('error', () => finish(response.statusCode ?? null));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => finish(null));
      request.end(body);
    });
  }
}
