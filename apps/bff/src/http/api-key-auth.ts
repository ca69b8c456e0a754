import type { RequestHandler } from 'express';
import type { ApiKeyPrincipal, ApiKeysRepo } from '../modules/api-keys/api-keys.repo';
import { hashToken } from '../security/tokens';
import { bearerToken } from './bearer';
import { AppError } from './errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      apiKey?: ApiKeyPrincipal;
    }
  }
}

const KEY_SHAPE = /^mk_(test|live)_[A-Za-z0-9_-]{20,100}$/;

const invalidKey = () =>
  new AppError(
    401,
    'API_KEY_INVALID',
    'Send a valid API key as "Authorization: Bearer mk_test_…" or "mk_live_…".',
  );

/**
 * Authenticates a provider's server by its secret key. Keys are high-entropy, so they are found by
 * their SHA-256 and never compared in clear; the key itself is never logged.
 */
export function requireApiKey(apiKeys: ApiKeysRepo): RequestHandler {
  return (req, res, next) => {
    const secret = bearerToken(req);
    res.setHeader('WWW-Authenticate', 'Bearer realm="storefront-api"');
    if (!secret || !KEY_SHAPE.test(secret)) return next(invalidKey());
    const key = apiKeys.findByHash(hashToken(secret));
    if (!key) return next(invalidKey());
    if (key.revoked)
      return next(
        new AppError(
          401,
          'API_KEY_REVOKED',
          'This API key was revoked. Create a new one in the dashboard.',
        ),
      );
    res.removeHeader('WWW-Authenticate');
    const { revoked: _revoked, ...principal } = key;
    req.apiKey = principal;
    next();
  };
}

export function apiKeyOf(req: { apiKey?: ApiKeyPrincipal }): ApiKeyPrincipal {
  if (!req.apiKey) throw invalidKey();
  return req.apiKey;
}
