import session from 'express-session';
import type { Database } from '../db/database';

/**
 * express-session's store interface over our own table, so that sessions live in the same
 * SQLite file and migrations as everything else. Expired rows are ignored on read and swept
 * on write, which keeps the table small without a timer.
 */
export class SqliteSessionStore extends session.Store {
  private readonly statements;
  private writesSinceSweep = 0;

  constructor(
    db: Database,
    private readonly defaultTtlMs = 8 * 60 * 60 * 1000,
  ) {
    super();
    this.statements = {
      get: db.prepare('SELECT data FROM http_sessions WHERE sid = ? AND expires_at > ?').pluck(),
      set: db.prepare(
        `INSERT INTO http_sessions (sid, data, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
      ),
      // Rolling sessions touch on every request; moving the expiry by less than a minute is not
      // worth a write, and skipping it keeps reads (every page, every search) free of writes.
      touch: db.prepare(
        'UPDATE http_sessions SET expires_at = @expiresAt WHERE sid = @sid AND expires_at < @expiresAt - 60000',
      ),
      destroy: db.prepare('DELETE FROM http_sessions WHERE sid = ?'),
      sweep: db.prepare('DELETE FROM http_sessions WHERE expires_at <= ?'),
    };
  }

  private expiry(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.defaultTtlMs;
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void) {
    try {
      const raw = this.statements.get.get(sid, Date.now()) as string | undefined;
      callback(null, raw ? (JSON.parse(raw) as session.SessionData) : null);
    } catch (err) {
      callback(err);
    }
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
    try {
      this.statements.set.run(sid, JSON.stringify(data), this.expiry(data));
      if (++this.writesSinceSweep >= 100) {
        this.writesSinceSweep = 0;
        this.statements.sweep.run(Date.now());
      }
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override touch(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
    try {
      this.statements.touch.run({ expiresAt: this.expiry(data), sid });
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override destroy(sid: string, callback?: (err?: unknown) => void) {
    try {
      this.statements.destroy.run(sid);
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}
