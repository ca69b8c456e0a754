import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { MAX_BULK_INSTALL_DEVICES, type Release } from '@repo/schemas';
import { useQueueInstalls } from '../api/mutations';
import { releasesQueryOptions } from '../api/queries';

function groupByItem(releases: Release[]) {
  const groups = new Map<string, Release[]>();
  for (const release of releases)
    groups.set(release.itemName, [...(groups.get(release.itemName) ?? []), release]);
  return [...groups];
}

/** One release queued on every selected device; the ones that cannot take it say why. */
export function BulkInstallPanel({
  deviceIds,
  onClear,
}: {
  deviceIds: string[];
  onClear: () => void;
}) {
  const releases = useQuery(releasesQueryOptions());
  const [releaseId, setReleaseId] = useState('');
  const queue = useQueueInstalls();
  const tooMany = deviceIds.length > MAX_BULK_INSTALL_DEVICES;
  const count = `${deviceIds.length} device${deviceIds.length === 1 ? '' : 's'}`;

  return (
    <section className="panel bulk-install" aria-labelledby="bulk-install-title">
      <h2 id="bulk-install-title" className="small">
        Queue an install on {count}
      </h2>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          queue.mutate({ releaseId, deviceIds });
        }}
      >
        <label className="field field--inline field--grow">
          <span>Release</span>
          <select
            value={releaseId}
            onChange={(e) => {
              setReleaseId(e.target.value);
              queue.reset();
            }}
            disabled={!releases.data}
          >
            <option value="">
              {releases.isError ? 'Releases could not be loaded' : 'Choose a release…'}
            </option>
            {groupByItem(releases.data?.items ?? []).map(([itemName, itemReleases]) => (
              <optgroup key={itemName} label={itemName}>
                {itemReleases.map((release) => (
                  <option key={release.id} value={release.id}>
                    {itemName} {release.version} · {release.compatibleModels.join(', ')} · firmware
                    ≥ {release.minFirmware}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="button button--primary"
          disabled={!releaseId || tooMany || queue.isPending}
        >
          {queue.isPending ? 'Queueing…' : `Queue on ${count}`}
        </button>
        <button type="button" className="button button--ghost" onClick={onClear}>
          Clear selection
        </button>
      </form>
      {tooMany && (
        <p className="form-error" role="alert">
          Select at most {MAX_BULK_INSTALL_DEVICES} devices at once.
        </p>
      )}
      {queue.isError && (
        <p className="form-error" role="alert">
          {queue.error.message}
        </p>
      )}
      {queue.data && (
        <div role="status" className="bulk-install__result">
          <p>
            Queued on {queue.data.queued.length} device
            {queue.data.queued.length === 1 ? '' : 's'}.
            {queue.data.refused.length > 0 && ` Not queued on ${queue.data.refused.length}:`}
          </p>
          {queue.data.refused.length > 0 && (
            <ul className="plain-list">
              {queue.data.refused.map((refusal) => (
                <li key={refusal.deviceId}>
                  <span className="mono">{refusal.deviceId}</span>: {refusal.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
