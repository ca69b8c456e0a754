import type { Database } from '../../db/database';

export type AuditEntry = {
  organisationId: string | null;
  userId: string | null;
  action: string;
  objectType: string;
  objectId?: string | null;
  details?: unknown;
  requestId?: string;
};

/** Who did what, when, to which object: written in the transaction of the change it records. */
export function createAuditRepo(database: Database) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      await database.db
        .insertInto('auditEntries')
        .values({
          organisationId: entry.organisationId,
          userId: entry.userId,
          action: entry.action,
          objectType: entry.objectType,
          objectId: entry.objectId ?? null,
          details: entry.details === undefined ? null : JSON.stringify(entry.details),
          requestId: entry.requestId ?? null,
          createdAt: new Date().toISOString(),
        })
        .execute();
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
