import type {
  CheckoutMode,
  InstallJob,
  ProviderEvent,
  ProviderEventData,
  ProviderEventType,
} from '@repo/schemas';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../db/database';
import { newId } from '../../ids';
import {
  createStorefrontPurchases,
  type StorefrontPurchases,
} from '../storefront/storefront-purchases';

/** An event for providers' endpoints; `data` has exactly the shape its type promises. */
export type ProviderEventInput = {
  [T in ProviderEventType]: {
    organisationId: string;
    mode: CheckoutMode;
    type: T;
    data: ProviderEventData[T];
  };
}[ProviderEventType];

type Statements = {
  subscribed: BetterSqlite3.Statement<unknown[]>;
  insertEvent: BetterSqlite3.Statement<unknown[]>;
  insertDelivery: BetterSqlite3.Statement<unknown[]>;
  organisationOfSession: BetterSqlite3.Statement<unknown[]>;
  purchases: StorefrontPurchases;
};

const statementsByDb = new WeakMap<Database, Statements>();
const wakeUpsByDb = new WeakMap<Database, Set<() => void>>();

function statements(db: Database): Statements {
  let s = statementsByDb.get(db);
  if (!s) {
    s = {
      subscribed: db
        .prepare(
          `SELECT id FROM webhook_endpoints
           WHERE organisation_id = ? AND mode = ? AND disabled_at IS NULL
             AND EXISTS (SELECT 1 FROM json_each(event_types) WHERE value = ?)`,
        )
        .pluck(),
      insertEvent: db.prepare(
        `INSERT INTO provider_events (id, organisation_id, mode, type, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      insertDelivery: db.prepare(
        `INSERT INTO webhook_deliveries (id, organisation_id, endpoint_id, event_id, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      ),
      organisationOfSession: db
        .prepare('SELECT organisation_id FROM checkout_sessions WHERE id = ?')
        .pluck(),
      purchases: createStorefrontPurchases(db),
    };
    statementsByDb.set(db, s);
  }
  return s;
}

/** Lets a dispatcher hear about new deliveries at once instead of at its next poll. */
export function onProviderEventRecorded(db: Database, wakeUp: () => void): () => void {
  let set = wakeUpsByDb.get(db);
  if (!set) wakeUpsByDb.set(db, (set = new Set()));
  set.add(wakeUp);
  return () => set.delete(wakeUp);
}

export function wakeDispatchers(db: Database): void {
  const set = wakeUpsByDb.get(db);
  // After the caller's transaction has committed: better-sqlite3 transactions are synchronous.
  if (set?.size) setImmediate(() => set.forEach((wakeUp) => wakeUp()));
}

/**
 * Records an event for every enabled endpoint of the organisation and mode that subscribed to
 * its type. Call it inside the transaction that makes the change it reports, so that the event
 * exists if and only if the change does. Returns the event id, or null when nobody listens.
 */
export function recordProviderEvent(db: Database, input: ProviderEventInput): string | null {
  const s = statements(db);
  const endpointIds = s.subscribed.all(input.organisationId, input.mode, input.type) as string[];
  if (endpointIds.length === 0) return null;
  const now = new Date().toISOString();
  const event = {
    id: newId('evt'),
    type: input.type,
    createdAt: now,
    mode: input.mode,
    data: input.data,
  } as ProviderEvent;
  s.insertEvent.run(
    event.id,
    input.organisationId,
    input.mode,
    input.type,
    JSON.stringify(event),
    now,
  );
  for (const endpointId of endpointIds)
    s.insertDelivery.run(newId('whd'), input.organisationId, endpointId, event.id, now, now);
  wakeDispatchers(db);
  return event.id;
}

/** `purchase.activated` for each purchase fulfillment just created in a session. */
export function recordPurchasesActivated(
  db: Database,
  checkoutSessionId: string,
  except: ReadonlySet<string> = new Set(),
): void {
  for (const purchase of statements(db).purchases.bySession(checkoutSessionId)) {
    if (except.has(purchase.id)) continue;
    recordProviderEvent(db, {
      organisationId: organisationOf(db, purchase.checkoutSessionId),
      mode: purchase.mode,
      type: 'purchase.activated',
      data: { object: purchase },
    });
  }
}

/** `purchase.refunded` once a refund has ended a purchase. */
export function recordPurchaseRefunded(db: Database, purchaseId: string): void {
  const purchase = statements(db).purchases.byId(purchaseId);
  if (!purchase) return;
  recordProviderEvent(db, {
    organisationId: organisationOf(db, purchase.checkoutSessionId),
    mode: purchase.mode,
    type: 'purchase.refunded',
    data: { object: purchase },
  });
}

/**
 * `install.succeeded` or `install.failed` for a finished install job, in the job's transaction.
 * Install jobs carry no mode of their own; it is the mode of the entitlement they install under.
 */
export function recordInstallFinished(
  db: Database,
  input: { organisationId: string; mode: CheckoutMode; job: InstallJob },
): string | null {
  if (input.job.status !== 'succeeded' && input.job.status !== 'failed') return null;
  return recordProviderEvent(db, {
    organisationId: input.organisationId,
    mode: input.mode,
    type: input.job.status === 'succeeded' ? 'install.succeeded' : 'install.failed',
    data: { object: input.job },
  });
}

const organisationOf = (db: Database, checkoutSessionId: string) =>
  statements(db).organisationOfSession.get(checkoutSessionId) as string;
