import session from 'express-session';
import type { Database } from '../db/database';
import { hashToken } from '../security/tokens';

const MINUTE_MS = 60_000;

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
 */
export class DatabaseSessionStore extends session.Store {
  private writesSinceSweep = 0;

  constructor(
    private readonly database: Database,
    private readonly idleTtlMs = 8 * 60 * 60 * 1000,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void) {
    this.read(sid).then(
      (data) => callback(null, data),
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
    this.database.db
      .deleteFrom('httpSessions')
      .where('sid', '=', hashToken(sid))
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const { db } = this.database;
    const now = Date.now();
    const key = hashToken(sid);
    const row = await db
      .selectFrom('httpSessions')
      .select(['data', 'expiresAt'])
      .where('sid', '=', key)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    if (!row) return null;
    // Moving the expiry by less than a minute is not worth a write: most reads write nothing.
    const expiresAt = now + this.idleTtlMs;
    if (row.expiresAt < expiresAt - MINUTE_MS) {
      await db.updateTable('httpSessions').set({ expiresAt }).where('sid', '=', key).execute();
    }
    return JSON.parse(row.data) as session.SessionData;
  }

  private async write(sid: string, data: session.SessionData): Promise<void> {
    const { db } = this.database;
    const row = {
      sid: hashToken(sid),
      data: JSON.stringify(data),
      expiresAt: Date.now() + this.idleTtlMs,
    };
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
