import { sql, type Kysely } from 'kysely';
import { columnTypes, refuseChanges, type MigrationContext } from './migration-helpers';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run before the DB type exists */

/**
 * Device groups and staged rollouts of a release to the devices entitled to it.
 */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);
  const table = (name: string) => t.finish(db.schema.createTable(name));

  // Test-mode entitlements are rolled out only to devices marked as test devices.
  await db.schema
    .alterTable('devices')
    .addColumn('is_test_device', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`is_test_device IN (0, 1)`),
    )
    .execute();

  await table('device_groups')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull().check(sql`kind IN ('static', 'dynamic')`))
    // A dynamic group's saved filter (JSON); null for a static group, whose members are rows.
    .addColumn('filter', t.text)
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .addUniqueConstraint('device_groups_org_name', ['organisation_id', 'name'])
    .execute();

  await table('device_group_members')
    .addColumn('group_id', t.text, (c) => c.notNull().references('device_groups.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addPrimaryKeyConstraint('device_group_members_pk', ['group_id', 'device_id'])
    .execute();

  await table('rollouts')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('release_id', t.text, (c) => c.notNull().references('releases.id'))
    // Which entitlements count: test-mode ones install on test devices only.
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('target_kind', t.text, (c) =>
      c.notNull().check(sql`target_kind IN ('group', 'filter', 'entitled')`),
    )
    // Emptied when a finished rollout's group is deleted; its name stays for the history.
    .addColumn('target_group_id', t.text, (c) => c.references('device_groups.id'))
    .addColumn('target_group_name', t.text)
    .addColumn('target_filter', t.text)
    // The phase plan (JSON): shares or counts of the devices, counted from the start.
    .addColumn('phases', t.text, (c) => c.notNull())
    // Thresholds in basis points (10000 = 100 %).
    .addColumn('success_threshold_bps', t.integer, (c) =>
      c.notNull().check(sql`success_threshold_bps BETWEEN 1 AND 10000`),
    )
    .addColumn('error_threshold_bps', t.integer, (c) =>
      c.notNull().check(sql`error_threshold_bps BETWEEN 0 AND 9999`),
    )
    .addColumn('window_start_hour', t.integer, (c) =>
      c.check(sql`window_start_hour BETWEEN 0 AND 23`),
    )
    .addColumn('window_end_hour', t.integer, (c) => c.check(sql`window_end_hour BETWEEN 0 AND 23`))
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status IN ('draft', 'running', 'paused', 'completed', 'aborted')`),
    )
    .addColumn('current_phase', t.integer, (c) => c.notNull())
    .addColumn('pause_reason', t.text)
    // What the operator had seen at the last resume (JSON), for the error threshold.
    .addColumn('acknowledged', t.text)
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('started_at', t.text)
    .addColumn('finished_at', t.text)
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rollouts_org_created')
    .on('rollouts')
    .columns(['organisation_id', 'created_at', 'id'])
    .execute();
  // A device that becomes entitled joins the running rollouts of that item; a group in use stays.
  await db.schema
    .createIndex('rollouts_group')
    .on('rollouts')
    .column('target_group_id')
    .where(sql.ref('target_group_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('rollouts_item_status')
    .on('rollouts')
    .columns(['item_id', 'status'])
    .execute();

  await table('rollout_devices')
    .addColumn('rollout_id', t.text, (c) => c.notNull().references('rollouts.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('phase', t.integer, (c) => c.notNull().check(sql`phase >= 0`))
    .addColumn('state', t.text, (c) =>
      c
        .notNull()
        .check(sql`state IN ('waiting', 'active', 'succeeded', 'failed', 'cancelled', 'removed')`),
    )
    .addColumn('install_job_id', t.text, (c) => c.references('install_jobs.id'))
    .addColumn('reason', t.text)
    .addColumn('joined_at', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_devices_pk', ['rollout_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('rollout_devices_phase_state')
    .on('rollout_devices')
    .columns(['rollout_id', 'phase', 'state'])
    .execute();
  await db.schema
    .createIndex('rollout_devices_device')
    .on('rollout_devices')
    .column('device_id')
    .execute();

  // Every start, pause (with its reason), resume, abort, phase and completion. Append-only.
  await t
    .finish(t.serialIdTable(db.schema.createTable('rollout_events')))
    .addColumn('rollout_id', t.text, (c) => c.notNull().references('rollouts.id'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('detail', t.text)
    .addColumn('actor', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rollout_events_rollout')
    .on('rollout_events')
    .columns(['rollout_id', 'id'])
    .execute();
  await refuseChanges(db, dialect, 'rollout_events');

  await db.schema
    .alterTable('install_jobs')
    .addColumn('rollout_id', t.text, (c) => c.references('rollouts.id'))
    .execute();
  // A rollout finds its devices' jobs: to link, cancel or retry them.
  await db.schema
    .createIndex('install_jobs_rollout')
    .on('install_jobs')
    .columns(['rollout_id', 'device_id'])
    .where(sql.ref('rollout_id'), 'is not', null)
    .execute();
}
