import type { ApiKey, CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Row } from '../../db/schema';

/** What a request authenticated with an API key acts as. */
export type ApiKeyPrincipal = {
  id: string;
  organisationId: string;
  mode: CheckoutMode;
  allowedOrigins: string[];
  /** The admin who made the key: recorded as the creator of what the key creates. */
  createdBy: string;
};

export type NewApiKey = {
  id: string;
  organisationId: string;
  mode: CheckoutMode;
  name: string;
  prefix: string;
  hash: string;
  allowedOrigins: string[];
  createdBy: string;
  createdAt: string;
};

const parseOrigins = (json: string) => JSON.parse(json) as string[];

type KeyRow = Pick<
  Row<'apiKeys'>,
  'id' | 'name' | 'mode' | 'keyPrefix' | 'allowedOrigins' | 'createdAt' | 'lastUsedAt' | 'revokedAt'
> & { createdByEmail: string | null };

const toApiKey = (row: KeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  mode: row.mode,
  prefix: row.keyPrefix,
  allowedOrigins: parseOrigins(row.allowedOrigins),
  createdAt: row.createdAt,
  createdBy: row.createdByEmail,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
});

export function createApiKeysRepo(database: Database) {
  const keysOfOrg = (organisationId: string) =>
    database.db
      .selectFrom('apiKeys as k')
      .leftJoin('users as u', 'u.id', 'k.createdBy')
      .select([
        'k.id',
        'k.name',
        'k.mode',
        'k.keyPrefix',
        'k.allowedOrigins',
        'k.createdAt',
        'u.email as createdByEmail',
        'k.lastUsedAt',
        'k.revokedAt',
      ])
      .where('k.organisationId', '=', organisationId);

  return {
    async insert(key: NewApiKey): Promise<void> {
      await database.db
        .insertInto('apiKeys')
        .values({
          id: key.id,
          organisationId: key.organisationId,
          mode: key.mode,
          name: key.name,
          keyPrefix: key.prefix,
          keyHash: key.hash,
          allowedOrigins: JSON.stringify(key.allowedOrigins),
          createdBy: key.createdBy,
          createdAt: key.createdAt,
        })
        .execute();
    },

    /** Keys in use first, newest first. */
    async list(organisationId: string): Promise<ApiKey[]> {
      const rows = await keysOfOrg(organisationId)
        .orderBy((eb) => eb.case().when('k.revokedAt', 'is', null).then(0).else(1).end())
        .orderBy('k.createdAt', 'desc')
        .orderBy('k.id')
        .execute();
      return rows.map(toApiKey);
    },

    async find(organisationId: string, id: string): Promise<ApiKey | undefined> {
      const row = await keysOfOrg(organisationId).where('k.id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },

    /** The key a secret's hash belongs to, revoked or not, so that the caller can say which. */
    async findByHash(
      hash: string,
    ): Promise<
      (ApiKeyPrincipal & { revokedAt: string | null; lastUsedAt: string | null }) | undefined
    > {
      const row = await database.db
        .selectFrom('apiKeys')
        .select([
          'id',
          'organisationId',
          'mode',
          'allowedOrigins',
          'createdBy',
          'revokedAt',
          'lastUsedAt',
        ])
        .where('keyHash', '=', hash)
        .executeTakeFirst();
      return row && { ...row, allowedOrigins: parseOrigins(row.allowedOrigins) };
    },

    /** Notes a use, unless one was noted since `notedSince`: busy keys do not write on every call. */
    async touch(id: string, at: string, notedSince: string): Promise<void> {
      await database.db
        .updateTable('apiKeys')
        .set({ lastUsedAt: at })
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', notedSince)]))
        .execute();
    },

    /** False when the key was already revoked (or is not the organisation's). */
    async revoke(organisationId: string, id: string, userId: string, at: string): Promise<boolean> {
      const result = await database.db
        .updateTable('apiKeys')
        .set({ revokedAt: at, revokedBy: userId })
        .where('organisationId', '=', organisationId)
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
export type ApiKeysRepo = ReturnType<typeof createApiKeysRepo>;
