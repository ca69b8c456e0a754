import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

/** Beside this module in the source tree, and beside the bundle in dist/. */
const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export function openDatabase(file: string): Database {
  if (file !== ':memory:') restrictToOwner(file);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Only the server's user may read the file: it holds hashes, sealed secrets and customers' data.
 * SQLite creates the -wal and -shm files with the database file's mode, so they follow; files
 * made by an older version are narrowed here too.
 */
function restrictToOwner(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}

/** Applies every numbered SQL file not yet applied, each in its own transaction, in order. */
export function migrate(db: Database, dir = migrationsDir): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d+-[\w-]+\.sql$/.test(f))
    .sort();
  const ran: string[] = [];
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    if (applied.has(version)) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        version,
        file,
        new Date().toISOString(),
      );
    })();
    ran.push(file);
  }
  return ran;
}

/**
 * A second, read-only connection to the same file, for a long read (an export) that must not keep
 * the main connection busy. In WAL mode it reads one consistent snapshot while writes go on.
 */
export function openReader(db: Database): Database {
  const reader = new BetterSqlite3(db.name, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  return reader;
}
