import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { RolloutDetail } from '@repo/schemas';
import { LoadMoreButton } from '../../../components/load-more';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { formatDateTime, formatRelative, plural } from '../../../lib/format';
import { rolloutDevicesInfiniteQueryOptions } from '../api/queries';

export const FAILED_DEVICES = { state: 'failed' } as const;

/** The devices whose install failed, with the reason each one gave, a page at a time. */
export function RolloutFailures({ rollout }: { rollout: RolloutDetail }) {
  const failures = useInfiniteQuery(
    rolloutDevicesInfiniteQueryOptions(rollout.id, FAILED_DEVICES, rollout.status),
  );
  const shown = failures.data?.pages.flatMap((page) => page.items) ?? [];
  const total = failures.data?.pages[0]?.total ?? 0;
  return (
    <section aria-labelledby="failures-heading">
      <h2 id="failures-heading" className="section-title">
        Failures
      </h2>
      {failures.isPending ? (
        <Spinner label="Loading the failures…" />
      ) : failures.isError ? (
        <ErrorState error={failures.error} onRetry={() => failures.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title="No install has failed" />
      ) : (
        <>
          <p className="muted">
            Showing {shown.length} of {plural(total, 'failed device')}
          </p>
          <div className="table-wrap" tabIndex={0}>
            <table className="table">
              <caption className="visually-hidden">Failed installs of {rollout.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Model</th>
                  <th scope="col">Firmware</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((device) => (
                  <tr key={device.deviceId}>
                    <td>
                      <Link to={`/devices/${encodeURIComponent(device.deviceId)}`} className="mono">
                        {device.deviceId}
                      </Link>
                    </td>
                    <td>{device.model}</td>
                    <td className="mono">{device.firmwareVersion}</td>
                    <td>{device.phase + 1}</td>
                    <td>{device.reason ?? '—'}</td>
                    <td>{device.attempt ?? '—'}</td>
                    <td title={formatDateTime(device.updatedAt)}>
                      {formatRelative(device.updatedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreButton query={failures} label="Show more failures" />
        </>
      )}
    </section>
  );
}
