import session from 'express-session';
import type { Database } from '../db/database';
import { hashToken } from '../security/tokens';

const MINUTE_MS = 60_000;

/**
 * express-session's store interface over our own table, so that sessions live in the same
 * SQLite file and migrations as everything else. Expired rows are ignored on read and swept
 * on write, which keeps the table small without a timer.
 *
 * A session ends after `idleTtlMs` without a request. The store keeps that sliding expiry itself:
 * reading a session moves its expiry forward, at most once a minute. The cookie carries no expiry
 * of its own and is never re-sent, so a read answers without a Set-Cookie header, a signature or
 * a second write; and the store has no `touch`, which would make express-session split every
 * response in two to wait for it.
 *
 * Rows are keyed by the SHA-256 of the session id, never the id itself: whoever reads the file
 * cannot present a row's key as a cookie, because the store would hash it again.
 */
export class SqliteSessionStore extends session.Store {
  private readonly statements;
  private writesSinceSweep = 0;

  constructor(
    db: Database,
    private readonly idleTtlMs = 8 * 60 * 60 * 1000,
  ) {
    super();
    this.statements = {
      get: db.prepare(
        'SELECT data, expires_at AS expiresAt FROM http_sessions WHERE sid = ? AND expires_at > ?',
      ),
      set: db.prepare(
        `INSERT INTO http_sessions (sid, data, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
      ),
      extend: db.prepare('UPDATE http_sessions SET expires_at = ? WHERE sid = ?'),
      destroy: db.prepare('DELETE FROM http_sessions WHERE sid = ?'),
      sweep: db.prepare('DELETE FROM http_sessions WHERE expires_at <= ?'),
    };
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void) {
    try {
      const now = Date.now();
      const key = hashToken(sid);
      const row = this.statements.get.get(key, now) as
        { data: string; expiresAt: number } | undefined;
      if (!row) return callback(null, null);
      // Moving the expiry by less than a minute is not worth a write: most reads write nothing.
      const expiresAt = now + this.idleTtlMs;
      if (row.expiresAt < expiresAt - MINUTE_MS) this.statements.extend.run(expiresAt, key);
      callback(null, JSON.parse(row.data) as session.SessionData);
    } catch (err) {
      callback(err);
    }
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
    try {
      this.statements.set.run(hashToken(sid), JSON.stringify(data), Date.now() + this.idleTtlMs);
      if (++this.writesSinceSweep >= 100) {
        this.writesSinceSweep = 0;
        this.statements.sweep.run(Date.now());
      }
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override destroy(sid: string, callback?: (err?: unknown) => void) {
    try {
      this.statements.destroy.run(hashToken(sid));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}
