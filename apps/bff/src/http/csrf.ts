import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

/** Holds the token of a visitor who has not signed in yet, in place of a stored session. */
export const CSRF_COOKIE = 'mp.csrf';

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * csrf-sync's synchroniser tokens, kept in the session once someone has signed in. Before that
 * (the sign-in form needs a token too) the token lives in a cookie signed with the session
 * secret, OWASP's signed double-submit cookie: fetching a token then stores nothing on the
 * server, so anonymous calls cannot fill the session table, and a cookie planted from elsewhere
 * without the secret is not accepted.
 */
export function csrfProtection({ secret, secure }: { secret: string; secure: boolean }) {
  const mac = (token: string) =>
    createHmac('sha256', secret).update(`csrf:${token}`).digest('base64url');

  const anonymousToken = (req: Request): string | undefined => {
    const [token, signature] = (cookieValue(req.headers.cookie, CSRF_COOKIE) ?? '').split('.');
    if (!token || !signature) return undefined;
    const expected = Buffer.from(mac(token));
    const actual = Buffer.from(signature);
    return actual.length === expected.length && timingSafeEqual(actual, expected)
      ? token
      : undefined;
  };

  return csrfSync({
    getTokenFromState: (req) => (req.session.userId ? req.session.csrfToken : anonymousToken(req)),
    storeTokenInState: (req, token) => {
      if (req.session.userId) {
        req.session.csrfToken = token;
      } else if (token) {
        req.res?.cookie(CSRF_COOKIE, `${token}.${mac(token)}`, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/api',
        });
      } else {
        req.res?.clearCookie(CSRF_COOKIE, { path: '/api' });
      }
    },
    errorConfig: {
      statusCode: 403,
      code: 'CSRF_INVALID',
      message: 'The CSRF token is missing or wrong. Reload the page and try again.',
    },
  });
}
