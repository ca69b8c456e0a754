import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { DB } from '../../db/schema';

/**
 * A set of the organisation's devices, as SQL can test it row by row: the members of a static
 * group, or a saved filter whose version ranges have already been turned into the versions that
 * fall in them (versions compare as numbers, which neither database does on text).
 */
export type DeviceSet =
  | { kind: 'members'; groupId: string }
  | {
      kind: 'filter';
      models?: string[];
      firmwareVersions?: string[];
      /** Every one of these tags. */
      allTags?: string[];
      /** Any of these tags (the sites). */
      anyTags?: string[];
      entitledTo?: { itemId: string; mode?: CheckoutMode };
      /** `versions: null`: the item is not installed at all. */
      installed?: { itemId: string; versions: string[] | null };
    };

type Devices = ExpressionBuilder<DB, 'devices'>;

/** Nothing matches: `IN ()` is not SQL. */
const none = (eb: Devices) => eb(eb.val(1), '=', 0);

/** Whether the `devices` row of the surrounding query is in the set. */
export function inDeviceSet(eb: Devices, set: DeviceSet): Expression<SqlBool> {
  if (set.kind === 'members') {
    return eb.exists(
      eb
        .selectFrom('deviceGroupMembers as m')
        .select('m.deviceId')
        .whereRef('m.deviceId', '=', 'devices.id')
        .where('m.groupId', '=', set.groupId),
    );
  }
  const clauses: Expression<SqlBool>[] = [];
  const within = (column: 'devices.model' | 'devices.firmwareVersion', values: string[]) =>
    values.length === 0 ? none(eb) : eb(column, 'in', values);
  if (set.models) clauses.push(within('devices.model', set.models));
  if (set.firmwareVersions) clauses.push(within('devices.firmwareVersion', set.firmwareVersions));
  for (const tag of set.allTags ?? []) {
    clauses.push(
      eb.exists(
        eb
          .selectFrom('deviceTags as t')
          .select('t.deviceId')
          .whereRef('t.deviceId', '=', 'devices.id')
          .where('t.tag', '=', tag),
      ),
    );
  }
  if (set.anyTags) {
    clauses.push(
      set.anyTags.length === 0
        ? none(eb)
        : eb.exists(
            eb
              .selectFrom('deviceTags as t')
              .select('t.deviceId')
              .whereRef('t.deviceId', '=', 'devices.id')
              .where('t.tag', 'in', set.anyTags),
          ),
    );
  }
  if (set.entitledTo) {
    const { itemId, mode } = set.entitledTo;
    clauses.push(
      eb.exists(
        eb
          .selectFrom('entitlements as e')
          .select('e.id')
          .whereRef('e.deviceId', '=', 'devices.id')
          .where('e.itemId', '=', itemId)
          // A literal, as in the partial index entitlements_one_active, so that it serves the lookup.
          .where('e.status', '=', sql.lit('active'))
          .$if(mode !== undefined, (q) => q.where('e.mode', '=', mode!)),
      ),
    );
  }
  if (set.installed) {
    const { itemId, versions } = set.installed;
    const installed = eb
      .selectFrom('deviceInstallations as n')
      .select('n.deviceId')
      .whereRef('n.deviceId', '=', 'devices.id')
      .where('n.itemId', '=', itemId);
    clauses.push(
      versions === null
        ? eb.not(eb.exists(installed))
        : versions.length === 0
          ? none(eb)
          : eb.exists(installed.where('n.version', 'in', versions)),
    );
  }
  return eb.and(clauses);
}

/** What resolving a filter needs to know: the versions that exist, to pick those in a range. */
export function createDeviceSetsRepo(database: Database) {
  return {
    async firmwareVersions(organisationId: string): Promise<string[]> {
      const rows = await database.db
        .selectFrom('devices')
        .select('firmwareVersion')
        .distinct()
        .where('organisationId', '=', organisationId)
        .execute();
      return rows.map((r) => r.firmwareVersion);
    },

    async installedVersions(itemId: string): Promise<string[]> {
      const rows = await database.db
        .selectFrom('deviceInstallations')
        .select('version')
        .distinct()
        .where('itemId', '=', itemId)
        .execute();
      return rows.map((r) => r.version);
    },

    /** Which of these items are the organisation's. */
    async ownItems(organisationId: string, itemIds: string[]): Promise<Set<string>> {
      if (itemIds.length === 0) return new Set();
      const rows = await database.db
        .selectFrom('marketplaceItems')
        .select('id')
        .where('organisationId', '=', organisationId)
        .where('id', 'in', itemIds)
        .execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}
export type DeviceSetsRepo = ReturnType<typeof createDeviceSetsRepo>;
