import type { CheckoutMode, ProviderEventType } from '@repo/schemas';
import type { Database } from '../../db/database';
import { newId } from '../../ids';

/** A delivery a dispatcher has claimed, with what it needs to send it. */
export type ClaimedDelivery = {
  id: string;
  /** Tries made before this one. */
  attempts: number;
  endpointId: string;
  url: string;
  /** Sealed with the secrets key, as stored. */
  secret: string;
  eventId: string;
  eventType: string;
  payload: string;
};

export type DeliveryOutcome = {
  status: 'pending' | 'succeeded' | 'failed';
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
};

/** The outbox of providers' events: events, their deliveries, and every try to send one. */
export function createWebhookDeliveriesRepo(database: Database) {
  return {
    /**
     * Enabled endpoints of the organisation and mode that subscribed to the type. Locked until the
     * caller's transaction ends, so that an endpoint disabled meanwhile either is seen disabled
     * here or has the deliveries written here dropped by its disabling.
     */
    async subscribedEndpoints(
      organisationId: string,
      mode: CheckoutMode,
      type: ProviderEventType,
    ): Promise<string[]> {
      const rows = await database
        .forUpdate(
          database.db
            .selectFrom('webhookEndpoints')
            .select('id')
            .where('organisationId', '=', organisationId)
            .where('mode', '=', mode)
            .where('disabledAt', 'is', null)
            .where((eb) =>
              eb.exists(
                eb
                  .selectFrom('webhookEndpointEvents')
                  .select('endpointId')
                  .whereRef('webhookEndpointEvents.endpointId', '=', 'webhookEndpoints.id')
                  .where('eventType', '=', type),
              ),
            )
            .orderBy('id'),
        )
        .execute();
      return rows.map((row) => row.id);
    },

    /** The event and one pending delivery per endpoint, due at once. */
    async insertEvent(event: {
      id: string;
      organisationId: string;
      mode: CheckoutMode;
      type: ProviderEventType;
      payload: string;
      createdAt: string;
      endpointIds: string[];
    }): Promise<void> {
      const { db } = database;
      await db
        .insertInto('providerEvents')
        .values({
          id: event.id,
          organisationId: event.organisationId,
          mode: event.mode,
          type: event.type,
          payload: event.payload,
          createdAt: event.createdAt,
        })
        .execute();
      if (event.endpointIds.length === 0) return;
      await db
        .insertInto('webhookDeliveries')
        .values(
          event.endpointIds.map((endpointId) => ({
            id: newId('whd'),
            organisationId: event.organisationId,
            endpointId,
            eventId: event.id,
            status: 'pending' as const,
            nextAttemptAt: event.createdAt,
            createdAt: event.createdAt,
          })),
        )
        .execute();
    },

    async organisationOfSession(checkoutSessionId: string): Promise<string> {
      const row = await database.db
        .selectFrom('checkoutSessions')
        .select('organisationId')
        .where('id', '=', checkoutSessionId)
        .executeTakeFirstOrThrow();
      return row.organisationId;
    },

    /**
     * Takes up to `limit` due deliveries to enabled endpoints and hides them from every other
     * dispatcher until `leaseUntil`, in one short transaction. On PostgreSQL the rows another
     * instance is claiming at the same moment are skipped, not waited for.
     */
    claimDue(now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]> {
      return database.transaction(async () => {
        const { db } = database;
        const due = await database
          .forUpdate(
            db
              .selectFrom('webhookDeliveries')
              .select('id')
              .where('status', '=', 'pending')
              .where('nextAttemptAt', '<=', now)
              // A subquery rather than a join: only the delivery rows are locked.
              .where((eb) =>
                eb.exists(
                  eb
                    .selectFrom('webhookEndpoints')
                    .select('id')
                    .whereRef('webhookEndpoints.id', '=', 'webhookDeliveries.endpointId')
                    .where('disabledAt', 'is', null),
                ),
              )
              .orderBy('nextAttemptAt')
              .orderBy('id')
              .limit(limit),
            { skipLocked: true },
          )
          .execute();
        if (due.length === 0) return [];
        const ids = due.map((row) => row.id);
        await db
          .updateTable('webhookDeliveries')
          .set({ nextAttemptAt: leaseUntil })
          .where('id', 'in', ids)
          .execute();
        return db
          .selectFrom('webhookDeliveries as d')
          .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
          .innerJoin('providerEvents as p', 'p.id', 'd.eventId')
          .select([
            'd.id',
            'd.attempts',
            'e.id as endpointId',
            'e.url',
            'e.secret',
            'd.eventId',
            'p.type as eventType',
            'p.payload',
          ])
          .where('d.id', 'in', ids)
          .orderBy('d.nextAttemptAt')
          .orderBy('d.id')
          .execute();
      });
    },

    /**
     * Logs a try and gives the delivery its outcome. Only a delivery still pending, and still at
     * the try count its claim saw, takes the outcome: disabling the endpoint meanwhile ended it,
     * and a dispatcher whose lease ran out does not overwrite the one that claimed it after.
     */
    record(delivery: ClaimedDelivery, outcome: DeliveryOutcome, at: string): Promise<void> {
      return database.transaction(async () => {
        const { db } = database;
        await db
          .insertInto('webhookDeliveryAttempts')
          .values({
            deliveryId: delivery.id,
            attemptedAt: at,
            statusCode: outcome.statusCode,
            error: outcome.error,
            durationMs: outcome.durationMs,
          })
          .execute();
        await db
          .updateTable('webhookDeliveries')
          .set({
            status: outcome.status,
            attempts: delivery.attempts + 1,
            nextAttemptAt: outcome.nextAttemptAt,
            lastAttemptAt: at,
            lastStatusCode: outcome.statusCode,
            lastError: outcome.error,
            completedAt: outcome.status === 'pending' ? null : at,
          })
          .where('id', '=', delivery.id)
          .where('status', '=', 'pending')
          .where('attempts', '=', delivery.attempts)
          .execute();
      });
    },

    /** When the earliest pending delivery to an enabled endpoint is due (perhaps now), or null. */
    async nextDueAt(): Promise<string | null> {
      const row = await database.db
        .selectFrom('webhookDeliveries as d')
        .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
        .select((eb) => eb.fn.min('d.nextAttemptAt').as('next'))
        .where('d.status', '=', 'pending')
        .where('e.disabledAt', 'is', null)
        .executeTakeFirst();
      return row?.next ?? null;
    },
  };
}
export type WebhookDeliveriesRepo = ReturnType<typeof createWebhookDeliveriesRepo>;
