import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { deviceQueryOptions } from '../../features/devices/api/queries';
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
    </>
  );
}
