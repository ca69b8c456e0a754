import { sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database';
import type { Row } from '../../db/schema';
import { decodeCursor, keysetPage, likeLiteral } from '../../http/cursor';

export type DeviceGroupRow = Row<'deviceGroups'> & { activeRolloutCount: number };

/** Rollouts that still read their group: a draft (at its start), a running or a paused one. */
const OPEN_ROLLOUT_STATUSES = ['draft', 'running', 'paused'] as const;

/** Rows per multi-row insert, well within either database's limit on bound parameters. */
const ROWS_PER_STATEMENT = 5_000;

const groupCursorSchema = z.object({ name: z.string(), id: z.string() });

export function createDeviceGroupsRepo(database: Database) {
  const groups = () =>
    database.db
      .selectFrom('deviceGroups as g')
      .selectAll('g')
      .select((eb) =>
        eb
          .selectFrom('rollouts as r')
          .select((r) => r.fn.countAll<number>().as('count'))
          .whereRef('r.targetGroupId', '=', 'g.id')
          .where('r.status', 'in', OPEN_ROLLOUT_STATUSES)
          .as('activeRolloutCount'),
      );

  const normalise = (
    row: Omit<DeviceGroupRow, 'activeRolloutCount'> & {
      activeRolloutCount: number | null;
    },
  ): DeviceGroupRow => ({ ...row, activeRolloutCount: row.activeRolloutCount ?? 0 });

  return {
    /** The organisation's groups by name, optionally those whose name holds `q`. */
    async list(
      organisationId: string,
      query: { q?: string; cursor?: string; limit: number },
    ): Promise<{ items: DeviceGroupRow[]; nextCursor: string | null; total: number }> {
      const after = decodeCursor(groupCursorSchema, query.cursor);
      const named = query.q ? `%${likeLiteral(query.q)}%` : undefined;
      const { count } = await database.db
        .selectFrom('deviceGroups as g')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('g.organisationId', '=', organisationId)
        .$if(named !== undefined, (q) =>
          q.where(sql<boolean>`lower(${sql.ref('g.name')}) LIKE lower(${named}) ESCAPE '\\'`),
        )
        .executeTakeFirstOrThrow();
      const rows = await groups()
        .where('g.organisationId', '=', organisationId)
        .$if(named !== undefined, (q) =>
          q.where(sql<boolean>`lower(${sql.ref('g.name')}) LIKE lower(${named}) ESCAPE '\\'`),
        )
        .$if(after !== undefined, (q) =>
          q.where((eb) => eb(eb.refTuple('g.name', 'g.id'), '>', eb.tuple(after!.name, after!.id))),
        )
        .orderBy('g.name')
        .orderBy('g.id')
        .limit(query.limit + 1)
        .execute();
      return {
        ...keysetPage(rows, query.limit, normalise, (last) => ({ name: last.name, id: last.id })),
        total: count,
      };
    },

    async find(organisationId: string, id: string): Promise<DeviceGroupRow | undefined> {
      const row = await groups()
        .where('g.organisationId', '=', organisationId)
        .where('g.id', '=', id)
        .executeTakeFirst();
      return row && normalise(row);
    },

    /** The group, locked until the transaction ends: a delete and a rollout's creation take turns. */
    async lock(organisationId: string, id: string): Promise<string | undefined> {
      const row = await database
        .forUpdate(
          database.db
            .selectFrom('deviceGroups')
            .select('id')
            .where('organisationId', '=', organisationId)
            .where('id', '=', id),
        )
        .executeTakeFirst();
      return row?.id;
    },

    async nameTaken(organisationId: string, name: string, exceptId?: string): Promise<boolean> {
      const row = await database.db
        .selectFrom('deviceGroups')
        .select('id')
        .where('organisationId', '=', organisationId)
        .where('name', '=', name)
        .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
        .executeTakeFirst();
      return row !== undefined;
    },

    async insert(group: Row<'deviceGroups'>): Promise<void> {
      await database.db.insertInto('deviceGroups').values(group).execute();
    },

    async update(
      id: string,
      changes: { name?: string; filter?: string; updatedAt: string },
    ): Promise<void> {
      await database.db.updateTable('deviceGroups').set(changes).where('id', '=', id).execute();
    },

    /** A static group's devices become exactly `deviceIds` (the organisation's, checked before). */
    async replaceMembers(groupId: string, deviceIds: string[]): Promise<void> {
      await database.db.deleteFrom('deviceGroupMembers').where('groupId', '=', groupId).execute();
      for (let start = 0; start < deviceIds.length; start += ROWS_PER_STATEMENT) {
        await database.db
          .insertInto('deviceGroupMembers')
          .values(
            deviceIds
              .slice(start, start + ROWS_PER_STATEMENT)
              .map((deviceId) => ({ groupId, deviceId })),
          )
          .execute();
      }
    },

    /** Deletes the group; finished rollouts that aimed at it keep its name only. */
    async remove(id: string): Promise<void> {
      await database.db
        .updateTable('rollouts')
        .set({ targetGroupId: null })
        .where('targetGroupId', '=', id)
        .execute();
      await database.db.deleteFrom('deviceGroupMembers').where('groupId', '=', id).execute();
      await database.db.deleteFrom('deviceGroups').where('id', '=', id).execute();
    },

    /** Which of these device IDs are the organisation's devices. */
    async ownDevices(organisationId: string, deviceIds: string[]): Promise<Set<string>> {
      const own = new Set<string>();
      for (let start = 0; start < deviceIds.length; start += ROWS_PER_STATEMENT) {
        const rows = await database.db
          .selectFrom('devices')
          .select('id')
          .where('organisationId', '=', organisationId)
          .where('id', 'in', deviceIds.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
        for (const row of rows) own.add(row.id);
      }
      return own;
    },
  };
}
export type DeviceGroupsRepo = ReturnType<typeof createDeviceGroupsRepo>;
