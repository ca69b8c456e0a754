import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../dialect';

export type MigrationContext = { dialect: Dialect };

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run before the DB type exists */

/**
 * The few places where the two databases need different words for the same schema:
 * - Text compares byte by byte on both: SQLite's BINARY collation, PostgreSQL's "C". Without it,
 *   PostgreSQL would sort and compare ids and names by the server's locale, and a device-ID
 *   prefix searched as a range would not match what SQLite finds.
 * - SQLite tables are STRICT, so a value of the wrong type is refused there as on PostgreSQL.
 * - 64-bit integers (epoch milliseconds) are `bigint` on PostgreSQL; SQLite's INTEGER is 64-bit.
 * - Append-only logs number their rows: SQLite's rowid, PostgreSQL's identity column.
 */
export function columnTypes(dialect: Dialect) {
  const postgres = dialect === 'postgres';
  return {
    text: postgres ? sql`text collate "C"` : sql`text`,
    integer: sql`integer`,
    bigint: postgres ? sql`bigint` : sql`integer`,
    finish: <T extends string>(builder: CreateTableBuilder<T, never>) =>
      postgres ? builder : builder.modifyEnd(sql`strict`),
    serialIdTable: <T extends string>(builder: CreateTableBuilder<T, never>) =>
      postgres
        ? builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : builder.addColumn('id', 'integer', (c) => c.primaryKey()),
  };
}

/** Makes a log append-only: no update or delete ever succeeds, whoever tries. */
export async function refuseChanges(db: Kysely<any>, dialect: Dialect, table: string) {
  const message = `${table.replaceAll('_', ' ')} are append-only`;
  if (dialect === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% are append-only', replace(TG_TABLE_NAME, '_', ' '); END $$`.execute(
      db,
    );
    await sql`CREATE TRIGGER ${sql.id(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`.execute(db);
    return;
  }
  for (const event of ['UPDATE', 'DELETE'] as const) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_${event.toLowerCase()}`)} BEFORE ${sql.raw(event)} ON ${sql.table(table)}
      BEGIN SELECT RAISE(ABORT, ${sql.lit(message)}); END`.execute(db);
  }
}
