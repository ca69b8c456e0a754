import { Link } from 'react-router';
import type { InstallJob } from '@repo/schemas';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { InstallActions } from './install-actions';
import { InstallStatus } from './install-status';
import { InstallHistoryToggle } from './install-timeline';

type Props = {
  jobs: InstallJob[];
  /** Hidden on a device's own page, where every row is that device. */
  showDevice?: boolean;
  canManage: boolean;
  caption: string;
};

export function InstallsTable({ jobs, showDevice = true, canManage, caption }: Props) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {showDevice && <th scope="col">Device</th>}
            <th scope="col">Item</th>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Attempt</th>
            <th scope="col">Updated</th>
            <th scope="col">Reason</th>
            <th scope="col">History</th>
            {canManage && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id}>
              {showDevice && (
                <td>
                  <Link to={`/devices/${encodeURIComponent(job.deviceId)}`} className="mono">
                    {job.deviceId}
                  </Link>
                </td>
              )}
              <td>{job.itemName}</td>
              <td className="mono">{job.version}</td>
              <td>
                <InstallStatus job={job} />
              </td>
              <td>{job.attempt}</td>
              <td title={formatDateTime(job.updatedAt)}>{formatRelative(job.updatedAt)}</td>
              <td>{job.reason ?? '—'}</td>
              <td>
                <InstallHistoryToggle job={job} />
              </td>
              {canManage && (
                <td>
                  <InstallActions job={job} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
