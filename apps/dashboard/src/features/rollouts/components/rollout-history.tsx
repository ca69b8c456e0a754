import type { RolloutEvent, RolloutEventKind } from '@repo/schemas';
import { formatDateTime } from '../../../lib/format';
import { EVENT_LABELS } from '../labels';

const TONE: Partial<Record<RolloutEventKind, string>> = {
  paused: 'timeline__step--failed',
  aborted: 'timeline__step--cancelled',
  completed: 'timeline__step--succeeded',
};

/** Every start, pause with its reason, resume, phase and end, oldest first. */
export function RolloutHistory({ events }: { events: RolloutEvent[] }) {
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading" className="section-title">
        History
      </h2>
      <ol className="timeline rollout-history" aria-labelledby="history-heading">
        {events.map((event) => (
          <li key={event.id} className={`timeline__step ${TONE[event.kind] ?? ''}`}>
            <strong>{EVENT_LABELS[event.kind]}</strong>
            {event.detail && <>: {event.detail}</>}
            <div className="small muted">
              {event.actor ? `by ${event.actor}` : 'by the rollout itself'},{' '}
              {formatDateTime(event.createdAt)}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
