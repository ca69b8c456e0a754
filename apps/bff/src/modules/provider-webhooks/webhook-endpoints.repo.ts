import type {
  CheckoutMode,
  ProviderEventType,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { webhookSecretContext, type SecretBox } from '../../security/secret-box';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';

type EndpointRow = Omit<WebhookEndpoint, 'eventTypes'> & { eventTypes: string };

const ENDPOINT_COLUMNS = `id, url, description, mode, event_types AS eventTypes, created_at AS createdAt,
  disabled_at AS disabledAt`;

const DELIVERY_COLUMNS = `d.id, d.endpoint_id AS endpointId, d.event_id AS eventId, p.type AS eventType,
  d.status, d.attempts, d.next_attempt_at AS nextAttemptAt, d.last_attempt_at AS lastAttemptAt,
  d.last_status_code AS lastStatusCode, d.last_error AS lastError, d.created_at AS createdAt,
  d.completed_at AS completedAt`;

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  ...row,
  eventTypes: JSON.parse(row.eventTypes) as ProviderEventType[],
});

export function createWebhookEndpointsRepo(db: Database, secrets: SecretBox) {
  const s = {
    insert: db.prepare(
      `INSERT INTO webhook_endpoints (id, organisation_id, mode, url, description, secret, event_types,
         created_by, created_at)
       VALUES (@id, @organisationId, @mode, @url, @description, @secret, @eventTypes, @createdBy, @createdAt)`,
    ),
    list: db.prepare(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = ?
       ORDER BY disabled_at IS NOT NULL, created_at DESC, id`,
    ),
    find: db.prepare(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = ? AND id = ?`,
    ),
    disable: db.prepare(
      `UPDATE webhook_endpoints SET disabled_at = ? WHERE organisation_id = ? AND id = ? AND disabled_at IS NULL`,
    ),
    // A disabled endpoint gets nothing more, not even what was already queued for it.
    dropPending: db.prepare(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, completed_at = ?,
         last_error = 'The endpoint was disabled.'
       WHERE endpoint_id = ? AND status = 'pending'`,
    ),
    deliveries: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN provider_events p ON p.id = d.event_id
       WHERE d.endpoint_id = @endpointId AND (@status IS NULL OR d.status = @status)
         AND (@afterCreatedAt IS NULL OR (d.created_at, d.id) < (@afterCreatedAt, @afterId))
       ORDER BY d.created_at DESC, d.id DESC LIMIT @limit`,
    ),
    countDeliveries: db
      .prepare(
        `SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = @endpointId
           AND (@status IS NULL OR status = @status)`,
      )
      .pluck(),
    delivery: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN provider_events p ON p.id = d.event_id
       WHERE d.endpoint_id = ? AND d.id = ?`,
    ),
    resend: db.prepare(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, completed_at = NULL
       WHERE id = ? AND status = 'failed'`,
    ),
  };

  return {
    insert(endpoint: {
      id: string;
      organisationId: string;
      mode: CheckoutMode;
      url: string;
      description: string | null;
      secret: string;
      eventTypes: ProviderEventType[];
      createdBy: string;
      createdAt: string;
    }): void {
      s.insert.run({
        ...endpoint,
        secret: secrets.seal(endpoint.secret, webhookSecretContext(endpoint.id)),
        eventTypes: JSON.stringify(endpoint.eventTypes),
      });
    },
    list: (organisationId: string) => (s.list.all(organisationId) as EndpointRow[]).map(toEndpoint),
    find(organisationId: string, id: string): WebhookEndpoint | undefined {
      const row = s.find.get(organisationId, id) as EndpointRow | undefined;
      return row && toEndpoint(row);
    },
    disable(organisationId: string, id: string): boolean {
      const now = new Date().toISOString();
      return db.transaction(() => {
        if (s.disable.run(now, organisationId, id).changes === 0) return false;
        s.dropPending.run(now, id);
        return true;
      })();
    },
    /** Newest first: what the provider is looking for is usually what just happened. */
    deliveries(
      endpointId: string,
      query: { status?: WebhookDelivery['status']; cursor?: string; limit: number },
    ): WebhookDeliveriesPage {
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const filter = { endpointId, status: query.status ?? null };
      const rows = s.deliveries.all({
        ...filter,
        afterCreatedAt: after?.createdAt ?? null,
        afterId: after?.id ?? null,
        limit: query.limit + 1,
      }) as WebhookDelivery[];
      return {
        ...keysetPage(
          rows,
          query.limit,
          (row) => row,
          (last) => ({ createdAt: last.createdAt, id: last.id }),
        ),
        total: s.countDeliveries.get(filter) as number,
      };
    },
    delivery: (endpointId: string, id: string) =>
      s.delivery.get(endpointId, id) as WebhookDelivery | undefined,
    /** A failed delivery gets one more try now; false when it had not failed. */
    resend: (id: string) => s.resend.run(new Date().toISOString(), id).changes > 0,
  };
}
export type WebhookEndpointsRepo = ReturnType<typeof createWebhookEndpointsRepo>;
