/**
 * One Idempotency-Key per basket, kept for the tab's lifetime: a double click, a retry, a reload
 * or the Back button from Stripe all reach the same checkout session instead of opening another.
 */
const STORAGE_KEY = 'dashboard.checkoutKeys';
/** The checkout session each basket's key opened, so that its own holds do not block the basket. */
const SESSIONS_KEY = 'dashboard.checkoutSessions';

function read(storageKey = STORAGE_KEY): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(storageKey) ?? '{}');
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
  const { [basketContent]: _endedSession, ...sessions } = read(SESSIONS_KEY);
  window.sessionStorage.setItem(SESSIONS_KEY, JSON.stringify(sessions));
}

/** The open checkout this tab started for a basket: the BFF does not count it against the basket. */
export function rememberCheckoutSession(basketContent: string, checkoutSessionId: string): void {
  const sessions = read(SESSIONS_KEY);
  window.sessionStorage.setItem(
    SESSIONS_KEY,
    JSON.stringify({ ...sessions, [basketContent]: checkoutSessionId }),
  );
}

export function checkoutSessionFor(basketContent: string): string | undefined {
  return read(SESSIONS_KEY)[basketContent];
}
