import session from 'express-session';
import type { Database } from '../db/database';
import { hashToken } from '../security/tokens';
import { readCache } from './read-cache';

const MINUTE_MS = 60_000;

type StoredSession = { data: string; expiresAt: number };

/**
 * express-session's store over our own table, so that sessions live in the database every
 * instance shares: any instance answers any request. Expired rows are ignored on read and swept
 * on write, which keeps the table small without a timer.
 *
 * A session ends after `idleTtlMs` without a request. The store keeps that sliding expiry itself:
 * reading a session moves its expiry forward, at most once a minute. The cookie carries no expiry
 * of its own and is never re-sent, so a read answers without a Set-Cookie header, a signature or
 * a second write; and the store has no `touch`, which would make express-session split every
 * response in two to wait for it.
 *
 * Rows are keyed by the SHA-256 of the session id, never the id itself: whoever reads the
 * database cannot present a row's key as a cookie, because the store would hash it again.
 *
 * `forReads` is the same store for requests that change nothing (GET, HEAD): it answers from the
 * session as this instance read it less than READ_CACHE_MS ago (read-cache.ts), so that a busy
 * dashboard does not read the same row for every request. Requests that change state use the
 * store itself and always read the database. How stale a read may be: a session ended, or
 * changed, on another instance still answers this instance's reads for the rest of that second;
 * on this instance, ending or changing a session reaches its reads at once, and a session past
 * its expiry is never answered.
 */
export class DatabaseSessionStore extends session.Store {
  private writesSinceSweep = 0;
  private readonly recent = readCache<StoredSession>();

  /** The store for reads: the same sessions, answered from this instance's last second. */
  readonly forReads: session.Store;

  constructor(
    private readonly database: Database,
    private readonly idleTtlMs = 8 * 60 * 60 * 1000,
  ) {
    super();
    this.forReads = new CachedReads(this, (sid) => {
      const stored = this.recent.get(hashToken(sid));
      return stored && stored.expiresAt > Date.now() ? stored : undefined;
    });
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void) {
    this.read(sid).then(
      (stored) => callback(null, stored && parse(stored)),
      (err: unknown) => callback(err),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
    this.write(sid, data).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void) {
    const key = hashToken(sid);
    this.recent.delete(key);
    this.database.db
      .deleteFrom('httpSessions')
      .where('sid', '=', key)
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  private async read(sid: string): Promise<StoredSession | null> {
    const { db } = this.database;
    const now = Date.now();
    const key = hashToken(sid);
    const row = await db
      .selectFrom('httpSessions')
      .select(['data', 'expiresAt'])
      .where('sid', '=', key)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    if (!row) {
      this.recent.delete(key);
      return null;
    }
    // Moving the expiry by less than a minute is not worth a write: most reads write nothing.
    const expiresAt = now + this.idleTtlMs;
    if (row.expiresAt < expiresAt - MINUTE_MS) {
      await db.updateTable('httpSessions').set({ expiresAt }).where('sid', '=', key).execute();
      row.expiresAt = expiresAt;
    }
    this.recent.set(key, row);
    return row;
  }

  private async write(sid: string, data: session.SessionData): Promise<void> {
    const { db } = this.database;
    const row = {
      sid: hashToken(sid),
      data: JSON.stringify(data),
      expiresAt: Date.now() + this.idleTtlMs,
    };
    // Forgotten before the write: a read meanwhile goes to the database.
    this.recent.delete(row.sid);
    await db
      .insertInto('httpSessions')
      .values(row)
      .onConflict((oc) =>
        oc.column('sid').doUpdateSet({ data: row.data, expiresAt: row.expiresAt }),
      )
      .execute();
    if (++this.writesSinceSweep >= 100) {
      this.writesSinceSweep = 0;
      await db.deleteFrom('httpSessions').where('expiresAt', '<=', Date.now()).execute();
    }
  }
}

/** Each read gets its own object: express-session changes the one it is given. */
const parse = (stored: StoredSession) => JSON.parse(stored.data) as session.SessionData;

/** The store for reads: a recent session from memory, anything else from the store itself. */
class CachedReads extends session.Store {
  constructor(
    private readonly store: DatabaseSessionStore,
    private readonly recent: (sid: string) => StoredSession | undefined,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void) {
    const stored = this.recent(sid);
    if (stored) callback(null, parse(stored));
    else this.store.get(sid, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
    this.store.set(sid, data, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void) {
    this.store.destroy(sid, callback);
  }
}
