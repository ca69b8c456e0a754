import { isInstallCancellable, isInstallRetryable } from '@repo/domain';
import type { InstallJob } from '@repo/schemas';
import { useCancelInstall, useRetryInstall } from '../api/mutations';

/** Cancel a job the device has not started, or try a failed one again. */
export function InstallActions({ job }: { job: InstallJob }) {
  const cancel = useCancelInstall();
  const retry = useRetryInstall();
  const error = cancel.error ?? retry.error;
  const busy = cancel.isPending || retry.isPending;
  return (
    <div className="row-actions">
      {isInstallCancellable(job.status) && (
        <button
          type="button"
          className="button button--small"
          disabled={busy}
          onClick={() => cancel.mutate(job)}
          aria-label={`Cancel install of ${job.itemName} ${job.version} on ${job.deviceId}`}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {isInstallRetryable(job.status) && (
        <button
          type="button"
          className="button button--small"
          disabled={busy}
          onClick={() => retry.mutate(job)}
          aria-label={`Retry install of ${job.itemName} ${job.version} on ${job.deviceId}`}
        >
          {retry.isPending ? 'Retrying…' : 'Retry'}
        </button>
      )}
      {error && (
        <span className="form-error" role="alert">
          {error.message}
        </span>
      )}
    </div>
  );
}
