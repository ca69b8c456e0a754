import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import { hashToken, newToken } from '../../security/tokens';
import type { AuditRepo } from '../audit/audit.repo';
import type { ApiKeyPrincipal, ApiKeysRepo } from './api-keys.repo';

export type { ApiKeyPrincipal } from './api-keys.repo';

export const KEY_SHAPE = /^mk_(test|live)_[A-Za-z0-9_-]{20,100}$/;

/** last_used_at is written at most this often per key, so that busy keys do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** How much of the secret is kept in clear, to tell keys apart: `mk_test_` and four characters. */
export const shownPrefix = (secret: string) => secret.slice(0, secret.indexOf('_', 3) + 5);

export const invalidApiKey = () =>
  new AppError(
    401,
    'API_KEY_INVALID',
    'Send a valid API key as "Authorization: Bearer mk_test_…" or "mk_live_…".',
  );

const revokedApiKey = () =>
  new AppError(
    401,
    'API_KEY_REVOKED',
    'This API key was revoked. Create a new one in the dashboard.',
  );

/** Providers' API keys: made and revoked by admins in the dashboard, used by providers' servers. */
export function createApiKeysService({
  database,
  apiKeys,
  audit,
}: {
  database: Database;
  apiKeys: ApiKeysRepo;
  audit: AuditRepo;
}) {
  async function keyOf(organisationId: string, id: string): Promise<ApiKey> {
    const key = await apiKeys.find(organisationId, id);
    if (!key) throw notFound('API key');
    return key;
  }

  return {
    list: (actor: Actor) => apiKeys.list(actor.organisationId),

    /** The secret leaves the server once, in this answer; only its hash is kept. */
    async create(
      actor: Actor,
      body: CreateApiKeyRequest,
      requestId: string,
    ): Promise<CreatedApiKey> {
      const secret = newToken(`mk_${body.mode}`, 24);
      const id = newId('key');
      await database.transaction(async () => {
        await apiKeys.insert({
          id,
          organisationId: actor.organisationId,
          mode: body.mode,
          name: body.name,
          prefix: shownPrefix(secret),
          hash: hashToken(secret),
          allowedOrigins: body.allowedOrigins,
          createdBy: actor.userId,
          createdAt: new Date().toISOString(),
        });
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'api_key.create',
          objectType: 'api_key',
          objectId: id,
          details: { name: body.name, mode: body.mode, allowedOrigins: body.allowedOrigins },
          requestId,
        });
      });
      return { ...(await keyOf(actor.organisationId, id)), secret };
    },

    /** Revoking a revoked key changes nothing and records nothing. */
    async revoke(actor: Actor, id: string, requestId: string): Promise<ApiKey> {
      await keyOf(actor.organisationId, id);
      await database.transaction(async () => {
        const at = new Date().toISOString();
        if (!(await apiKeys.revoke(actor.organisationId, id, actor.userId, at))) return;
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'api_key.revoke',
          objectType: 'api_key',
          objectId: id,
          requestId,
        });
      });
      return keyOf(actor.organisationId, id);
    },

    /**
     * The key a provider's server sent, or a 401 saying what is wrong with it. Keys are
     * high-entropy, so they are found by their SHA-256 and never compared in clear.
     */
    async authenticate(secret: string | undefined): Promise<ApiKeyPrincipal> {
      if (!secret || !KEY_SHAPE.test(secret)) throw invalidApiKey();
      const key = await apiKeys.findByHash(hashToken(secret));
      if (!key) throw invalidApiKey();
      if (key.revokedAt) throw revokedApiKey();
      const now = Date.now();
      if (!key.lastUsedAt || now - Date.parse(key.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
        await apiKeys.touch(
          key.id,
          new Date(now).toISOString(),
          new Date(now - LAST_USED_RESOLUTION_MS).toISOString(),
        );
      }
      return {
        id: key.id,
        organisationId: key.organisationId,
        mode: key.mode,
        allowedOrigins: key.allowedOrigins,
        createdBy: key.createdBy,
      };
    },
  };
}
export type ApiKeysService = ReturnType<typeof createApiKeysService>;
