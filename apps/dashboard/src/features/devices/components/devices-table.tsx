import { Link } from 'react-router';
import type { Device } from '@repo/schemas';
import { formatDateTime, formatRelative } from '../../../lib/format';

type Selection = {
  selected: ReadonlySet<string>;
  onToggle: (deviceId: string, on: boolean) => void;
  onToggleAll: (deviceIds: string[], on: boolean) => void;
};

/** The fleet list; with a selection, each row gets a checkbox for bulk actions. */
export function DevicesTable({
  devices,
  selection,
  caption = 'Devices',
}: {
  devices: Device[];
  selection?: Selection;
  caption?: string;
}) {
  const allShownSelected =
    devices.length > 0 && devices.every((device) => selection?.selected.has(device.id));
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="check-cell">
                <input
                  type="checkbox"
                  aria-label="Select every device shown"
                  checked={allShownSelected}
                  onChange={(e) =>
                    selection.onToggleAll(
                      devices.map((device) => device.id),
                      e.target.checked,
                    )
                  }
                />
              </th>
            )}
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
            <tr
              key={device.id}
              className={selection?.selected.has(device.id) ? 'row--selected' : undefined}
            >
              {selection && (
                <td className="check-cell">
                  <input
                    type="checkbox"
                    aria-label={`Select ${device.id}`}
                    checked={selection.selected.has(device.id)}
                    onChange={(e) => selection.onToggle(device.id, e.target.checked)}
                  />
                </td>
              )}
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
