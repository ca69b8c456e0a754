import { sql, type Kysely } from 'kysely';
import { columnTypes, refuseChanges, type MigrationContext } from './migration-helpers';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run before the DB type exists */

/**
 * The whole schema as of the move to Kysely, the same on SQLite and PostgreSQL. What differs
 * between the two (text collation, serial ids, STRICT tables, trigger syntax) comes from
 * migration-helpers; everything else is one definition.
 */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  const t = columnTypes(dialect);
  const table = (name: string) => t.finish(db.schema.createTable(name));

  await table('settings')
    .addColumn('key', t.text, (c) => c.primaryKey())
    .addColumn('value', t.text, (c) => c.notNull())
    .execute();

  await table('marketplace_instances')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('currency', t.text, (c) => c.notNull().check(sql`length(currency) = 3`))
    .addColumn('platform_fee_bps', t.integer, (c) =>
      c.notNull().check(sql`platform_fee_bps BETWEEN 0 AND 10000`),
    )
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();

  await table('organisations')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('slug', t.text, (c) => c.notNull().unique())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('stripe_connected_account', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();

  await table('organisation_instances')
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('instance_id', t.text, (c) => c.notNull().references('marketplace_instances.id'))
    .addPrimaryKeyConstraint('organisation_instances_pk', ['organisation_id', 'instance_id'])
    .execute();

  await table('users')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    // Emails are matched without regard to case: kept in lower case, so one unique index holds.
    .addColumn('email', t.text, (c) =>
      c
        .notNull()
        .unique()
        .check(sql`email = lower(email)`),
    )
    .addColumn('password_hash', t.text, (c) => c.notNull())
    .addColumn('role', t.text, (c) =>
      c.notNull().check(sql`role IN ('admin', 'support', 'operator')`),
    )
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_organisation').on('users').column('organisation_id').execute();

  await table('marketplace_items')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('instance_id', t.text, (c) => c.notNull().references('marketplace_instances.id'))
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('price_amount', t.integer, (c) => c.notNull().check(sql`price_amount >= 0`))
    .addColumn('currency', t.text, (c) => c.notNull().check(sql`length(currency) = 3`))
    .addColumn('listed', t.integer, (c) => c.notNull().check(sql`listed IN (0, 1)`))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('marketplace_items_org_instance')
    .on('marketplace_items')
    .columns(['organisation_id', 'instance_id', 'name'])
    .execute();

  await table('item_compatible_models')
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('model', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('item_compatible_models_pk', ['item_id', 'model'])
    .execute();

  await table('devices')
    // The device-ID rule: IDs are kept in upper case, and every door upper-cases what it is given.
    .addColumn('id', t.text, (c) => c.primaryKey().check(sql`id = upper(id)`))
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('model', t.text, (c) => c.notNull())
    .addColumn('firmware_version', t.text, (c) => c.notNull())
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('last_seen_at', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('devices_org_id')
    .on('devices')
    .columns(['organisation_id', 'id'])
    .execute();
  await db.schema
    .createIndex('devices_org_model')
    .on('devices')
    .columns(['organisation_id', 'model', 'id'])
    .execute();

  await table('device_tags')
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('tag', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('device_tags_pk', ['device_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('device_tags_tag')
    .on('device_tags')
    .columns(['tag', 'device_id'])
    .execute();

  await table('releases')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('min_firmware', t.text, (c) => c.notNull())
    .addColumn('published_at', t.text, (c) => c.notNull())
    .addUniqueConstraint('releases_item_version', ['item_id', 'version'])
    .execute();

  await table('release_compatible_models')
    .addColumn('release_id', t.text, (c) => c.notNull().references('releases.id'))
    .addColumn('model', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('release_compatible_models_pk', ['release_id', 'model'])
    .execute();

  await table('http_sessions')
    .addColumn('sid', t.text, (c) => c.primaryKey())
    .addColumn('data', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('http_sessions_expiry')
    .on('http_sessions')
    .column('expires_at')
    .execute();

  await table('rate_limits')
    .addColumn('key', t.text, (c) => c.primaryKey())
    .addColumn('hits', t.integer, (c) => c.notNull().check(sql`hits >= 0`))
    .addColumn('reset_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_reset').on('rate_limits').column('reset_at').execute();

  await t
    .finish(t.serialIdTable(db.schema.createTable('audit_entries')))
    .addColumn('organisation_id', t.text, (c) => c.references('organisations.id'))
    .addColumn('user_id', t.text, (c) => c.references('users.id'))
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('object_type', t.text, (c) => c.notNull())
    .addColumn('object_id', t.text)
    .addColumn('details', t.text)
    .addColumn('request_id', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_entries_org_time')
    .on('audit_entries')
    .columns(['organisation_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_entries_org_object')
    .on('audit_entries')
    .columns(['organisation_id', 'object_type', 'object_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('audit_entries_org_user')
    .on('audit_entries')
    .columns(['organisation_id', 'user_id', 'created_at'])
    .execute();

  await table('api_keys')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('key_prefix', t.text, (c) => c.notNull())
    .addColumn('key_hash', t.text, (c) => c.notNull().unique())
    .addColumn('allowed_origins', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('last_used_at', t.text)
    .addColumn('revoked_at', t.text)
    .addColumn('revoked_by', t.text, (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('api_keys_org_created')
    .on('api_keys')
    .columns(['organisation_id', 'created_at'])
    .execute();

  await table('payment_links')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('instance_id', t.text, (c) => c.notNull().references('marketplace_instances.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('token_sealed', t.text, (c) => c.notNull())
    .addColumn('item_ids', t.text, (c) => c.notNull())
    .addColumn('device_ids', t.text, (c) => c.notNull())
    .addColumn('allow_promotion_codes', t.integer, (c) =>
      c.notNull().check(sql`allow_promotion_codes IN (0, 1)`),
    )
    .addColumn('max_uses', t.integer, (c) => c.notNull().check(sql`max_uses >= 1`))
    .addColumn('expires_at', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('deactivated_at', t.text)
    .execute();
  await db.schema
    .createIndex('payment_links_org_created')
    .on('payment_links')
    .columns(['organisation_id', 'created_at'])
    .execute();

  await table('checkout_sessions')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('instance_id', t.text, (c) => c.notNull().references('marketplace_instances.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status IN ('open', 'complete', 'expired', 'cancelled')`),
    )
    .addColumn('payment_status', t.text, (c) =>
      c.notNull().check(sql`payment_status IN ('unpaid', 'paid', 'no_payment_required')`),
    )
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('amount_subtotal', t.integer, (c) => c.notNull().check(sql`amount_subtotal >= 0`))
    .addColumn('platform_fee', t.integer, (c) => c.notNull().check(sql`platform_fee >= 0`))
    .addColumn('amount_total', t.integer, (c) => c.notNull().check(sql`amount_total >= 0`))
    .addColumn('amount_discount', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`amount_discount >= 0`),
    )
    .addColumn('amount_refunded', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`amount_refunded >= 0`),
    )
    .addColumn('success_url', t.text, (c) => c.notNull())
    .addColumn('cancel_url', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.text, (c) => c.notNull())
    .addColumn('idempotency_key', t.text, (c) => c.notNull())
    .addColumn('request_hash', t.text, (c) => c.notNull())
    .addColumn('stripe_session_id', t.text, (c) => c.unique())
    .addColumn('stripe_payment_intent_id', t.text)
    .addColumn('stripe_promotion_code_id', t.text)
    .addColumn('checkout_url', t.text)
    .addColumn('allow_promotion_codes', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`allow_promotion_codes IN (0, 1)`),
    )
    .addColumn('api_key_id', t.text, (c) => c.references('api_keys.id'))
    .addColumn('payment_link_id', t.text, (c) => c.references('payment_links.id'))
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('fulfilled_at', t.text)
    // Stripe leaves a session whose delayed payment failed `complete` and `unpaid`, like one whose
    // payment is still on its way: this tells them apart, whatever order the events came in.
    .addColumn('payment_failed_at', t.text)
    .addUniqueConstraint('checkout_sessions_idempotency', ['organisation_id', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('checkout_sessions_org_created')
    .on('checkout_sessions')
    .columns(['organisation_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('checkout_sessions_payment_intent')
    .on('checkout_sessions')
    .column('stripe_payment_intent_id')
    .execute();
  await db.schema
    .createIndex('checkout_sessions_payment_link')
    .on('checkout_sessions')
    .column('payment_link_id')
    .where(sql.ref('payment_link_id'), 'is not', null)
    .execute();

  await table('checkout_session_lines')
    .addColumn('checkout_session_id', t.text, (c) => c.notNull().references('checkout_sessions.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('unit_amount', t.integer, (c) => c.notNull().check(sql`unit_amount >= 0`))
    .addPrimaryKeyConstraint('checkout_session_lines_pk', [
      'checkout_session_id',
      'item_id',
      'device_id',
    ])
    .execute();

  await t
    .finish(t.serialIdTable(db.schema.createTable('checkout_attempts')))
    .addColumn('checkout_session_id', t.text, (c) => c.notNull().references('checkout_sessions.id'))
    .addColumn('kind', t.text, (c) =>
      c
        .notNull()
        .check(
          sql`kind IN ('created', 'payment_failed', 'payment_pending', 'paid', 'fulfilled', 'expired', 'cancelled', 'refunded')`,
        ),
    )
    .addColumn('detail', t.text)
    .addColumn('stripe_event_id', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('checkout_attempts_session')
    .on('checkout_attempts')
    .columns(['checkout_session_id', 'id'])
    .execute();
  await refuseChanges(db, dialect, 'checkout_attempts');

  // A device × item × mode in an open checkout is held by it: a second checkout for it is refused
  // by this primary key, whichever instance or request tries, in the transaction that writes it.
  await table('checkout_holds')
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('checkout_session_id', t.text, (c) => c.notNull().references('checkout_sessions.id'))
    .addPrimaryKeyConstraint('checkout_holds_pk', [
      'organisation_id',
      'device_id',
      'item_id',
      'mode',
    ])
    .execute();
  await db.schema
    .createIndex('checkout_holds_session')
    .on('checkout_holds')
    .column('checkout_session_id')
    .execute();

  await table('purchases')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('checkout_session_id', t.text, (c) => c.notNull().references('checkout_sessions.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('amount', t.integer, (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('amount_discount', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`amount_discount >= 0`),
    )
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull().check(sql`status IN ('active', 'refunded')`))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('refunded_at', t.text)
    .addUniqueConstraint('purchases_session_device_item', [
      'checkout_session_id',
      'device_id',
      'item_id',
    ])
    .execute();
  // Support's filters, each walking newest first from where the last page ended.
  for (const [name, columns] of [
    ['purchases_org_created', ['organisation_id', 'created_at', 'id']],
    ['purchases_org_device', ['organisation_id', 'device_id', 'created_at', 'id']],
    ['purchases_org_item', ['organisation_id', 'item_id', 'created_at', 'id']],
    ['purchases_org_status', ['organisation_id', 'status', 'created_at', 'id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('purchases')
      .columns([...columns])
      .execute();
  }

  // The total of a broad filter is a sum over these rows, never a count over millions.
  await table('purchase_counts')
    .addColumn('organisation_id', t.text, (c) => c.notNull())
    .addColumn('day', t.text, (c) => c.notNull())
    .addColumn('mode', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('item_id', t.text, (c) => c.notNull())
    .addColumn('count', t.integer, (c) => c.notNull().check(sql`count >= 0`))
    .addPrimaryKeyConstraint('purchase_counts_pk', [
      'organisation_id',
      'day',
      'mode',
      'status',
      'item_id',
    ])
    .execute();

  await table('entitlements')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('purchase_id', t.text, (c) => c.notNull().unique().references('purchases.id'))
    .addColumn('status', t.text, (c) => c.notNull().check(sql`status IN ('active', 'revoked')`))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('revoked_at', t.text)
    .execute();
  await db.schema
    .createIndex('entitlements_one_active')
    .on('entitlements')
    .columns(['device_id', 'item_id', 'mode'])
    .unique()
    .where(sql.ref('status'), '=', sql.lit('active'))
    .execute();
  await db.schema
    .createIndex('entitlements_org_item')
    .on('entitlements')
    .columns(['organisation_id', 'item_id', 'status'])
    .execute();

  await table('refunds')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('purchase_id', t.text, (c) => c.notNull().unique().references('purchases.id'))
    .addColumn('amount', t.integer, (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status IN ('requested', 'succeeded', 'failed')`),
    )
    .addColumn('stripe_refund_id', t.text)
    // Sent to Stripe with every (re)try of this refund, so a lost answer never refunds twice.
    .addColumn('stripe_idempotency_key', t.text)
    .addColumn('reason', t.text)
    .addColumn('requested_by', t.text, (c) => c.references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('completed_at', t.text)
    .execute();

  await table('webhook_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .addColumn('processed_at', t.text)
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('error', t.text)
    .execute();

  await table('install_jobs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('release_id', t.text, (c) => c.notNull().references('releases.id'))
    .addColumn('entitlement_id', t.text, (c) => c.notNull().references('entitlements.id'))
    .addColumn('status', t.text, (c) =>
      c
        .notNull()
        .check(
          sql`status IN ('queued', 'sent', 'downloading', 'installing', 'succeeded', 'failed', 'cancelled')`,
        ),
    )
    .addColumn('attempt', t.integer, (c) => c.notNull().check(sql`attempt >= 1`))
    .addColumn('retry_of', t.text, (c) => c.unique().references('install_jobs.id'))
    .addColumn('progress', t.integer, (c) => c.check(sql`progress BETWEEN 0 AND 100`))
    .addColumn('reason', t.text)
    .addColumn('created_by', t.text, (c) => c.references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .addColumn('finished_at', t.text)
    .execute();
  // At most one job on its way per device and item.
  await db.schema
    .createIndex('install_jobs_one_active')
    .on('install_jobs')
    .columns(['device_id', 'item_id'])
    .unique()
    .where(sql<boolean>`status IN ('queued', 'sent', 'downloading', 'installing')`)
    .execute();
  for (const [name, columns] of [
    ['install_jobs_org_created', ['organisation_id', 'created_at', 'id']],
    ['install_jobs_org_status', ['organisation_id', 'status', 'created_at', 'id']],
    ['install_jobs_device_item', ['device_id', 'item_id', 'created_at', 'id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('install_jobs')
      .columns([...columns])
      .execute();
  }
  // A device polls for its oldest queued or sent job.
  await db.schema
    .createIndex('install_jobs_device_pending')
    .on('install_jobs')
    .columns(['device_id', 'created_at'])
    .where(sql<boolean>`status IN ('queued', 'sent')`)
    .execute();

  await t
    .finish(t.serialIdTable(db.schema.createTable('install_job_events')))
    .addColumn('job_id', t.text, (c) => c.notNull().references('install_jobs.id'))
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('progress', t.integer)
    .addColumn('detail', t.text)
    .addColumn('actor', t.text, (c) => c.notNull())
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('install_job_events_job')
    .on('install_job_events')
    .columns(['job_id', 'id'])
    .execute();
  await refuseChanges(db, dialect, 'install_job_events');

  // What runs on a device now, per item: written when an install succeeds.
  await table('device_installations')
    .addColumn('device_id', t.text, (c) => c.notNull().references('devices.id'))
    .addColumn('item_id', t.text, (c) => c.notNull().references('marketplace_items.id'))
    .addColumn('release_id', t.text, (c) => c.notNull().references('releases.id'))
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('install_job_id', t.text, (c) => c.notNull().references('install_jobs.id'))
    .addColumn('installed_at', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('device_installations_pk', ['device_id', 'item_id'])
    .execute();

  await table('webhook_endpoints')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('url', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('secret', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull().references('users.id'))
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('disabled_at', t.text)
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_org')
    .on('webhook_endpoints')
    .columns(['organisation_id', 'mode'])
    .execute();

  await table('webhook_endpoint_events')
    .addColumn('endpoint_id', t.text, (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('event_type', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_endpoint_events_pk', ['endpoint_id', 'event_type'])
    .execute();

  await table('provider_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('mode', t.text, (c) => c.notNull().check(sql`mode IN ('test', 'live')`))
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('payload', t.text, (c) => c.notNull())
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();

  await table('webhook_deliveries')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('organisation_id', t.text, (c) => c.notNull().references('organisations.id'))
    .addColumn('endpoint_id', t.text, (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('event_id', t.text, (c) => c.notNull().references('provider_events.id'))
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status IN ('pending', 'succeeded', 'failed')`),
    )
    .addColumn('attempts', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`attempts >= 0`),
    )
    .addColumn('next_attempt_at', t.text)
    .addColumn('last_attempt_at', t.text)
    .addColumn('last_status_code', t.integer)
    .addColumn('last_error', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('completed_at', t.text)
    .addUniqueConstraint('webhook_deliveries_event_endpoint', ['event_id', 'endpoint_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'created_at', 'id'])
    .execute();

  await t
    .finish(t.serialIdTable(db.schema.createTable('webhook_delivery_attempts')))
    .addColumn('delivery_id', t.text, (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('attempted_at', t.text, (c) => c.notNull())
    .addColumn('status_code', t.integer)
    .addColumn('error', t.text)
    .addColumn('duration_ms', t.integer, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_delivery_attempts_delivery')
    .on('webhook_delivery_attempts')
    .columns(['delivery_id', 'id'])
    .execute();
  await refuseChanges(db, dialect, 'webhook_delivery_attempts');

  await table('outbox')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('topic', t.text, (c) => c.notNull())
    .addColumn('dedupe_key', t.text)
    .addColumn('payload', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status IN ('pending', 'done', 'failed')`),
    )
    .addColumn('attempts', t.integer, (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`attempts >= 0`),
    )
    .addColumn('run_at', t.text, (c) => c.notNull())
    .addColumn('last_error', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('finished_at', t.text)
    .execute();
  await db.schema
    .createIndex('outbox_due')
    .on('outbox')
    .column('run_at')
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema
    .createIndex('outbox_pending_key')
    .on('outbox')
    .column('dedupe_key')
    .unique()
    .where(sql<boolean>`status = 'pending' AND dedupe_key IS NOT NULL`)
    .execute();
}
