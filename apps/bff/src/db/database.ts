import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CamelCasePlugin,
  Kysely,
  sql,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type SelectQueryBuilder,
  type SqliteDatabase,
  type SqliteStatement,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Dialect } from './dialect';
import { migrateToLatest } from './migrator';
import type { DB } from './schema';

export type { Dialect } from './dialect';

/** Where the data lives: a SQLite file (the embedded default) or a PostgreSQL server. */
export type DatabaseTarget = { sqlitePath: string } | { postgresUrl: string; poolSize?: number };

/**
 * The one handle every repo and service gets. Repos run their queries on `db`, which is the
 * current transaction's connection inside `transaction()` and the pool outside it; services
 * decide where transactions begin and end. Nothing above the repos knows which database it is.
 */
export type Database = {
  readonly dialect: Dialect;
  /** The executor for the current transaction, or the pool outside one. */
  readonly db: Kysely<DB>;
  /**
   * Runs `work` in one transaction, or in the caller's when one is already open (it joins).
   * On PostgreSQL a deadlock or serialization failure runs `work` again, up to a few times,
   * so `work` must do nothing but database work and callbacks given to `afterCommit`.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `callback` once the current transaction has committed (at once outside one). */
  afterCommit(callback: () => void): void;
  /**
   * Locks the rows a select reads until the transaction ends, so that two instances deciding
   * from the same row take turns. SQLite runs one transaction at a time already.
   */
  forUpdate<O, T extends keyof DB & string>(
    query: SelectQueryBuilder<DB, T, O>,
    options?: { skipLocked?: boolean },
  ): SelectQueryBuilder<DB, T, O>;
  /**
   * Rows of a long read one at a time, on a connection of their own: on SQLite a read-only
   * connection opened for it (the main one would be busy for as long as the reader reads),
   * on PostgreSQL a cursor.
   */
  stream<R>(read: (db: Kysely<DB>) => AsyncIterable<R>): AsyncIterable<R>;
  /**
   * Wakes whoever listens on `channel`, in this process and (PostgreSQL) every other instance,
   * once the current transaction commits: a nudge to look for new rows sooner than the next poll.
   */
  notify(channel: string): Promise<void>;
  /** Calls `wakeUp` for each notification on `channel`; returns how to stop listening. */
  listen(channel: string, wakeUp: () => void): () => void;
  /** For logs and the start-up banner; never the password. */
  readonly description: string;
  close(): Promise<void>;
};

type TransactionContext = { trx: Transaction<DB>; afterCommit: (() => void)[] };

const POSTGRES_RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const database = 'sqlitePath' in target ? openSqlite(target.sqlitePath) : openPostgres(target);
  await migrateToLatest(database.root, database.dialect);
  return database.handle;
}

function createHandle(
  dialect: Dialect,
  root: Kysely<DB>,
  description: string,
  openReader: () => { db: Kysely<DB>; close: () => Promise<void> },
  close: () => Promise<void>,
  remote?: RemoteNotifications,
): Database {
  const context = new AsyncLocalStorage<TransactionContext>();
  const local = new EventEmitter().setMaxListeners(0);
  remote?.onNotification((channel) => local.emit(channel));
  const runCallbacks = (callbacks: (() => void)[]) =>
    // Outside the transaction's context: a callback that queries must not reach for its trx.
    context.exit(() => {
      for (const callback of callbacks) callback();
    });

  return {
    dialect,
    description,
    get db() {
      return context.getStore()?.trx ?? root;
    },
    async transaction(work) {
      if (context.getStore()) return work();
      for (let attempt = 1; ; attempt += 1) {
        const afterCommit: (() => void)[] = [];
        try {
          const result = await root
            .transaction()
            .execute((trx) => context.run({ trx, afterCommit }, work));
          runCallbacks(afterCommit);
          return result;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          const retry =
            dialect === 'postgres' &&
            typeof code === 'string' &&
            POSTGRES_RETRYABLE.has(code) &&
            attempt < MAX_ATTEMPTS;
          if (!retry) throw error;
        }
      }
    },
    afterCommit(callback) {
      const store = context.getStore();
      if (store) store.afterCommit.push(callback);
      else runCallbacks([callback]);
    },
    forUpdate(query, options) {
      if (dialect !== 'postgres') return query;
      const locked = query.forUpdate();
      return options?.skipLocked ? locked.skipLocked() : locked;
    },
    async notify(channel) {
      const emit = () => local.emit(channel);
      const store = context.getStore();
      if (store) store.afterCommit.push(emit);
      else runCallbacks([emit]);
      await remote?.notify(context.getStore()?.trx ?? root, channel);
    },
    listen(channel, wakeUp) {
      local.on(channel, wakeUp);
      remote?.listen(channel);
      return () => void local.off(channel, wakeUp);
    },
    stream<R>(read: (db: Kysely<DB>) => AsyncIterable<R>): AsyncIterable<R> {
      return {
        async *[Symbol.asyncIterator]() {
          // Opened on the first read, so that a stream never read holds nothing.
          const reader = openReader();
          try {
            yield* read(reader.db);
          } finally {
            await reader.close();
          }
        },
      };
    },
    async close() {
      await remote?.close();
      await close();
    },
  };
}

