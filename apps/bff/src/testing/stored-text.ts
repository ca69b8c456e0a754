import fs from 'node:fs';
import { sql } from 'kysely';
import type { Database } from '../db/database';

/**
 * Where any of `secrets` is stored in clear: `what: table.column` for each hit, in every column of
 * every table (read through the database itself, so it works on SQLite and PostgreSQL alike).
 */
export async function findStoredInClear(
  database: Database,
  secrets: Record<string, string>,
): Promise<string[]> {
  const db = database.db.withoutPlugins();
  const hits: string[] = [];
  for (const table of await db.introspection.getTables()) {
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(table.name)}`.execute(db);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
        for (const [what, secret] of Object.entries(secrets)) {
          if (text.includes(secret)) hits.push(`${what}: ${table.name}.${column}`);
        }
      }
    }
  }
  return hits;
}

/** Which of `secrets` appear in the bytes of a SQLite file or its write-ahead log. */
export function findInSqliteFile(file: string, secrets: Record<string, string>): string[] {
  const bytes = [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');
  return Object.entries(secrets)
    .filter(([, secret]) => bytes.includes(secret))
    .map(([what]) => what);
}
