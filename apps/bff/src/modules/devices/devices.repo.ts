import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { compareFirmware, normaliseDeviceId } from '@repo/domain';
import type {
  CheckoutMode,
  Device,
  DeviceFacets,
  DeviceIds,
  DevicesPage,
  DevicesQuery,
  Entitlement,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { DB } from '../../db/schema';
import { decodeCursor, keysetPage, likeLiteral } from '../../http/cursor';
import { inDeviceSet, type DeviceSet } from '../device-groups/device-sets.repo';

/** The list's filters; a group (`groupId`) arrives resolved, as the device set it names. */
export type DeviceFilters = Omit<DevicesQuery, 'cursor' | 'limit' | 'groupId'> & {
  set?: DeviceSet;
};

const deviceCursorSchema = z.object({ id: z.string() });

/** Sorts after every character a device ID may hold: `id < prefix || this` bounds a prefix range. */
const AFTER_ANY_ID_CHARACTER = '\u007f';

type DeviceScope = ExpressionBuilder<DB, 'devices'>;

/** Groups `rows` by `keyOf`, keeping their order within each group. */
function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

export function createDevicesRepo(database: Database) {
  /** The organisation's devices that pass the filters, as one WHERE clause. */
  const matching = (organisationId: string, filters: DeviceFilters) => (eb: DeviceScope) => {
    const clauses: Expression<SqlBool>[] = [eb('devices.organisationId', '=', organisationId)];
    if (filters.q) {
      // An ID prefix, as a range on the canonical (upper-case) ID so that an index serves it;
      // or part of the name in any case. Both databases compare text byte by byte.
      const prefix = normaliseDeviceId(filters.q);
      const namePart = `%${likeLiteral(filters.q)}%`;
      clauses.push(
        eb.or([
          eb.and([
            eb('devices.id', '>=', prefix),
            eb('devices.id', '<', `${prefix}${AFTER_ANY_ID_CHARACTER}`),
          ]),
          sql<boolean>`lower(${eb.ref('devices.name')}) LIKE lower(${namePart}) ESCAPE '\\'`,
        ]),
      );
    }
    if (filters.model) clauses.push(eb('devices.model', '=', filters.model));
    if (filters.firmware) clauses.push(eb('devices.firmwareVersion', '=', filters.firmware));
    if (filters.tag) {
      clauses.push(
        eb.exists(
          eb
            .selectFrom('deviceTags as t')
            .select('t.deviceId')
            .whereRef('t.deviceId', '=', 'devices.id')
            .where('t.tag', '=', filters.tag),
        ),
      );
    }
    if (filters.entitlement) {
      const entitled = eb.exists(
        eb
          .selectFrom('entitlements as e')
          .select('e.id')
          .whereRef('e.deviceId', '=', 'devices.id')
          .where('e.status', '=', 'active'),
      );
      clauses.push(filters.entitlement === 'none' ? eb.not(entitled) : entitled);
    }
    if (filters.set) clauses.push(inDeviceSet(eb, filters.set));
    return eb.and(clauses);
  };

  const devices = () =>
    database.db
      .selectFrom('devices')
      .select([
        'devices.id',
        'devices.name',
        'devices.model',
        'devices.firmwareVersion',
        'devices.lastSeenAt',
      ]);

  async function countMatching(organisationId: string, filters: DeviceFilters): Promise<number> {
    const { count } = await database.db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where(matching(organisationId, filters))
      .executeTakeFirstOrThrow();
    return count;
  }

  /** The devices with their tags, fetched for all of them in a second query. */
  async function withTags(rows: Omit<Device, 'tags'>[]): Promise<Device[]> {
    if (rows.length === 0) return [];
    const tags = await database.db
      .selectFrom('deviceTags')
      .select(['deviceId', 'tag'])
      .where(
        'deviceId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('tag')
      .execute();
    const byDevice = groupBy(tags, (t) => t.deviceId);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      model: row.model,
      firmwareVersion: row.firmwareVersion,
      tags: (byDevice.get(row.id) ?? []).map((t) => t.tag),
      lastSeenAt: row.lastSeenAt,
    }));
  }

  return {
    /** How many of the organisation's devices pass the filters. */
    count: countMatching,

    async list(
      organisationId: string,
      query: DeviceFilters & { cursor?: string; limit: number },
    ): Promise<DevicesPage> {
      const after = decodeCursor(deviceCursorSchema, query.cursor);
      const total = await countMatching(organisationId, query);
      const rows = await devices()
        .where(matching(organisationId, query))
        .$if(after !== undefined, (q) => q.where('devices.id', '>', after!.id))
        .orderBy('devices.id')
        .limit(query.limit + 1)
        .execute();
      const page = keysetPage(
        rows,
        query.limit,
        (row) => row,
        (last) => ({ id: last.id }),
      );
      return { items: await withTags(page.items), nextCursor: page.nextCursor, total };
    },

    /** Every matching ID, up to a cap: for "select all that match" in the device picker. */
    async ids(organisationId: string, filters: DeviceFilters, cap: number): Promise<DeviceIds> {
      const rows = await database.db
        .selectFrom('devices')
        .select('devices.id')
        .where(matching(organisationId, filters))
        .orderBy('devices.id')
        .limit(cap + 1)
        .execute();
      const total = await countMatching(organisationId, filters);
      return {
        ids: rows.slice(0, cap).map((r) => r.id),
        total,
        truncated: rows.length > cap,
      };
    },

    /** One of the organisation's devices, by its canonical ID. */
    async find(organisationId: string, deviceId: string): Promise<Device | undefined> {
      const row = await devices()
        .where('devices.organisationId', '=', organisationId)
        .where('devices.id', '=', deviceId)
        .executeTakeFirst();
      return row && (await withTags([row]))[0];
    },

    async facets(organisationId: string): Promise<DeviceFacets> {
      const { db } = database;
      const [models, firmware, tags] = await Promise.all([
        db
          .selectFrom('devices')
          .select('model')
          .distinct()
          .where('organisationId', '=', organisationId)
          .orderBy('model')
          .execute(),
        db
          .selectFrom('devices')
          .select('firmwareVersion')
          .distinct()
          .where('organisationId', '=', organisationId)
          .execute(),
        db
          .selectFrom('deviceTags as t')
          .innerJoin('devices', 'devices.id', 't.deviceId')
          .select('t.tag')
          .distinct()
          .where('devices.organisationId', '=', organisationId)
          .orderBy('t.tag')
          .execute(),
      ]);
      return {
        models: models.map((r) => r.model),
        firmwareVersions: firmware.map((r) => r.firmwareVersion).sort(compareFirmware),
        tags: tags.map((r) => r.tag),
      };
    },

    /** The device's entitlements, active ones first, then newest first. */
    entitlements: (deviceId: string): Promise<Entitlement[]> =>
      database.db
        .selectFrom('entitlements as e')
        .innerJoin('marketplaceItems as i', 'i.id', 'e.itemId')
        .select([
          'e.id',
          'e.itemId',
          'i.name as itemName',
          'e.mode',
          'e.status',
          'e.purchaseId',
          'e.createdAt',
          'e.revokedAt',
        ])
        .where('e.deviceId', '=', deviceId)
        .orderBy((eb) => eb.case().when('e.status', '=', 'active').then(0).else(1).end())
        .orderBy('e.createdAt', 'desc')
        .orderBy('e.id')
        .execute(),

    /** What runs on the device now, per item. */
    installations: (deviceId: string) =>
      database.db
        .selectFrom('deviceInstallations as n')
        .innerJoin('marketplaceItems as i', 'i.id', 'n.itemId')
        .select(['n.itemId', 'i.name as itemName', 'n.releaseId', 'n.version', 'n.installedAt'])
        .where('n.deviceId', '=', deviceId)
        .execute(),

    /** Devices by canonical ID, whoever owns them: a basket says which are not ours. */
    async byIds(
      deviceIds: string[],
    ): Promise<{ id: string; organisationId: string; model: string }[]> {
      if (deviceIds.length === 0) return [];
      return database.db
        .selectFrom('devices')
        .select(['id', 'organisationId', 'model'])
        .where('id', 'in', deviceIds)
        .execute();
    },

    /** The organisation's items of one marketplace among `itemIds`, with their compatible models. */
    async basketItems(organisationId: string, instanceId: string, itemIds: string[]) {
      if (itemIds.length === 0) return [];
      const { db } = database;
      const items = await db
        .selectFrom('marketplaceItems')
        .select(['id', 'name', 'priceAmount', 'currency', 'listed'])
        .where('organisationId', '=', organisationId)
        .where('instanceId', '=', instanceId)
        .where('id', 'in', itemIds)
        .execute();
      const models =
        items.length === 0
          ? []
          : await db
              .selectFrom('itemCompatibleModels')
              .select(['itemId', 'model'])
              .where(
                'itemId',
                'in',
                items.map((i) => i.id),
              )
              .execute();
      const byItem = groupBy(models, (m) => m.itemId);
      return items.map((item) => ({
        id: item.id,
        name: item.name,
        priceAmount: item.priceAmount,
        currency: item.currency,
        listed: item.listed === 1,
        compatibleModels: (byItem.get(item.id) ?? []).map((m) => m.model),
      }));
    },

    /** Which of these device × items the organisation already holds an active entitlement to. */
    async entitled(
      organisationId: string,
      mode: CheckoutMode,
      deviceIds: string[],
      itemIds: string[],
    ): Promise<{ deviceId: string; itemId: string; purchaseId: string }[]> {
      if (deviceIds.length === 0 || itemIds.length === 0) return [];
      return database.db
        .selectFrom('entitlements')
        .select(['deviceId', 'itemId', 'purchaseId'])
        .where('status', '=', 'active')
        .where('mode', '=', mode)
        .where('organisationId', '=', organisationId)
        .where('deviceId', 'in', deviceIds)
        .where('itemId', 'in', itemIds)
        .execute();
    },

    /**
     * Which of these device × items another checkout holds. A hold whose page has outlived its
     * expiry no longer counts, even if Stripe's expiry event never reached us: Stripe takes no
     * payment on an expired page.
     */
    async held(
      organisationId: string,
      mode: CheckoutMode,
      deviceIds: string[],
      itemIds: string[],
      now: string,
      ignoreCheckoutSessionId: string | null,
    ): Promise<
      { deviceId: string; itemId: string; checkoutSessionId: string; expiresAt: string }[]
    > {
      if (deviceIds.length === 0 || itemIds.length === 0) return [];
      return database.db
        .selectFrom('checkoutHolds as h')
        .innerJoin('checkoutSessions as c', 'c.id', 'h.checkoutSessionId')
        .select(['h.deviceId', 'h.itemId', 'h.checkoutSessionId', 'c.expiresAt'])
        .where('h.organisationId', '=', organisationId)
        .where('h.mode', '=', mode)
        .where('h.deviceId', 'in', deviceIds)
        .where('h.itemId', 'in', itemIds)
        .where((eb) => eb.not(eb.and([eb('c.status', '=', 'open'), eb('c.expiresAt', '<=', now)])))
        .$if(ignoreCheckoutSessionId !== null, (q) =>
          q.where('h.checkoutSessionId', '!=', ignoreCheckoutSessionId!),
        )
        .execute();
    },

    /** The marketplace's platform fee, in basis points (0 for an unknown marketplace). */
    async platformFeeBps(instanceId: string): Promise<number> {
      const row = await database.db
        .selectFrom('marketplaceInstances')
        .select('platformFeeBps')
        .where('id', '=', instanceId)
        .executeTakeFirst();
      return row?.platformFeeBps ?? 0;
    },
  };
}
export type DevicesRepo = ReturnType<typeof createDevicesRepo>;
