import { Link } from 'react-router';
import type { RolloutPreview } from '@repo/schemas';
import { ErrorState } from '../../../components/states';
import { formatCount, plural } from '../../../lib/format';
import { EXCLUSION_LABELS } from '../labels';

type Props = {
  preview: RolloutPreview | undefined;
  error: unknown;
  /** A newer question is on its way: what shows is the previous answer. */
  updating: boolean;
  onRetry: () => void;
};

/**
 * What the server says the rollout would do, before anything is written: which devices it
 * reaches, how each phase is sized, and every device left out, with why.
 */
export function RolloutPreviewPanel({ preview, error, updating, onRetry }: Props) {
  return (
    <section
      className="panel rollout-preview"
      aria-labelledby="preview-heading"
      aria-busy={updating}
    >
      <h2 id="preview-heading">Who it reaches</h2>
      {error ? (
        <ErrorState title="The preview could not be loaded" error={error} onRetry={onRetry} />
      ) : !preview ? (
        <p className="muted" role="status">
          Working out which devices it reaches…
        </p>
      ) : (
        <>
          <p className="rollout-preview__total" role="status">
            <strong>{plural(preview.total, 'device')}</strong> will get {preview.itemName}{' '}
            <span className="mono">{preview.version}</span>, of {plural(preview.targeted, 'device')}{' '}
            the target names.
            {updating && <span className="muted"> Updating…</span>}
          </p>
          {preview.total > 0 && (
            <div className="table-wrap" tabIndex={0}>
              <table className="table">
                <caption className="visually-hidden">Devices in each phase</caption>
                <thead>
                  <tr>
                    <th scope="col">Phase</th>
                    <th scope="col">Devices</th>
                    <th scope="col">From the start</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.phases.map((phase) => (
                    <tr key={phase.phase}>
                      <th scope="row">Phase {phase.phase + 1}</th>
                      <td>{formatCount(phase.devices)}</td>
                      <td>{formatCount(phase.cumulative)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>Left out: {plural(preview.excluded.total, 'device')}</h3>
          {preview.excluded.total === 0 ? (
            <p className="muted">Every device the target names is entitled and able to run it.</p>
          ) : (
            <>
              <ul className="plain-list exclusions">
                {preview.excluded.byReason.map(({ reason, count }) => (
                  <li key={reason}>
                    <span className="badge badge--muted">{formatCount(count)}</span>{' '}
                    {EXCLUSION_LABELS[reason]}
                  </li>
                ))}
              </ul>
              <details className="exclusions__devices">
                <summary>
                  Show the devices left out
                  {preview.excluded.truncated
                    ? ` (the first ${preview.excluded.devices.length})`
                    : ''}
                </summary>
                <ul className="plain-list">
                  {preview.excluded.devices.map((device) => (
                    <li key={device.deviceId}>
                      <Link to={`/devices/${encodeURIComponent(device.deviceId)}`} className="mono">
                        {device.deviceId}
                      </Link>
                      : {device.message}
                    </li>
                  ))}
                </ul>
              </details>
            </>
          )}
        </>
      )}
    </section>
  );
}
