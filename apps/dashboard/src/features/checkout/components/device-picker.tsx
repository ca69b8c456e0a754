import { LoadMoreButton } from '../../../components/load-more';
import { useState } from 'react';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { ErrorState, Spinner } from '../../../components/states';
import { devicesInfiniteQueryOptions, type DeviceFilters } from '../../devices/api/queries';
import { DeviceFiltersBar } from '../../devices/components/device-filters';
import { parseDeviceIds } from '../basket';

type Props = {
  selected: string[];
  onAdd: (deviceIds: string[]) => void;
  onRemove: (deviceIds: string[]) => void;
  onAddTyped: (deviceIds: string[]) => void;
};

/** Devices from the fleet (search, filters, all that match), or IDs typed in by hand. */
export function DevicePicker({ selected, onAdd, onRemove, onAddTyped }: Props) {
  const [filters, setFilters] = useState<DeviceFilters>({});
  const devices = useInfiniteQuery(devicesInfiniteQueryOptions(filters));
  const selectAll = useMutation({
    mutationFn: () => api.devices.ids(filters),
    onSuccess: (result) => onAdd(result.ids),
  });
  const [typed, setTyped] = useState('');

  const chosen = new Set(selected);
  const shown = devices.data?.pages.flatMap((page) => page.items) ?? [];
  const total = devices.data?.pages[0]?.total ?? 0;
  const allShownChosen = shown.length > 0 && shown.every((d) => chosen.has(d.id));

  const addTyped = () => {
    const ids = parseDeviceIds(typed);
    if (ids.length === 0) return;
    onAddTyped(ids);
    setTyped('');
  };

  return (
    <div className="device-picker">
      <DeviceFiltersBar
        filters={filters}
        onChange={(change) => setFilters((f) => ({ ...f, ...change }))}
      />
      {devices.isPending ? (
        <Spinner label="Loading devices…" />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => devices.refetch()} />
      ) : (
        <>
          <div className="picker-toolbar">
            <span className="muted" aria-live="polite">
              {total} device{total === 1 ? '' : 's'} match
            </span>
            <button
              type="button"
              className="button"
              disabled={total === 0 || selectAll.isPending}
              onClick={() => selectAll.mutate()}
            >
              {selectAll.isPending ? 'Selecting…' : `Select all ${total} matching`}
            </button>
            {selectAll.isError && (
              <span className="form-error" role="alert">
                The matching devices could not be selected: {selectAll.error.message}
              </span>
            )}
            {selectAll.data?.truncated && (
              <span className="form-error" role="status">
                Only the first {selectAll.data.ids.length} were added: that is the most one purchase
                can hold.
              </span>
            )}
          </div>
          <div className="table-wrap" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col" className="check-cell">
                    <input
                      type="checkbox"
                      aria-label="Select every device shown"
                      checked={allShownChosen}
                      onChange={(e) =>
                        e.target.checked
                          ? onAdd(shown.map((d) => d.id))
                          : onRemove(shown.map((d) => d.id))
                      }
                    />
                  </th>
                  <th scope="col">Device ID</th>
                  <th scope="col">Name</th>
                  <th scope="col">Model</th>
                  <th scope="col">Firmware</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((device) => (
                  <tr
                    key={device.id}
                    className={chosen.has(device.id) ? 'row--selected' : undefined}
                  >
                    <td className="check-cell">
                      <input
                        type="checkbox"
                        aria-label={`Select ${device.id}`}
                        checked={chosen.has(device.id)}
                        onChange={(e) =>
                          e.target.checked ? onAdd([device.id]) : onRemove([device.id])
                        }
                      />
                    </td>
                    <td className="mono">{device.id}</td>
                    <td>{device.name}</td>
                    <td>{device.model}</td>
                    <td className="mono">{device.firmwareVersion}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreButton query={devices} label="Show more devices" />
        </>
      )}
      <div className="typed-ids">
        <label className="field">
          <span>Or type device IDs</span>
          <textarea
            rows={3}
            placeholder="ACM-TX1-0004, ACM-TX1-0008 — commas, spaces or one per line"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) addTyped();
            }}
          />
        </label>
        <button type="button" className="button" onClick={addTyped} disabled={!typed.trim()}>
          Add these IDs
        </button>
      </div>
    </div>
  );
}
