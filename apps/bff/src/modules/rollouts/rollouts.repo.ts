import { emptyPhaseCounts, type PhaseCounts } from '@repo/domain';
import {
  deviceGroupFilterSchema,
  rolloutPhasePlanSchema,
  type CheckoutMode,
  type Rollout,
  type RolloutEvent,
  type RolloutEventKind,
  type RolloutStatus,
  type RolloutTargetView,
  type RolloutsQuery,
} from '@repo/schemas';
import { z } from 'zod';
import type { Database } from '../../db/database';
import type { Row, RowUpdate } from '../../db/schema';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';

export type RolloutRow = Row<'rollouts'>;
type RolloutViewRow = RolloutRow & { itemName: string; version: string; createdByEmail: string };

const BPS = 10_000;
export const toBps = (share: number) => Math.round(share * BPS);

export const phasePlanOf = (row: Pick<RolloutRow, 'phases'>) =>
  z.array(rolloutPhasePlanSchema).parse(JSON.parse(row.phases));

/** Rollouts whose devices may still change: a device that gains or loses the item joins or leaves. */
export const OPEN_ROLLOUT_STATUSES: RolloutStatus[] = ['running', 'paused'];

function targetOf(row: RolloutRow): RolloutTargetView {
  switch (row.targetKind) {
    case 'group':
      return { kind: 'group', groupId: row.targetGroupId, groupName: row.targetGroupName ?? '' };
    case 'filter':
      return {
        kind: 'filter',
        filter: deviceGroupFilterSchema.parse(JSON.parse(row.targetFilter!)),
      };
    case 'entitled':
      return { kind: 'entitled' };
  }
}

