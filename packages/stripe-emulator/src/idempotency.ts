import { invalidRequest, StripeError } from './stripe-error';

type StoredResponse = { fingerprint: string; status: number; body: string; storedAt: number };

export type IdempotencyLookup = { kind: 'miss' } | { kind: 'replay'; status: number; body: string };

/** Stripe forgets idempotency keys after 24 hours. */
const retentionMs = 24 * 60 * 60 * 1000;
const maximumKeyLength = 255;

/**
 * Stripe's idempotency: the first successful answer to a key is replayed for every later request
 * with the same key and the same parameters; the same key with other parameters is refused.
 * Requests that fail validation are not remembered, so a corrected retry can reuse its key.
 * Keys are scoped to the API key, as they are scoped to the account at Stripe.
 */
export class IdempotencyCache {
  private readonly responses = new Map<string, StoredResponse>();

  constructor(private readonly now: () => number) {}

  lookup(apiKey: string, idempotencyKey: string, fingerprint: string): IdempotencyLookup {
    if (idempotencyKey.length > maximumKeyLength) {
      throw invalidRequest(
        `Idempotency key must be ${maximumKeyLength} characters or fewer.`,
        undefined,
        'idempotency_key_too_long',
      );
    }
    this.forgetExpired();
    const stored = this.responses.get(cacheKey(apiKey, idempotencyKey));
    if (stored === undefined) return { kind: 'miss' };
    if (stored.fingerprint !== fingerprint) {
      throw new StripeError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      );
    }
    return { kind: 'replay', status: stored.status, body: stored.body };
  }

  remember(
    apiKey: string,
    idempotencyKey: string,
    fingerprint: string,
    status: number,
    body: string,
  ): void {
    this.responses.set(cacheKey(apiKey, idempotencyKey), {
      fingerprint,
      status,
      body,
      storedAt: this.now(),
    });
  }

  private forgetExpired(): void {
    const oldest = this.now() - retentionMs;
    for (const [key, stored] of this.responses) {
      if (stored.storedAt < oldest) this.responses.delete(key);
    }
  }
}

function cacheKey(apiKey: string, idempotencyKey: string): string {
  return `${apiKey}\u0000${idempotencyKey}`;
}

/** The request's identity for idempotency: method, path and parameters in a stable order. */
export function requestFingerprint(method: string, path: string, params: unknown): string {
  return JSON.stringify([method, path, sortKeys(params)]);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]);
  }
  return value;
}
