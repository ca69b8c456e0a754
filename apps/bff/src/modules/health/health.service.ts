import { sql } from 'kysely';
import type { Database } from '../../db/database';
import { AppError } from '../../http/errors';

export function createHealthService(database: Database) {
  return {
    /** Answers once the database does. */
    async check(): Promise<{ status: 'ok' }> {
      try {
        await sql`SELECT 1`.execute(database.db);
      } catch {
        throw new AppError(503, 'DATABASE_UNAVAILABLE', 'The database does not answer.');
      }
      return { status: 'ok' };
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