const plugins = [new CamelCasePlugin()];

/**
 * SQLite through better-sqlite3, with each statement prepared once and kept: preparing costs as
 * much as running the short queries most requests make. One connection serves the process, so
 * Kysely runs its queries and transactions one at a time.
 */
function openSqlite(file: string) {
  if (file !== ':memory:') restrictToOwner(file);
  const connection = new BetterSqlite3(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const root = new Kysely<DB>({
    dialect: new TransactionalDdlSqliteDialect({ database: cachingStatements(connection) }),
    plugins,
  });
  const openReader = () => {
    const reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: reader }), plugins });
    return { db, close: () => db.destroy() };
  };
  const handle = createHandle('sqlite', root, `SQLite file ${file}`, openReader, () =>
    root.destroy(),
  );
  return { dialect: 'sqlite' as const, root, handle };
}

/** Migrations run each in a transaction: SQLite's DDL is transactional, though Kysely assumes not. */
class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter() {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }
}

function cachingStatements(connection: BetterSqlite3.Database, capacity = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      // Most recently used last, so that the oldest is the one to go.
      if (statement) cache.delete(sql);
      else {
        statement = connection.prepare(sql);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
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

/**
 * 64-bit integers (counts, sums, epoch milliseconds, serial ids) and numerics arrive as numbers,
 * as they do from SQLite; every value the product keeps fits in a double.
 */
const NUMBER_TYPES = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  NUMBER_TYPES.has(oid) && format !== 'binary'
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

function openPostgres(target: { postgresUrl: string; poolSize?: number }) {
  const pool = new pg.Pool({
    connectionString: target.postgresUrl,
    max: target.poolSize ?? 10,
    types: { getTypeParser },
  });
  const root = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }), plugins });
  const url = new URL(target.postgresUrl);
  const description = `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  // A cursor takes a pooled connection for as long as the reader reads; the pool itself goes on.
  const openReader = () => ({ db: root, close: async () => {} });
  const handle = createHandle(
    'postgres',
    root,
    description,
    openReader,
    () => root.destroy(),
    postgresNotifications(target.postgresUrl),
  );
  return { dialect: 'postgres' as const, root, handle };
}

type RemoteNotifications = {
  notify(db: Kysely<DB>, channel: string): Promise<void>;
  listen(channel: string): void;
  onNotification(handler: (channel: string) => void): void;
  close(): Promise<void>;
};

/**
 * PostgreSQL's NOTIFY, sent inside the transaction (so delivered only if it commits) and heard by
 * one LISTEN connection per instance, opened on the first listen and kept outside the pool.
 */
function postgresNotifications(url: string): RemoteNotifications {
  let client: pg.Client | undefined;
  let handler: (channel: string) => void = () => {};
  const channels = new Set<string>();
  let ready: Promise<void> | undefined;

  const connect = () => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (message) => handler(message.channel));
    // A lost connection only costs the nudges: workers still poll.
    c.on('error', () => {
      client = undefined;
      ready = undefined;
    });
    client = c;
    ready = c.connect().then(async () => {
      for (const channel of channels) await c.query(`LISTEN ${pgIdentifier(channel)}`);
    });
    ready.catch(() => {
      client = undefined;
      ready = undefined;
    });
  };

  return {
    async notify(db, channel) {
      await sql`SELECT pg_notify(${channel}, '')`.execute(db);
    },
    listen(channel) {
      if (channels.has(channel)) return;
      channels.add(channel);
      if (!client) connect();
      else void ready?.then(() => client?.query(`LISTEN ${pgIdentifier(channel)}`)).catch(() => {});
    },
    onNotification(h) {
      handler = h;
    },
    async close() {
      const c = client;
      client = undefined;
      await ready?.catch(() => {});
      await c?.end().catch(() => {});
    },
  };
}

const pgIdentifier = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a channel name: ${name}`);
  return name;
};
