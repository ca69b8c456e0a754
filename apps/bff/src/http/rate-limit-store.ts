import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { sql } from 'kysely';
import type { Database } from '../db/database';

/**
 * express-rate-limit's counters in the database every instance shares, so that a limit holds
 * however many instances answer, and across restarts. One upsert per hit, atomic on both
 * databases: a window that has ended starts again at 1.
 */
export class DatabaseRateLimitStore implements Store {
  /** Counters of different limiters never meet: each has its own prefix. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private hitsSinceSweep = 0;

  constructor(
    private readonly database: Database,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.database.db
      .selectFrom('rateLimits')
      .select(['hits', 'resetAt'])
      .where('key', '=', this.key(key))
      .where('resetAt', '>', Date.now())
      .executeTakeFirst();
    return row && { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = Date.now();
    const resetAt = now + this.windowMs;
    const { db } = this.database;
    const row = await db
      .insertInto('rateLimits')
      .values({ key: this.key(key), hits: 1, resetAt })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN 1 ELSE rate_limits.hits + 1 END`,
          resetAt: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN ${resetAt} ELSE rate_limits.reset_at END`,
        }),
      )
      .returning(['hits', 'resetAt'])
      .executeTakeFirstOrThrow();
    if (++this.hitsSinceSweep >= 1000) {
      this.hitsSinceSweep = 0;
      await db.deleteFrom('rateLimits').where('resetAt', '<=', now).execute();
    }
    return { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await this.database.db
      .updateTable('rateLimits')
      .set({ hits: sql`CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END` })
      .where('key', '=', this.key(key))
      .where('resetAt', '>', Date.now())
      .execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.database.db.deleteFrom('rateLimits').where('key', '=', this.key(key)).execute();
  }

  private key(key: string): string {
    return `${this.prefix}:${key}`;
  }
}
