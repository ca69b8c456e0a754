import { useState } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { webhookDeliveryStatusSchema, type WebhookDeliveryStatus } from '@repo/schemas';
import { LoadMoreButton } from '../../../components/load-more';
import { PageHeader } from '../../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { formatDateTime } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { useDisableWebhookEndpoint, useResendDelivery } from '../api/mutations';
import { webhookDeliveriesQueryOptions, webhookEndpointsQueryOptions } from '../api/queries';
import { ErrorDetails } from '../../../components/error-details';

const STATUS_BADGE: Record<WebhookDeliveryStatus, { label: string; tone: string }> = {
  pending: { label: 'Retrying', tone: 'muted' },
  succeeded: { label: 'Delivered', tone: 'ok' },
  failed: { label: 'Failed', tone: 'danger' },
};

export function WebhookDeliveriesPage({ endpointId }: { endpointId: string }) {
  const endpoints = useQuery(webhookEndpointsQueryOptions());
  const endpoint = endpoints.data?.items.find((e) => e.id === endpointId);
  const [status, setStatus] = useState<WebhookDeliveryStatus | undefined>(undefined);
  const deliveries = useInfiniteQuery(webhookDeliveriesQueryOptions(endpointId, status));
  const resend = useResendDelivery(endpointId);
  const disable = useDisableWebhookEndpoint();

  if (endpoints.isPending) return <Spinner label="Loading the endpoint…" />;
  if (endpoints.isError)
    return <ErrorState error={endpoints.error} onRetry={() => endpoints.refetch()} />;
  if (!endpoint)
    return (
      <EmptyState title="No such endpoint">
        <p>
          <Link to="/developers/webhooks">Back to your endpoints</Link>
        </p>
      </EmptyState>
    );

  const rows = deliveries.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeader
        title="Webhook deliveries"
        description={
          <>
            <span className="mono">{endpoint.url}</span> <ModeBadge mode={endpoint.mode} />
          </>
        }
        actions={
          <>
            <Link to="/developers/webhooks">All endpoints</Link>{' '}
            {!endpoint.disabledAt && (
              <button
                type="button"
                className="button button--small button--danger"
                onClick={() => disable.mutate(endpoint.id)}
                disabled={disable.isPending}
              >
                Disable endpoint
              </button>
            )}
          </>
        }
      />
      {endpoint.disabledAt && (
        <p className="form-error" role="status">
          This endpoint was disabled on {formatDateTime(endpoint.disabledAt)}; nothing more is sent
          to it.
        </p>
      )}
      <label className="field field--inline">
        <span>Show</span>
        <select
          value={status ?? ''}
          onChange={(e) =>
            setStatus((e.target.value || undefined) as WebhookDeliveryStatus | undefined)
          }
        >
          <option value="">All deliveries</option>
          {webhookDeliveryStatusSchema.options.map((s) => (
            <option key={s} value={s}>
              {STATUS_BADGE[s].label}
            </option>
          ))}
        </select>
      </label>
      {resend.isError && <ErrorDetails error={resend.error} title="Not resent." />}
      {deliveries.isPending ? (
        <Spinner label="Loading deliveries…" />
      ) : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => deliveries.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No deliveries yet">
          <p>Events appear here as purchases and installs happen.</p>
        </EmptyState>
      ) : (
        <section aria-label="Deliveries">
          <div className="table-wrap" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Tries</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">When</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <code>{d.eventType}</code>
                      <div className="small muted mono">{d.eventId}</div>
                    </td>
                    <td>
                      <span className={`badge badge--${STATUS_BADGE[d.status].tone}`}>
                        {STATUS_BADGE[d.status].label}
                      </span>
                      {d.status === 'pending' && d.nextAttemptAt && (
                        <div className="small muted">
                          next try {formatDateTime(d.nextAttemptAt)}
                        </div>
                      )}
                    </td>
                    <td>{d.attempts}</td>
                    <td className="small">
                      {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : ''}
                      {d.lastError && <div className="muted">{d.lastError}</div>}
                    </td>
                    <td className="small">{formatDateTime(d.lastAttemptAt ?? d.createdAt)}</td>
                    <td>
                      {d.status === 'failed' && !endpoint.disabledAt && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => resend.mutate(d.id)}
                          disabled={resend.isPending}
                          aria-label={`Resend ${d.eventType} ${d.eventId}`}
                        >
                          Resend
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreButton query={deliveries} label="Show older deliveries" />
        </section>
      )}
    </>
  );
}
