import { LRUCache } from 'lru-cache';

/**
 * How long a read (GET, HEAD) may act on a session or a user as this instance loaded them
 * before. Requests that change state always load both from the database.
 */
export const READ_CACHE_MS = 1_000;

/**
 * What this instance loaded in the last READ_CACHE_MS, by key: far more entries than one instance
 * serves in that time. Its clock is Date's, the clock of session expiry (which tests move).
 */
export const readCache = <V extends object>() =>
  new LRUCache<string, V>({
    max: 10_000,
    ttl: READ_CACHE_MS,
    // Every look-up reads the clock: no cached "now" may let an entry outlive READ_CACHE_MS.
    ttlResolution: 0,
    perf: { now: () => Date.now() },
  });
