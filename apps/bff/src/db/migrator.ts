import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './dialect';
import * as initial from './migrations/0001-initial';
import * as rollouts from './migrations/0002-rollouts';
import * as insights from './migrations/0003-insights';
import type { MigrationContext } from './migrations/migration-helpers';
import type { DB } from './schema';

type VersionedMigration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the DB type exists
  up(db: Kysely<any>, context: MigrationContext): Promise<void>;
};

/**
 * Every migration, in order. Imported rather than read from a folder, so that the bundle
 * carries them; each gets the dialect, for the few words that differ.
 */
const MIGRATIONS: Record<string, VersionedMigration> = {
  '0001-initial': initial,
  '0002-rollouts': rollouts,
  '0003-insights': insights,
};

export class LegacyDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyDatabaseError';
  }
}

/** Every migration, each given the dialect: for Kysely's Migrator. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, migration]): [string, Migration] => [
          name,
          { up: (migrationDb) => migration.up(migrationDb, { dialect }) },
        ]),
      ),
  };
}

/**
 * Brings the schema up to date, each migration in a transaction. Several instances starting at
 * once on PostgreSQL take turns on Kysely's advisory lock; the first does the work.
 */
export async function migrateToLatest(db: Kysely<DB>, dialect: Dialect): Promise<string[]> {
  await refuseLegacySqlite(db, dialect);
  // Migrations name snake_case columns themselves: no camelCase mapping underneath them.
  const migrator = new Migrator({ db: db.withoutPlugins(), provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Files made before the data layer moved to Kysely kept their own migrations table. Their schema
 * differs in ways an in-place migration cannot mend on SQLite (collations, constraints, triggers),
 * so they are refused with a clear message rather than half used.
 */
async function refuseLegacySqlite(db: Kysely<DB>, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  const { rows } = await sql<{ name: string }>`
    SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'kysely_migration')`.execute(
    db,
  );
  const names = new Set(rows.map((r) => r.name));
  if (names.has('schema_migrations') && !names.has('kysely_migration')) {
    throw new LegacyDatabaseError(
      'This database file was made by an older version of the product. Move it aside (or set DATABASE_PATH to a new file) and start again: a new database is created and seeded.',
    );
  }
}
