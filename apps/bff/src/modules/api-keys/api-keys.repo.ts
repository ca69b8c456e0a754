import type { ApiKey, CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';

type ApiKeyRow = {
  id: string;
  organisationId: string;
  mode: CheckoutMode;
  name: string;
  prefix: string;
  allowedOrigins: string;
  createdBy: string;
  createdByEmail: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** What a request authenticated with an API key acts as. */
export type ApiKeyPrincipal = {
  id: string;
  organisationId: string;
  mode: CheckoutMode;
  allowedOrigins: string[];
  /** The admin who made the key: recorded as the creator of what the key creates. */
  createdBy: string;
};

const COLUMNS = `k.id, k.organisation_id AS organisationId, k.mode, k.name, k.key_prefix AS prefix,
  k.allowed_origins AS allowedOrigins, k.created_by AS createdBy, u.email AS createdByEmail,
  k.created_at AS createdAt, k.last_used_at AS lastUsedAt, k.revoked_at AS revokedAt`;

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  mode: row.mode,
  prefix: row.prefix,
  allowedOrigins: JSON.parse(row.allowedOrigins) as string[],
  createdAt: row.createdAt,
  createdBy: row.createdByEmail,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
});

/** last_used_at is written at most this often per key, so that busy keys do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiKeysRepo(db: Database) {
  const s = {
    insert: db.prepare(
      `INSERT INTO api_keys (id, organisation_id, mode, name, key_prefix, key_hash, allowed_origins,
         created_by, created_at)
       VALUES (@id, @organisationId, @mode, @name, @prefix, @hash, @allowedOrigins, @createdBy, @createdAt)`,
    ),
    list: db.prepare(
      `SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
       WHERE k.organisation_id = ? ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id`,
    ),
    find: db.prepare(
      `SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
       WHERE k.organisation_id = ? AND k.id = ?`,
    ),
    byHash: db.prepare(
      `SELECT id, organisation_id AS organisationId, mode, allowed_origins AS allowedOrigins,
              created_by AS createdBy, revoked_at AS revokedAt, last_used_at AS lastUsedAt
       FROM api_keys WHERE key_hash = ?`,
    ),
    revoke: db.prepare(
      `UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE organisation_id = ? AND id = ?
         AND revoked_at IS NULL`,
    ),
    touch: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?'),
  };

  return {
    insert(key: {
      id: string;
      organisationId: string;
      mode: CheckoutMode;
      name: string;
      prefix: string;
      hash: string;
      allowedOrigins: string[];
      createdBy: string;
      createdAt: string;
    }): void {
      s.insert.run({ ...key, allowedOrigins: JSON.stringify(key.allowedOrigins) });
    },
    list: (organisationId: string) => (s.list.all(organisationId) as ApiKeyRow[]).map(toApiKey),
    find(organisationId: string, id: string): ApiKey | undefined {
      const row = s.find.get(organisationId, id) as ApiKeyRow | undefined;
      return row && toApiKey(row);
    },
    /** The key a secret's hash belongs to, revoked or not, so that the caller can say which. */
    findByHash(hash: string): (ApiKeyPrincipal & { revoked: boolean }) | undefined {
      const row = s.byHash.get(hash) as
        | (Omit<ApiKeyPrincipal, 'allowedOrigins'> & {
            allowedOrigins: string;
            revokedAt: string | null;
            lastUsedAt: string | null;
          })
        | undefined;
      if (!row) return undefined;
      const now = Date.now();
      if (
        !row.revokedAt &&
        (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS)
      )
        s.touch.run(new Date(now).toISOString(), row.id);
      return {
        id: row.id,
        organisationId: row.organisationId,
        mode: row.mode,
        allowedOrigins: JSON.parse(row.allowedOrigins) as string[],
        createdBy: row.createdBy,
        revoked: row.revokedAt !== null,
      };
    },
    revoke: (organisationId: string, id: string, userId: string) =>
      s.revoke.run(new Date().toISOString(), userId, organisationId, id).changes > 0,
  };
}
export type ApiKeysRepo = ReturnType<typeof createApiKeysRepo>;
