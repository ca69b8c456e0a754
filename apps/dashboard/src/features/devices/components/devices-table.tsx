import { Link } from 'react-router';
import type { Device } from '@repo/schemas';
import { formatDateTime, formatRelative } from '../../../lib/format';

export function DevicesTable({ devices }: { devices: Device[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Device ID</th>
            <th scope="col">Name</th>
            <th scope="col">Model</th>
            <th scope="col">Firmware</th>
            <th scope="col">Tags</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.id}>
              <td>
                <Link to={`/devices/${encodeURIComponent(device.id)}`} className="mono">
                  {device.id}
                </Link>
              </td>
              <td>{device.name}</td>
              <td>{device.model}</td>
              <td className="mono">{device.firmwareVersion}</td>
              <td>
                {device.tags.map((tag) => (
                  <span key={tag} className="chip">
                    {tag}
                  </span>
                ))}
              </td>
              <td title={formatDateTime(device.lastSeenAt)}>{formatRelative(device.lastSeenAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
