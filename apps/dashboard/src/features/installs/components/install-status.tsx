import type { InstallJob } from '@repo/schemas';

export const INSTALL_STATUS_LABELS: Record<InstallJob['status'], string> = {
  queued: 'Queued',
  sent: 'Sent to device',
  downloading: 'Downloading',
  installing: 'Installing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const TONES: Record<InstallJob['status'], string> = {
  queued: 'badge--working',
  sent: 'badge--working',
  downloading: 'badge--working',
  installing: 'badge--working',
  succeeded: 'badge--ok',
  failed: 'badge--danger',
  cancelled: 'badge--muted',
};

/** The job's state in words, with how far a download or install has got. */
export function InstallStatus({ job }: { job: Pick<InstallJob, 'status' | 'progress'> }) {
  const working = job.status === 'downloading' || job.status === 'installing';
  return (
    <span className="install-status">
      <span className={`badge ${TONES[job.status]}`}>
        {INSTALL_STATUS_LABELS[job.status]}
        {working && job.progress !== null ? ` ${job.progress} %` : ''}
      </span>
      {working && (
        <progress
          max={100}
          value={job.progress ?? undefined}
          aria-label={`${INSTALL_STATUS_LABELS[job.status]} progress`}
        />
      )}
    </span>
  );
}
