import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { deviceQueryOptions } from '../../features/devices/api/queries';
import { DeviceSoftware } from '../../features/installs/components/device-software';
import { InstallsTable } from '../../features/installs/components/installs-table';
import { canManageInstalls } from '../../features/installs/permissions';
import { formatDateTime } from '../../lib/format';

export const handle = { title: 'Device' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.ensureQueryData(deviceQueryOptions(params.deviceId!));
    return null;
  };

export function Component() {
  const { deviceId } = useParams();
  const device = useQuery(deviceQueryOptions(deviceId!));
  const canManage = canManageInstalls(useMe().data?.user.role);
  if (device.isPending) return <Spinner label="Loading device…" />;
  if (device.isError) return <ErrorState error={device.error} onRetry={() => device.refetch()} />;
  const d = device.data;
  return (
    <>
      <PageHeader
        title={d.name}
        description={<span className="mono">{d.id}</span>}
        actions={<Link to="/devices">All devices</Link>}
      />
      <dl className="details">
        <dt>Model</dt>
        <dd>{d.model}</dd>
        <dt>Firmware</dt>
        <dd className="mono">{d.firmwareVersion}</dd>
        <dt>Tags</dt>
        <dd>
          {d.tags.length
            ? d.tags.map((t) => (
                <span key={t} className="chip">
                  {t}
                </span>
              ))
            : '—'}
        </dd>
        <dt>Last seen</dt>
        <dd>{formatDateTime(d.lastSeenAt)}</dd>
      </dl>

      <h2 className="section-title">Software</h2>
      {d.items.length === 0 ? (
        <EmptyState title="Nothing bought for this device yet">
          <p>Products bought for it in the Store Preview appear here, ready to install.</p>
        </EmptyState>
      ) : (
        <DeviceSoftware device={d} canManage={canManage} />
      )}

      <h2 className="section-title">Entitlements</h2>
      {d.entitlements.length === 0 ? (
        <p className="muted">No entitlements.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">Entitlements</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Mode</th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
                <th scope="col">Revoked</th>
                <th scope="col">Purchase</th>
              </tr>
            </thead>
            <tbody>
              {d.entitlements.map((e) => (
                <tr key={e.id}>
                  <td>{e.itemName}</td>
                  <td>
                    <ModeBadge mode={e.mode} />
                  </td>
                  <td>
                    <span
                      className={`badge ${e.status === 'active' ? 'badge--ok' : 'badge--muted'}`}
                    >
                      {e.status === 'active' ? 'Active' : 'Revoked'}
                    </span>
                  </td>
                  <td>{formatDateTime(e.createdAt)}</td>
                  <td>{formatDateTime(e.revokedAt)}</td>
                  <td className="mono">{e.purchaseId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 className="section-title">Install history</h2>
      {d.installs.length === 0 ? (
        <p className="muted">No installs yet.</p>
      ) : (
        <InstallsTable
          jobs={d.installs}
          showDevice={false}
          canManage={canManage}
          caption={`Install history of ${d.id}`}
        />
      )}
    </>
  );
}