/** The rollouts table and its history; the devices of each are rollout-devices.repo's. */
export function createRolloutsRepo(database: Database) {
  const rollouts = () =>
    database.db
      .selectFrom('rollouts as r')
      .innerJoin('marketplaceItems as i', 'i.id', 'r.itemId')
      .innerJoin('releases as rel', 'rel.id', 'r.releaseId')
      .innerJoin('users as u', 'u.id', 'r.createdBy')
      .selectAll('r')
      .select(['i.name as itemName', 'rel.version', 'u.email as createdByEmail']);

  /** Devices per state of each rollout, over all phases. */
  async function stateCounts(ids: string[]): Promise<Map<string, PhaseCounts>> {
    const byRollout = new Map(ids.map((id) => [id, emptyPhaseCounts()]));
    if (ids.length === 0) return byRollout;
    const rows = await database.db
      .selectFrom('rolloutDevices')
      .select(['rolloutId', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .where('rolloutId', 'in', ids)
      .groupBy(['rolloutId', 'state'])
      .execute();
    for (const row of rows) byRollout.get(row.rolloutId)![row.state] = row.count;
    return byRollout;
  }

  async function views(rows: RolloutViewRow[]): Promise<Rollout[]> {
    const counts = await stateCounts(rows.map((r) => r.id));
    return rows.map((row) => {
      const c = counts.get(row.id)!;
      return {
        id: row.id,
        name: row.name,
        itemId: row.itemId,
        itemName: row.itemName,
        releaseId: row.releaseId,
        version: row.version,
        mode: row.mode,
        target: targetOf(row),
        phases: phasePlanOf(row),
        successThreshold: row.successThresholdBps / BPS,
        errorThreshold: row.errorThresholdBps / BPS,
        maintenanceWindow:
          row.windowStartHour === null || row.windowEndHour === null
            ? null
            : { startHour: row.windowStartHour, endHour: row.windowEndHour },
        status: row.status,
        currentPhase: row.currentPhase,
        pauseReason: row.pauseReason,
        deviceCount: Object.values(c).reduce((sum, n) => sum + n, 0),
        counts: c,
        createdBy: row.createdByEmail,
        createdAt: row.createdAt,
        startedAt: row.startedAt,
        finishedAt: row.finishedAt,
        updatedAt: row.updatedAt,
      };
    });
  }

  return {
    async insert(row: RolloutRow): Promise<void> {
      await database.db.insertInto('rollouts').values(row).execute();
    },

    /** The rollout as the API shows it; another organisation's is not found. */
    async view(organisationId: string, id: string): Promise<Rollout | undefined> {
      const row = await rollouts()
        .where('r.organisationId', '=', organisationId)
        .where('r.id', '=', id)
        .executeTakeFirst();
      return row && (await views([row]))[0];
    },

    async list(
      organisationId: string,
      query: Omit<RolloutsQuery, 'limit'> & { limit: number },
    ): Promise<{ items: Rollout[]; nextCursor: string | null; total: number }> {
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const { count } = await database.db
        .selectFrom('rollouts as r')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('r.organisationId', '=', organisationId)
        .$if(query.status !== undefined, (q) => q.where('r.status', '=', query.status!))
        .$if(query.itemId !== undefined, (q) => q.where('r.itemId', '=', query.itemId!))
        .executeTakeFirstOrThrow();
      const rows = await rollouts()
        .where('r.organisationId', '=', organisationId)
        .$if(query.status !== undefined, (q) => q.where('r.status', '=', query.status!))
        .$if(query.itemId !== undefined, (q) => q.where('r.itemId', '=', query.itemId!))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb(eb.refTuple('r.createdAt', 'r.id'), '<', eb.tuple(after!.createdAt, after!.id)),
          ),
        )
        .orderBy('r.createdAt', 'desc')
        .orderBy('r.id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const page = keysetPage(
        rows,
        query.limit,
        (row) => row,
        (last) => ({ createdAt: last.createdAt, id: last.id }),
      );
      return { items: await views(page.items), nextCursor: page.nextCursor, total: count };
    },

    /**
     * The rollout's row, locked until the transaction ends: whoever decides from its state (a
     * person's action, the evaluation after an install, a device joining) takes turns.
     */
    lock: (id: string): Promise<RolloutRow | undefined> =>
      database
        .forUpdate(database.db.selectFrom('rollouts').selectAll().where('id', '=', id))
        .executeTakeFirst(),

    async statusOf(id: string): Promise<RolloutStatus | undefined> {
      const row = await database.db
        .selectFrom('rollouts')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.status;
    },

    async update(id: string, changes: RowUpdate<'rollouts'>): Promise<void> {
      await database.db.updateTable('rollouts').set(changes).where('id', '=', id).execute();
    },

    /** Devices per phase and state; phases without devices are left out. */
    async phaseCounts(
      id: string,
    ): Promise<{ phase: number; state: keyof PhaseCounts; count: number }[]> {
      return database.db
        .selectFrom('rolloutDevices')
        .select(['phase', 'state', (eb) => eb.fn.countAll<number>().as('count')])
        .where('rolloutId', '=', id)
        .groupBy(['phase', 'state'])
        .execute();
    },

    /** The organisation's open rollouts of an item in a mode: those a device may join. */
    openForItem: (organisationId: string, itemId: string, mode: CheckoutMode) =>
      database.db
        .selectFrom('rollouts')
        .select('id')
        .where('organisationId', '=', organisationId)
        .where('itemId', '=', itemId)
        .where('mode', '=', mode)
        .where('status', 'in', OPEN_ROLLOUT_STATUSES)
        .orderBy('createdAt')
        .execute(),

    /** Which of these items have a rollout in the mode that has not ended (a draft included). */
    async itemsWithRollouts(itemIds: string[], mode: CheckoutMode): Promise<Set<string>> {
      if (itemIds.length === 0) return new Set();
      const rows = await database.db
        .selectFrom('rollouts')
        .select('itemId')
        .distinct()
        .where('itemId', 'in', itemIds)
        .where('mode', '=', mode)
        .where('status', 'in', ['draft', ...OPEN_ROLLOUT_STATUSES])
        .execute();
      return new Set(rows.map((r) => r.itemId));
    },

    async recordEvent(
      rolloutId: string,
      event: { kind: RolloutEventKind; detail: string | null; actor: string | null },
      now: string,
    ): Promise<void> {
      await database.db
        .insertInto('rolloutEvents')
        .values({ rolloutId, ...event, createdAt: now })
        .execute();
    },

    /** The history, oldest first. */
    async events(rolloutId: string): Promise<RolloutEvent[]> {
      return database.db
        .selectFrom('rolloutEvents')
        .select(['id', 'kind', 'detail', 'actor', 'createdAt'])
        .where('rolloutId', '=', rolloutId)
        .orderBy('id')
        .execute();
    },
  };
}
export type RolloutsRepo = ReturnType<typeof createRolloutsRepo>;
