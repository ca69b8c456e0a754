import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import {
  providerEventTypeSchema,
  type CheckoutMode,
  type CreatedWebhookEndpoint,
  type ProviderEventType,
} from '@repo/schemas';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { formatDateTime } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { useCreateWebhookEndpoint } from '../api/mutations';
import { webhookEndpointsQueryOptions } from '../api/queries';
import { SecretOnce } from './copy-field';
import { ErrorDetails } from '../../../components/error-details';

export const EVENT_LABELS: Record<ProviderEventType, string> = {
  'purchase.activated': 'A purchase is paid and active',
  'purchase.refunded': 'A purchase is refunded',
  'install.succeeded': 'An install succeeded',
  'install.failed': 'An install failed',
  'rollout.paused': 'A rollout paused, with the reason',
  'rollout.completed': 'A rollout completed',
};

function RegisterEndpointForm({
  onCreated,
}: {
  onCreated: (endpoint: CreatedWebhookEndpoint) => void;
}) {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [mode, setMode] = useState<CheckoutMode>('test');
  const [eventTypes, setEventTypes] = useState<ProviderEventType[]>([
    ...providerEventTypeSchema.options,
  ]);
  const toggle = (type: ProviderEventType) =>
    setEventTypes((list) =>
      list.includes(type) ? list.filter((t) => t !== type) : [...list, type],
    );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { url: url.trim(), description: description.trim() || undefined, mode, eventTypes },
      {
        onSuccess: (endpoint) => {
          setUrl('');
          setDescription('');
          onCreated(endpoint);
        },
      },
    );
  };
  return (
    <form className="form panel" onSubmit={submit} aria-labelledby="new-endpoint-heading">
      <h2 id="new-endpoint-heading">Register an endpoint</h2>
      <label className="field">
        <span>Endpoint URL</span>
        <input
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          placeholder="https://shop.example.com/marketplace-events"
        />
      </label>
      <label className="field">
        <span>Description (optional)</span>
        <input
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={200}
        />
      </label>
      <label className="field">
        <span>Mode</span>
        <select value={mode} onChange={(e) => setMode(e.target.value as CheckoutMode)}>
          <option value="test">Test mode</option>
          <option value="live">Live mode (https only)</option>
        </select>
      </label>
      <fieldset className="field">
        <legend>Events to send</legend>
        {providerEventTypeSchema.options.map((type) => (
          <label key={type} className="field--inline">
            <input
              type="checkbox"
              checked={eventTypes.includes(type)}
              onChange={() => toggle(type)}
            />{' '}
            <code>{type}</code> — {EVENT_LABELS[type]}
          </label>
        ))}
      </fieldset>
      <ErrorDetails error={create.error} title="The endpoint was not registered." />
      <button
        type="submit"
        className="button button--primary"
        disabled={create.isPending || !url.trim() || eventTypes.length === 0}
      >
        {create.isPending ? 'Registering…' : 'Register endpoint'}
      </button>
    </form>
  );
}

export function WebhookEndpointsPage() {
  const endpoints = useQuery(webhookEndpointsQueryOptions());
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  return (
    <div className="developers">
      {created ? (
        <SecretOnce
          title="Endpoint registered"
          label="Signing secret"
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      ) : (
        <RegisterEndpointForm onCreated={setCreated} />
      )}
      <section aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Your endpoints</h2>
        <p className="small muted">
          Each event is a JSON <code>POST</code> signed with the endpoint's secret: the{' '}
          <code>Marketplace-Signature</code> header is{' '}
          <code>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>. Failed
          deliveries are retried for about a day.
        </p>
        {endpoints.isPending ? (
          <Spinner label="Loading endpoints…" />
        ) : endpoints.isError ? (
          <ErrorState error={endpoints.error} onRetry={() => endpoints.refetch()} />
        ) : endpoints.data.items.length === 0 ? (
          <EmptyState title="No endpoints yet">
            <p>Register one above to hear about purchases and installs on your own server.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Events</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.data.items.map((endpoint) => (
                  <tr key={endpoint.id}>
                    <td>
                      <Link to={`/developers/webhooks/${endpoint.id}`} className="mono">
                        {endpoint.url}
                      </Link>
                      {endpoint.description && (
                        <div className="small muted">{endpoint.description}</div>
                      )}
                    </td>
                    <td>
                      <ModeBadge mode={endpoint.mode} />
                    </td>
                    <td className="small">{endpoint.eventTypes.join(', ')}</td>
                    <td>
                      {endpoint.disabledAt ? (
                        <span className="badge badge--muted">
                          Disabled {formatDateTime(endpoint.disabledAt)}
                        </span>
                      ) : (
                        <span className="badge badge--ok">Enabled</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
