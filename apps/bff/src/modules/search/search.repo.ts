import { sql, type SqlBool } from 'kysely';
import type { Database } from '../../db/database';
import { likeLiteral } from '../../http/cursor';

/** Every character an id may hold sorts below this one: `>= x AND < x || U+007F` is "starts with x". */
const AFTER_EVERY_ID_CHARACTER = '\u007f';

/**
 * The search box's lookups, each one index hit on a table of the caller's organisation: a primary
 * key or unique id, a range of one (the start of an id), or the organisation's short list of items
 * and API keys. Never a scan of purchases: a device's purchases come from its own index range.
 */
export function createSearchRepo(database: Database) {
  const { db } = database;
  const startsWith = (prefix: string) => [prefix, prefix + AFTER_EVERY_ID_CHARACTER] as const;
  /**
   * The organisation of a row found by its own id or Stripe's: checked, never walked. SQLite's
   * planner, left alone, prefers the organisation's index (an equality) to the id's (a range or
   * a lookup), and would read every purchase of the organisation to find one; `+col` is no longer
   * a plain column, so it cannot. PostgreSQL's statistics make that choice by themselves.
   */
  const checkedOnly = (column: string) =>
    database.dialect === 'sqlite' ? sql<string>`+${sql.ref(column)}` : sql.ref<string>(column);

  const purchaseRows = () =>
    database.db
      .selectFrom('purchases as p')
      .innerJoin('marketplaceItems as i', 'i.id', 'p.itemId')
      .select([
        'p.id',
        'p.deviceId',
        'p.itemId',
        'i.name as itemName',
        'p.amount',
        'p.currency',
        'p.mode',
        'p.status',
        'p.createdAt',
      ]);

  const sessionRows = () =>
    database.db
      .selectFrom('checkoutSessions as c')
      .select([
        'c.id',
        'c.mode',
        'c.status',
        'c.paymentStatus',
        'c.amountTotal',
        'c.currency',
        'c.stripeSessionId',
        'c.createdAt',
      ]);

  return {
    /** Purchases whose id starts with `prefix` (or is it), in order of id. */
    purchasesById: (organisationId: string, prefix: string, limit: number) => {
      const [from, before] = startsWith(prefix);
      return purchaseRows()
        .where('p.id', '>=', from)
        .where('p.id', '<', before)
        .where(checkedOnly('p.organisationId'), '=', organisationId)
        .orderBy('p.id')
        .limit(limit)
        .execute();
    },

    /** Checkout sessions whose id starts with `prefix` (or is it), in order of id. */
    checkoutSessionsById: (organisationId: string, prefix: string, limit: number) => {
      const [from, before] = startsWith(prefix);
      return sessionRows()
        .where('c.id', '>=', from)
        .where('c.id', '<', before)
        .where(checkedOnly('c.organisationId'), '=', organisationId)
        .orderBy('c.id')
        .limit(limit)
        .execute();
    },

    /** The checkout session Stripe knows by this Checkout Session or PaymentIntent id. */
    checkoutSessionByStripeId: (
      organisationId: string,
      by: 'stripeSessionId' | 'stripePaymentIntentId',
      stripeId: string,
    ) =>
      sessionRows()
        .where(`c.${by}`, '=', stripeId)
        .where(checkedOnly('c.organisationId'), '=', organisationId)
        .orderBy('c.createdAt', 'desc')
        .limit(1)
        .execute(),

    /** How many devices and items each session's lines name. */
    async sessionSizes(sessionIds: string[]) {
      if (sessionIds.length === 0) return new Map<string, { devices: number; items: number }>();
      const rows = await db
        .selectFrom('checkoutSessionLines')
        .select((eb) => [
          'checkoutSessionId',
          eb.fn.count<number>('deviceId').distinct().as('devices'),
          eb.fn.count<number>('itemId').distinct().as('items'),
        ])
        .where('checkoutSessionId', 'in', sessionIds)
        .groupBy('checkoutSessionId')
        .execute();
      return new Map(rows.map((row) => [row.checkoutSessionId, row]));
    },

    /** Install jobs whose id starts with `prefix` (or is it), in order of id. */
    installJobsById: (organisationId: string, prefix: string, limit: number) => {
      const [from, before] = startsWith(prefix);
      return db
        .selectFrom('installJobs as j')
        .innerJoin('releases as r', 'r.id', 'j.releaseId')
        .innerJoin('marketplaceItems as i', 'i.id', 'j.itemId')
        .select([
          'j.id',
          'j.deviceId',
          'j.itemId',
          'i.name as itemName',
          'r.version',
          'j.status',
          'j.attempt',
          'j.updatedAt',
        ])
        .where('j.id', '>=', from)
        .where('j.id', '<', before)
        .where(checkedOnly('j.organisationId'), '=', organisationId)
        .orderBy('j.id')
        .limit(limit)
        .execute();
    },

    /**
     * The organisation's API keys that a pasted text names: the key itself (by its hash), or
     * the start of the prefix the key list shows, or text that starts with that prefix.
     */
    apiKeys: (
      organisationId: string,
      match: { keyHash?: string; prefix: string; prefixesOfText: string[] },
      limit: number,
    ) => {
      const [from, before] = startsWith(match.prefix);
      return db
        .selectFrom('apiKeys')
        .select(['id', 'name', 'keyPrefix', 'mode', 'createdAt', 'revokedAt'])
        .where('organisationId', '=', organisationId)
        .where((eb) =>
          eb.or([
            ...(match.keyHash ? [eb('keyHash', '=', match.keyHash)] : []),
            eb.and([eb('keyPrefix', '>=', from), eb('keyPrefix', '<', before)]),
            ...(match.prefixesOfText.length > 0
              ? [eb('keyPrefix', 'in', match.prefixesOfText)]
              : []),
          ]),
        )
        .orderBy('createdAt', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    /** Devices whose ID starts with `prefix` (or is it), in order of ID; IDs in their stored case. */
    devicesById: (organisationId: string, prefix: string, limit: number) => {
      const [from, before] = startsWith(prefix);
      return db
        .selectFrom('devices')
        .select(['id', 'name', 'model', 'firmwareVersion'])
        .where('organisationId', '=', organisationId)
        .where('id', '>=', from)
        .where('id', '<', before)
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    /**
     * Every purchase of these devices, newest first, each device's from its own index range.
     * Sorted here: asked to sort, SQLite's planner would rather walk the organisation's purchases
     * in time order than sort a few dozen rows.
     */
    async purchasesOfDevices(organisationId: string, deviceIds: string[]) {
      if (deviceIds.length === 0) return [];
      const rows = await purchaseRows()
        .where('p.organisationId', '=', organisationId)
        .where('p.deviceId', 'in', deviceIds)
        .execute();
      const newestFirst = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;
      return rows.sort(newestFirst);
    },

    /** What runs on these devices now: one row per device and item installed. */
    async installedOn(deviceIds: string[]) {
      if (deviceIds.length === 0) return [];
      return db
        .selectFrom('deviceInstallations')
        .select(['deviceId', 'itemId', 'version'])
        .where('deviceId', 'in', deviceIds)
        .execute();
    },

    /**
     * The organisation's items with this id, or with a word of the name starting with each of
     * `words` (in lower case, against the name in lower case), in order of name.
     */
    items: (organisationId: string, match: { id: string; words: string[] }, limit: number) =>
      db
        .selectFrom('marketplaceItems')
        .select(['id', 'name', 'description', 'instanceId', 'priceAmount', 'currency', 'listed'])
        .where('organisationId', '=', organisationId)
        .where((eb) => {
          const name = sql`lower(${eb.ref('name')})`;
          // SQLite has no default escape character; PostgreSQL's is this one.
          const like = (pattern: string) => sql<SqlBool>`${name} LIKE ${pattern} ESCAPE '\\'`;
          const startsAWord = (word: string) =>
            eb.or([like(`${likeLiteral(word)}%`), like(`% ${likeLiteral(word)}%`)]);
          return eb.or([
            eb('id', '=', match.id),
            ...(match.words.length > 0 ? [eb.and(match.words.map(startsAWord))] : []),
          ]);
        })
        .orderBy('name')
        .orderBy('id')
        .limit(limit)
        .execute(),
  };
}
export type SearchRepo = ReturnType<typeof createSearchRepo>;
