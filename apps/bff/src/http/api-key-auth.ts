import type { RequestHandler } from 'express';
import {
  invalidApiKey,
  type ApiKeyPrincipal,
  type ApiKeysService,
} from '../modules/api-keys/api-keys.service';
import { bearerToken } from './bearer';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      apiKey?: ApiKeyPrincipal;
    }
  }
}

/**
 * Authenticates a provider's server by its secret key (`Authorization: Bearer mk_…`); the key
 * itself is never logged. A refusal answers 401 with a challenge naming the API.
 */
export function requireApiKey(apiKeys: Pick<ApiKeysService, 'authenticate'>): RequestHandler {
  return async (req, res, next) => {
    res.setHeader('WWW-Authenticate', 'Bearer realm="storefront-api"');
    req.apiKey = await apiKeys.authenticate(bearerToken(req));
    res.removeHeader('WWW-Authenticate');
    next();
  };
}

export function apiKeyOf(req: { apiKey?: ApiKeyPrincipal }): ApiKeyPrincipal {
  if (!req.apiKey) throw invalidApiKey();
  return req.apiKey;
}
