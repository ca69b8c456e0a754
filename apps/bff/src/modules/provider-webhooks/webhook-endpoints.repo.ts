import type {
  CheckoutMode,
  ProviderEventType,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Row } from '../../db/schema';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';
import { webhookSecretContext, type SecretBox } from '../../security/secret-box';

type EndpointRow = Pick<
  Row<'webhookEndpoints'>,
  'id' | 'url' | 'description' | 'mode' | 'createdAt' | 'disabledAt'
>;

export function createWebhookEndpointsRepo(database: Database, secrets: SecretBox) {
  const endpointsOfOrg = (organisationId: string) =>
    database.db
      .selectFrom('webhookEndpoints')
      .select(['id', 'url', 'description', 'mode', 'createdAt', 'disabledAt'])
      .where('organisationId', '=', organisationId);

  /** Each endpoint with the event types it subscribed to, read in a second query. */
  async function withEventTypes(rows: EndpointRow[]): Promise<WebhookEndpoint[]> {
    const subscriptions =
      rows.length === 0
        ? []
        : await database.db
            .selectFrom('webhookEndpointEvents')
            .select(['endpointId', 'eventType'])
            .where(
              'endpointId',
              'in',
              rows.map((row) => row.id),
            )
            .orderBy('eventType')
            .execute();
    const byEndpoint = new Map<string, ProviderEventType[]>();
    for (const { endpointId, eventType } of subscriptions) {
      const list = byEndpoint.get(endpointId) ?? [];
      list.push(eventType);
      byEndpoint.set(endpointId, list);
    }
    return rows.map((row) => ({ ...row, eventTypes: byEndpoint.get(row.id) ?? [] }));
  }

  const deliveriesOf = (endpointId: string) =>
    database.db
      .selectFrom('webhookDeliveries as d')
      .innerJoin('providerEvents as p', 'p.id', 'd.eventId')
      .select([
        'd.id',
        'd.endpointId',
        'd.eventId',
        'p.type as eventType',
        'd.status',
        'd.attempts',
        'd.nextAttemptAt',
        'd.lastAttemptAt',
        'd.lastStatusCode',
        'd.lastError',
        'd.createdAt',
        'd.completedAt',
      ])
      .where('d.endpointId', '=', endpointId);

  return {
    /** The secret is sealed with the secrets key; the event types become subscription rows. */
    async insert(endpoint: {
      id: string;
      organisationId: string;
      mode: CheckoutMode;
      url: string;
      description: string | null;
      secret: string;
      eventTypes: ProviderEventType[];
      createdBy: string;
      createdAt: string;
    }): Promise<void> {
      const { db } = database;
      await db
        .insertInto('webhookEndpoints')
        .values({
          id: endpoint.id,
          organisationId: endpoint.organisationId,
          mode: endpoint.mode,
          url: endpoint.url,
          description: endpoint.description,
          secret: secrets.seal(endpoint.secret, webhookSecretContext(endpoint.id)),
          createdBy: endpoint.createdBy,
          createdAt: endpoint.createdAt,
        })
        .execute();
      if (endpoint.eventTypes.length === 0) return;
      await db
        .insertInto('webhookEndpointEvents')
        .values(endpoint.eventTypes.map((eventType) => ({ endpointId: endpoint.id, eventType })))
        .execute();
    },

    /** Enabled endpoints first, newest first. */
    async list(organisationId: string): Promise<WebhookEndpoint[]> {
      const rows = await endpointsOfOrg(organisationId)
        .orderBy((eb) => eb.case().when('disabledAt', 'is', null).then(0).else(1).end())
        .orderBy('createdAt', 'desc')
        .orderBy('id')
        .execute();
      return withEventTypes(rows);
    },

    async find(organisationId: string, id: string): Promise<WebhookEndpoint | undefined> {
      const row = await endpointsOfOrg(organisationId).where('id', '=', id).executeTakeFirst();
      return row && (await withEventTypes([row]))[0];
    },

    /** False when it was already disabled (or is not the organisation's). */
    async disable(organisationId: string, id: string, at: string): Promise<boolean> {
      const result = await database.db
        .updateTable('webhookEndpoints')
        .set({ disabledAt: at })
        .where('organisationId', '=', organisationId)
        .where('id', '=', id)
        .where('disabledAt', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** A disabled endpoint gets nothing more, not even what was already queued for it. */
    async dropPending(endpointId: string, at: string): Promise<void> {
      await database.db
        .updateTable('webhookDeliveries')
        .set({
          status: 'failed',
          nextAttemptAt: null,
          completedAt: at,
          lastError: 'The endpoint was disabled.',
        })
        .where('endpointId', '=', endpointId)
        .where('status', '=', 'pending')
        .execute();
    },

    /** Newest first: what the provider is looking for is usually what just happened. */
    async deliveries(
      endpointId: string,
      query: { status?: WebhookDelivery['status']; cursor?: string; limit: number },
    ): Promise<WebhookDeliveriesPage> {
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const rows = await deliveriesOf(endpointId)
        .$if(query.status !== undefined, (q) => q.where('d.status', '=', query.status!))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb(eb.refTuple('d.createdAt', 'd.id'), '<', eb.tuple(after!.createdAt, after!.id)),
          ),
        )
        .orderBy('d.createdAt', 'desc')
        .orderBy('d.id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const { total } = await database.db
        .selectFrom('webhookDeliveries')
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where('endpointId', '=', endpointId)
        .$if(query.status !== undefined, (q) => q.where('status', '=', query.status!))
        .executeTakeFirstOrThrow();
      return {
        ...keysetPage(
          rows,
          query.limit,
          (row) => row,
          (last) => ({
            createdAt: last.createdAt,
            id: last.id,
          }),
        ),
        total,
      };
    },

    delivery(endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
      return deliveriesOf(endpointId).where('d.id', '=', id).executeTakeFirst();
    },

    /**
     * A failed delivery gets one more try now; false when it had not failed or its endpoint is
     * disabled (a disabling that runs at the same moment drops it again).
     */
    async resend(id: string, at: string): Promise<boolean> {
      const result = await database.db
        .updateTable('webhookDeliveries as d')
        .set({ status: 'pending', nextAttemptAt: at, completedAt: null })
        .where('d.id', '=', id)
        .where('d.status', '=', 'failed')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('webhookEndpoints as e')
              .select('e.id')
              .whereRef('e.id', '=', 'd.endpointId')
              .where('e.disabledAt', 'is', null),
          ),
        )
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
export type WebhookEndpointsRepo = ReturnType<typeof createWebhookEndpointsRepo>;
