import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, type LoaderFunctionArgs } from 'react-router';
import { Money } from '../../components/money';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { AttemptsLog } from '../../features/checkout/components/attempts-log';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { purchaseQueryOptions } from '../../features/purchases/api/queries';
import { InstallsTable } from '../../features/installs/components/installs-table';
import { PurchaseStatusBadge } from '../../features/purchases/components/purchase-status';
import { RefundPanel } from '../../features/purchases/components/refund-panel';
import { formatDateTime } from '../../lib/format';

export const handle = { title: 'Purchase' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.prefetchQuery(purchaseQueryOptions(params.purchaseId!));
    return null;
  };

const Id = ({ value }: { value: string | null }) =>
  value ? <code className="mono">{value}</code> : <span className="muted">—</span>;

export function Component() {
  const { purchaseId } = useParams();
  const purchase = useQuery(purchaseQueryOptions(purchaseId!));
  const { data: me } = useMe();
  if (purchase.isPending) return <Spinner label="Loading purchase…" />;
  if (purchase.isError)
    return (
      <ErrorState
        title="This purchase could not be loaded"
        error={purchase.error}
        onRetry={() => purchase.refetch()}
      />
    );
  const p = purchase.data;
  const session = p.checkoutSession;
  return (
    <>
      <PageHeader
        title={`${p.itemName} for ${p.deviceId}`}
        description={
          <>
            <ModeBadge mode={p.mode} /> <PurchaseStatusBadge status={p.status} />{' '}
            <span className="mono">{p.id}</span>
          </>
        }
        actions={<Link to="/purchases">All purchases</Link>}
      />
      <div className="detail-grid">
        <section className="panel" aria-labelledby="purchase-heading">
          <h2 id="purchase-heading">Purchase</h2>
          <dl className="details">
            <dt>Device</dt>
            <dd>
              <Link to={`/devices/${encodeURIComponent(p.device.id)}`} className="mono">
                {p.device.id}
              </Link>{' '}
              · {p.device.name} · {p.device.model} · firmware{' '}
              <span className="mono">{p.device.firmwareVersion}</span>
            </dd>
            <dt>Product</dt>
            <dd>
              {p.itemName} <span className="muted mono">{p.itemId}</span>
            </dd>
            <dt>Mode</dt>
            <dd>
              <ModeBadge mode={p.mode} />
              {p.mode === 'test' && <span className="muted"> · no real money moved</span>}
            </dd>
            <dt>Bought</dt>
            <dd>{formatDateTime(p.createdAt)}</dd>
            <dt>Refunded</dt>
            <dd>{formatDateTime(p.refundedAt)}</dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="fees-heading">
          <h2 id="fees-heading">Amount and fees</h2>
          <table className="summary">
            <tbody>
              <tr>
                <th scope="row">Price paid</th>
                <td>
                  <Money value={p.fees.price} />
                </td>
              </tr>
              <tr>
                <th scope="row">Marketplace platform fee (this purchase’s share)</th>
                <td>
                  <Money value={p.fees.platformFee} />
                </td>
              </tr>
              <tr className="summary__total">
                <th scope="row">To the provider</th>
                <td>
                  <Money value={p.fees.providerNet} />
                </td>
              </tr>
            </tbody>
          </table>
          <p className="small muted">
            The checkout session charged{' '}
            <Money value={{ amount: session.amounts.total, currency: session.amounts.currency }} />{' '}
            in all, with a platform fee of{' '}
            <Money
              value={{ amount: session.amounts.platformFee, currency: session.amounts.currency }}
            />
            {session.amountRefunded > 0 && (
              <>
                ; Stripe reports{' '}
                <Money
                  value={{ amount: session.amountRefunded, currency: session.amounts.currency }}
                />{' '}
                refunded
              </>
            )}
            .
          </p>
        </section>

        <section className="panel" aria-labelledby="entitlement-heading">
          <h2 id="entitlement-heading">Entitlement</h2>
          {p.entitlement ? (
            <p>
              {p.entitlement.status === 'active' ? (
                <span className="badge badge--ok">Active</span>
              ) : (
                <span className="badge badge--danger">Revoked</span>
              )}{' '}
              since {formatDateTime(p.entitlement.revokedAt ?? p.entitlement.createdAt)}{' '}
              <span className="muted mono">{p.entitlement.id}</span>
            </p>
          ) : (
            <p className="muted">
              No entitlement came from this purchase: the device already held one for this product
              in {p.mode} mode.
            </p>
          )}
        </section>

        {me && <RefundPanel purchase={p} role={me.user.role} />}

        <section className="panel" aria-labelledby="stripe-heading">
          <h2 id="stripe-heading">Stripe</h2>
          <dl className="details">
            <dt>Checkout session</dt>
            <dd>
              <Id value={p.stripe.checkoutSessionId} />
            </dd>
            <dt>Payment intent</dt>
            <dd>
              <Id value={p.stripe.paymentIntentId} />
            </dd>
            <dt>Refund</dt>
            <dd>
              <Id value={p.stripe.refundId} />
            </dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="session-heading">
          <h2 id="session-heading">Checkout session</h2>
          <dl className="details">
            <dt>Session</dt>
            <dd>
              <Link to={`/checkout/${session.id}`} className="mono">
                {session.id}
              </Link>
            </dd>
            <dt>Status</dt>
            <dd>
              {session.status} · payment {session.paymentStatus.replaceAll('_', ' ')}
            </dd>
            <dt>Created</dt>
            <dd>
              {formatDateTime(session.createdAt)}
              {session.createdBy ? ` by ${session.createdBy}` : ''}
            </dd>
          </dl>
          <h3>What happened</h3>
          <AttemptsLog attempts={session.attempts} />
        </section>
      </div>

      <section aria-labelledby="installs-heading">
        <h2 id="installs-heading">Installs of {p.itemName} on this device</h2>
        {p.installs.length === 0 ? (
          <EmptyState title="No installs yet">
            <p>Operators queue installs from the device’s page.</p>
          </EmptyState>
        ) : (
          <InstallsTable
            jobs={p.installs}
            showDevice={false}
            canManage={false}
            caption={`Installs of ${p.itemName} on ${p.device.id}`}
          />
        )}
      </section>
    </>
  );
}
