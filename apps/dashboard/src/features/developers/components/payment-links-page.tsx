import { useQuery } from '@tanstack/react-query';
import type { PaymentLinkStatus } from '@repo/schemas';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { formatDateTime } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { useDeactivatePaymentLink } from '../api/mutations';
import { paymentLinksQueryOptions } from '../api/queries';

const STATUS: Record<PaymentLinkStatus, { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'ok' },
  used_up: { label: 'Used', tone: 'muted' },
  expired: { label: 'Expired', tone: 'muted' },
  deactivated: { label: 'Turned off', tone: 'danger' },
};

export function PaymentLinksPage() {
  const links = useQuery(paymentLinksQueryOptions());
  const deactivate = useDeactivatePaymentLink();
  if (links.isPending) return <Spinner label="Loading payment links…" />;
  if (links.isError) return <ErrorState error={links.error} onRetry={() => links.refetch()} />;
  if (links.data.items.length === 0)
    return (
      <EmptyState title="No payment links yet">
        <p>Create one from the Store Preview: add products to the basket, then share it.</p>
      </EmptyState>
    );
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Link</th>
            <th scope="col">Basket</th>
            <th scope="col">Mode</th>
            <th scope="col">State</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {links.data.items.map((link) => (
            <tr key={link.id}>
              <td>
                <a className="mono small" href={link.url} target="_blank" rel="noreferrer">
                  {link.url}
                </a>
              </td>
              <td className="small">
                {link.itemIds.length} product(s) × {link.deviceIds.join(', ')}
              </td>
              <td>
                <ModeBadge mode={link.mode} />
              </td>
              <td>
                <span className={`badge badge--${STATUS[link.status].tone}`}>
                  {STATUS[link.status].label}
                </span>
              </td>
              <td className="small">{formatDateTime(link.expiresAt)}</td>
              <td>
                {link.status === 'active' && (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => deactivate.mutate(link.id)}
                    disabled={deactivate.isPending}
                    aria-label={`Turn off the link for ${link.deviceIds.join(', ')}`}
                  >
                    Turn off
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
