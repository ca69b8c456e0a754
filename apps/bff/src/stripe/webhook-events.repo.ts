import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../db/database';

/** Every Stripe event received, by its id: the dedupe key of webhooks. */
export function createWebhookEventsRepo(database: Database) {
  return {
    /**
     * Claims the event for processing in the caller's transaction; false when it was already
     * processed (or is being processed by another transaction, which this one waits for). An
     * event refused earlier may come again, put right: it is then processed like a new one.
     */
    async claim(event: { id: string; mode: CheckoutMode; type: string }): Promise<boolean> {
      const result = await database.db
        .insertInto('webhookEvents')
        .values({
          id: event.id,
          mode: event.mode,
          type: event.type,
          receivedAt: new Date().toISOString(),
          processedAt: null,
          outcome: 'processing',
          error: null,
        })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              type: eb.ref('excluded.type'),
              receivedAt: eb.ref('excluded.receivedAt'),
              outcome: 'processing',
              processedAt: null,
              error: null,
            }))
            .where('webhookEvents.outcome', '=', 'rejected'),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async finish(id: string, outcome: string): Promise<void> {
      await database.db
        .updateTable('webhookEvents')
        .set({ outcome, processedAt: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
    },

    /** Records a refused event; a refusal never overwrites an event that was processed. */
    async recordRejected(event: {
      id: string;
      mode: CheckoutMode;
      type: string;
      error: string;
    }): Promise<void> {
      const now = new Date().toISOString();
      await database.db
        .insertInto('webhookEvents')
        .values({
          id: event.id,
          mode: event.mode,
          type: event.type,
          receivedAt: now,
          processedAt: now,
          outcome: 'rejected',
          error: event.error,
        })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              receivedAt: eb.ref('excluded.receivedAt'),
              processedAt: eb.ref('excluded.processedAt'),
              error: eb.ref('excluded.error'),
            }))
            .where('webhookEvents.outcome', '=', 'rejected'),
        )
        .execute();
    },
  };
}
export type WebhookEventsRepo = ReturnType<typeof createWebhookEventsRepo>;
