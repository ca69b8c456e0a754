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

export function createAuditRepo(db: Database) {
  const insert = db.prepare(
    `INSERT INTO audit_entries
       (organisation_id, user_id, action, object_type, object_id, details, request_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    record(entry: AuditEntry): void {
      insert.run(
        entry.organisationId,
        entry.userId,
        entry.action,
        entry.objectType,
        entry.objectId ?? null,
        entry.details === undefined ? null : JSON.stringify(entry.details),
        entry.requestId ?? null,
        new Date().toISOString(),
      );
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
