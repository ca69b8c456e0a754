import type { DeviceDetail, DeviceItem, DeviceRelease } from '@repo/schemas';
import { formatDateTime } from '../../../lib/format';
import { useQueueInstall } from '../api/mutations';
import { InstallActions } from './install-actions';
import { InstallStatus } from './install-status';
import { InstallTimeline } from './install-timeline';

function QueueButton({ deviceId, release }: { deviceId: string; release: DeviceRelease }) {
  const queue = useQueueInstall();
  return (
    <>
      <button
        type="button"
        className="button button--small button--primary"
        disabled={queue.isPending}
        onClick={() => queue.mutate({ deviceId, releaseId: release.id })}
      >
        {queue.isPending ? 'Queueing…' : `Install ${release.version}`}
      </button>
      {queue.isError && (
        <span className="form-error" role="alert">
          {queue.error.message}
        </span>
      )}
    </>
  );
}

function ItemSoftware({
  deviceId,
  item,
  canManage,
}: {
  deviceId: string;
  item: DeviceItem;
  canManage: boolean;
}) {
  const canQueue = canManage && item.entitled && !item.activeInstall;
  return (
    <section className="panel device-item" aria-labelledby={`item-${item.itemId}`}>
      <header className="device-item__header">
        <h3 id={`item-${item.itemId}`}>{item.itemName}</h3>
        <span className={`badge ${item.entitled ? 'badge--ok' : 'badge--muted'}`}>
          {item.entitled ? 'Entitled' : 'No active entitlement'}
        </span>
        <span>
          {item.installed ? (
            <>
              Installed <strong className="mono">{item.installed.version}</strong> ·{' '}
              {formatDateTime(item.installed.installedAt)}
            </>
          ) : (
            <span className="muted">Not installed</span>
          )}
        </span>
      </header>
      {item.activeInstall && (
        <div className="device-item__active" aria-live="polite">
          <span>
            On its way: <span className="mono">{item.activeInstall.version}</span>
          </span>
          <InstallStatus job={item.activeInstall} />
          {canManage && <InstallActions job={item.activeInstall} />}
          <InstallTimeline job={item.activeInstall} />
        </div>
      )}
      <div className="table-wrap" tabIndex={0}>
        <table className="table">
          <caption className="visually-hidden">Releases of {item.itemName}</caption>
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col">Published</th>
              <th scope="col">Needs</th>
              <th scope="col">On this device</th>
              {canQueue && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {item.releases.map((release) => (
              <tr key={release.id}>
                <td className="mono">{release.version}</td>
                <td>{formatDateTime(release.publishedAt)}</td>
                <td>
                  {release.compatibleModels.join(', ')} · firmware ≥{' '}
                  <span className="mono">{release.minFirmware}</span>
                </td>
                <td>
                  {release.compatible ? (
                    <span className="badge badge--ok">Compatible</span>
                  ) : (
                    <>
                      <span className="badge badge--danger">Cannot run</span>{' '}
                      {release.incompatibleReason}
                    </>
                  )}
                </td>
                {canQueue && (
                  <td>
                    {release.compatible && <QueueButton deviceId={deviceId} release={release} />}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Per item the device has or had: entitlement, what runs now, what is on its way, what fits. */
export function DeviceSoftware({
  device,
  canManage,
}: {
  device: DeviceDetail;
  canManage: boolean;
}) {
  return (
    <div className="device-software">
      {device.items.map((item) => (
        <ItemSoftware key={item.itemId} deviceId={device.id} item={item} canManage={canManage} />
      ))}
    </div>
  );
}
