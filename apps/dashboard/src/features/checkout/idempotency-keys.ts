/**
 * One Idempotency-Key per basket, kept for the tab's lifetime: a double click, a retry, a reload
 * or the Back button from Stripe all reach the same checkout session instead of opening another.
 */
const STORAGE_KEY = 'dashboard.checkoutKeys';

function read(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function idempotencyKeyFor(basketContent: string): { key: string; reused: boolean } {
  const keys = read();
  const existing = keys[basketContent];
  if (existing) return { key: existing, reused: true };
  const key = crypto.randomUUID();
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ ...keys, [basketContent]: key }));
  return { key, reused: false };
}

/** The session behind this key has ended (paid, cancelled, expired): the next try starts afresh. */
export function forgetIdempotencyKey(basketContent: string): void {
  const { [basketContent]: _ended, ...rest } = read();
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(rest));
}
