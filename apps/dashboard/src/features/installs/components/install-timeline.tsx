import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { InstallJob, InstallJobEvent } from '@repo/schemas';
import { ErrorState, Spinner } from '../../../components/states';
import { formatDateTime, formatTime } from '../../../lib/format';
import { installEventsQueryOptions } from '../api/queries';
import { INSTALL_STATUS_LABELS } from './install-status';

function describe(event: InstallJobEvent): string {
  const label = INSTALL_STATUS_LABELS[event.status];
  const working = event.status === 'downloading' || event.status === 'installing';
  if (working && event.progress !== null) return `${label} ${event.progress} %`;
  if (event.detail && (event.status === 'failed' || event.status === 'cancelled')) {
    return `${label}: ${event.detail}`;
  }
  return label;
}

/**
 * Every state the job went through, as recorded when the device reported it: a step that
 * lasted less than one refresh of the page still shows here.
 */
export function InstallTimeline({
  job,
}: {
  job: Pick<InstallJob, 'id' | 'itemName' | 'version' | 'updatedAt'>;
}) {
  const events = useQuery(installEventsQueryOptions(job));
  if (events.isPending) return <Spinner label="Loading the history…" />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => events.refetch()} />;
  return (
    <ol className="timeline" aria-label={`History of ${job.itemName} ${job.version}`}>
      {events.data.items.map((event, index) => (
        <li key={index} className={`timeline__step timeline__step--${event.status}`}>
          <span>{describe(event)}</span>{' '}
          <time
            className="muted small"
            dateTime={event.createdAt}
            title={formatDateTime(event.createdAt)}
          >
            {formatTime(event.createdAt)}
          </time>
        </li>
      ))}
    </ol>
  );
}

/** The history behind a toggle, fetched only once someone opens it. */
export function InstallHistoryToggle({ job }: { job: InstallJob }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="install-history" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>History</summary>
      {open && <InstallTimeline job={job} />}
    </details>
  );
}
