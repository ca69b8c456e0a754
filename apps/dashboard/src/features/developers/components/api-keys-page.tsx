import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ApiKey, CheckoutMode, CreatedApiKey } from '@repo/schemas';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { useCreateApiKey, useRevokeApiKey } from '../api/mutations';
import { apiKeysQueryOptions } from '../api/queries';
import { SecretOnce } from './copy-field';
import { ErrorDetails } from '../../../components/error-details';

/** Origins typed one per line or separated by commas or spaces. */
const parseOrigins = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);

function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<CheckoutMode>('test');
  const [origins, setOrigins] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), mode, allowedOrigins: parseOrigins(origins) },
      {
        onSuccess: (key) => {
          setName('');
          setOrigins('');
          onCreated(key);
        },
      },
    );
  };
  return (
    <form className="form panel" onSubmit={submit} aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">Create an API key</h2>
      <label className="field">
        <span>Name</span>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={80}
          placeholder="Web shop backend"
        />
      </label>
      <fieldset className="field">
        <legend>Mode</legend>
        <label className="field--inline">
          <input
            type="radio"
            name="key-mode"
            checked={mode === 'test'}
            onChange={() => setMode('test')}
          />{' '}
          Test mode
        </label>{' '}
        <label className="field--inline">
          <input
            type="radio"
            name="key-mode"
            checked={mode === 'live'}
            onChange={() => setMode('live')}
          />{' '}
          Live mode (real payments)
        </label>
      </fieldset>
      <div className="field">
        <label htmlFor="key-origins">Allowed return origins</label>
        <textarea
          id="key-origins"
          rows={2}
          value={origins}
          onChange={(e) => setOrigins(e.target.value)}
          placeholder="https://shop.example.com"
          aria-describedby="origins-help"
        />
        <span id="origins-help" className="small muted">
          Where customers may come back to after paying: one origin per line (https, or http for
          localhost).
        </span>
      </div>
      <ErrorDetails error={create.error} title="The key was not created." />
      <button
        type="submit"
        className="button button--primary"
        disabled={create.isPending || !name.trim()}
      >
        {create.isPending ? 'Creating…' : 'Create API key'}
      </button>
    </form>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey();
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button
        type="button"
        className="button button--small button--danger"
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${apiKey.name}`}
      >
        Revoke
      </button>
    );
  return (
    <div role="group" aria-label={`Confirm revoking ${apiKey.name}`} className="confirm">
      <span className="small">
        Requests with this key will fail at once. This cannot be undone.
      </span>{' '}
      <button
        type="button"
        className="button button--small button--danger"
        onClick={() => revoke.mutate(apiKey.id)}
        disabled={revoke.isPending}
        // Focus moves here so that a keyboard user can confirm or step back at once.
        autoFocus
      >
        {revoke.isPending ? 'Revoking…' : `Revoke ${apiKey.name}`}
      </button>{' '}
      <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {revoke.isError && <ErrorDetails error={revoke.error} title="Not revoked." />}
    </div>
  );
}

export function ApiKeysPage() {
  const keys = useQuery(apiKeysQueryOptions());
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  return (
    <div className="developers">
      {created ? (
        <SecretOnce
          title={`API key "${created.name}" created`}
          label="Secret key"
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      ) : (
        <CreateApiKeyForm onCreated={setCreated} />
      )}
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your API keys</h2>
        {keys.isPending ? (
          <Spinner label="Loading API keys…" />
        ) : keys.isError ? (
          <ErrorState error={keys.error} onRetry={() => keys.refetch()} />
        ) : keys.data.items.length === 0 ? (
          <EmptyState title="No API keys yet">
            <p>Create one above to let your own site's server sell through the storefront API.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Return origins</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((key) => (
                  <tr key={key.id}>
                    <td>
                      {key.name}
                      <div className="small muted">
                        by {key.createdBy ?? 'a former user'}, {formatDateTime(key.createdAt)}
                      </div>
                    </td>
                    <td className="mono">{key.prefix}…</td>
                    <td>
                      <ModeBadge mode={key.mode} />
                    </td>
                    <td className="small">{key.allowedOrigins.join(', ') || '—'}</td>
                    <td>{formatRelative(key.lastUsedAt)}</td>
                    <td>
                      {key.revokedAt ? (
                        <span className="badge badge--muted">
                          Revoked {formatDateTime(key.revokedAt)}
                        </span>
                      ) : (
                        <RevokeButton apiKey={key} />
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
