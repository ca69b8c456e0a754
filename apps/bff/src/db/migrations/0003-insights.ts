import { sql, type Kysely } from 'kysely';
import { columnTypes, refuseChanges, type MigrationContext } from './migration-helpers';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run before the DB type exists */

/**
 * What the Overview and the audit log read:
 * - `sales_day_totals`: per organisation, UTC day, mode, item and currency, the purchases made
 *   that day with what they were paid, and the refunds made that day with what they gave back.
 *   The purchases repo keeps it in the transactions that write purchases, so the Overview sums a
 *   few thousand rows instead of a million purchases. Filled here from the purchases there are.
 * - Install jobs by the day they ended, for the Overview's install outcomes.
 * - Who acted on each audit entry, as columns an index can serve (a user, an API key, a payment
 *   link or the marketplace itself), filled from what earlier entries recorded; and the log made
 *   append-only, as an audit log must be.
 */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);

  await t
    .finish(db.schema.createTable('sales_day_totals'))
    .addColumn('organisation_id', t.text, (c) => c.notNull())
    .addColumn('day', t.text, (c) => c.notNull())
    .addColumn('mode', t.text, (c) => c.notNull())
    .addColumn('item_id', t.text, (c) => c.notNull())
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('purchases', t.integer, (c) => c.notNull().check(sql`purchases >= 0`))
    // Sums of minor units: a busy day of one item can pass 2^31 cents.
    .addColumn('gross_amount', t.bigint, (c) => c.notNull().check(sql`gross_amount >= 0`))
    .addColumn('refunds', t.integer, (c) => c.notNull().check(sql`refunds >= 0`))
    .addColumn('refunded_amount', t.bigint, (c) => c.notNull().check(sql`refunded_amount >= 0`))
    .addPrimaryKeyConstraint('sales_day_totals_pk', [
      'organisation_id',
      'day',
      'mode',
      'item_id',
      'currency',
    ])
    .execute();
  // A purchase counts on the day it was made, a refund on the day it was made, at what was paid.
  await sql`
    INSERT INTO sales_day_totals
      (organisation_id, day, mode, item_id, currency, purchases, gross_amount, refunds, refunded_amount)
    SELECT organisation_id, day, mode, item_id, currency,
      sum(purchases), sum(gross_amount), sum(refunds), sum(refunded_amount)
    FROM (
      SELECT organisation_id, substr(created_at, 1, 10) AS day, mode, item_id, currency,
        1 AS purchases, amount AS gross_amount, 0 AS refunds, 0 AS refunded_amount
      FROM purchases
      UNION ALL
      SELECT organisation_id, substr(refunded_at, 1, 10), mode, item_id, currency, 0, 0, 1, amount
      FROM purchases WHERE status = 'refunded' AND refunded_at IS NOT NULL
    ) AS sales
    GROUP BY organisation_id, day, mode, item_id, currency`.execute(db);

  // Jobs that ended in a range of days, walked in order of the day they ended.
  await db.schema
    .createIndex('install_jobs_org_finished')
    .on('install_jobs')
    .columns(['organisation_id', 'finished_at', 'status'])
    .where(sql.ref('finished_at'), 'is not', null)
    .execute();

  await db.schema
    .alterTable('audit_entries')
    .addColumn('actor_type', t.text, (c) =>
      c
        .notNull()
        .defaultTo('system')
        .check(sql`actor_type IN ('user', 'api_key', 'payment_link', 'system')`),
    )
    .execute();
  // The user's, API key's or payment link's id; null for the marketplace itself.
  await db.schema.alterTable('audit_entries').addColumn('actor_id', t.text).execute();
  await db
    .updateTable('audit_entries')
    .set({ actor_type: 'user', actor_id: sql.ref('user_id') })
    .where('user_id', 'is not', null)
    .execute();
  // Before now, a key or a link that acted was named only in the entry's details.
  const unattributed: { id: number; details: string }[] = await db
    .selectFrom('audit_entries')
    .select(['id', 'details'])
    .where('user_id', 'is', null)
    .where('details', 'is not', null)
    .execute();
  for (const entry of unattributed) {
    const details = parseObject(entry.details);
    const [actorType, actorId] =
      typeof details?.apiKeyId === 'string'
        ? ['api_key', details.apiKeyId]
        : typeof details?.paymentLinkId === 'string'
          ? ['payment_link', details.paymentLinkId]
          : [null, null];
    if (actorType)
      await db
        .updateTable('audit_entries')
        .set({ actor_type: actorType, actor_id: actorId })
        .where('id', '=', entry.id)
        .execute();
  }
  await db.schema
    .createIndex('audit_entries_org_actor')
    .on('audit_entries')
    .columns(['organisation_id', 'actor_type', 'actor_id', 'created_at', 'id'])
    .execute();
  // Replaced by the actor index, which serves a user as it serves a key, a link or the system.
  await db.schema.dropIndex('audit_entries_org_user').execute();
  await db.schema
    .createIndex('audit_entries_org_object_id')
    .on('audit_entries')
    .columns(['organisation_id', 'object_id', 'created_at', 'id'])
    .execute();
  await refuseChanges(db, dialect, 'audit_entries');
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
