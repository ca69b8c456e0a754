import type { Rollout, RolloutStatus } from '@repo/schemas';
import { formatCount } from '../../../lib/format';
import {
  DEVICE_STATE_COLOURS,
  DEVICE_STATES,
  ROLLOUT_STATUS_LABELS,
  ROLLOUT_STATUS_TONES,
} from '../labels';

/** The status in words and colour, never colour alone. */
export function RolloutStatusBadge({ status }: { status: RolloutStatus }) {
  return (
    <span className={`badge ${ROLLOUT_STATUS_TONES[status]}`}>{ROLLOUT_STATUS_LABELS[status]}</span>
  );
}

/** How far a rollout got, said in words; the bar beside it repeats it for the eye. */
export function progressSentence(rollout: Pick<Rollout, 'status' | 'deviceCount' | 'counts'>) {
  if (rollout.status === 'draft') return 'Not started';
  const { succeeded, failed, active } = rollout.counts;
  const parts = [`${formatCount(succeeded)} of ${formatCount(rollout.deviceCount)} installed`];
  if (failed > 0) parts.push(`${formatCount(failed)} failed`);
  if (active > 0) parts.push(`${formatCount(active)} on their way`);
  return parts.join(' · ');
}

export function RolloutProgressBar({
  rollout,
}: {
  rollout: Pick<Rollout, 'status' | 'deviceCount' | 'counts'>;
}) {
  const total = DEVICE_STATES.reduce((sum, state) => sum + rollout.counts[state], 0);
  return (
    <div className="rollout-progress">
      <div className="rollout-progress__bar" aria-hidden="true">
        {total > 0 &&
          DEVICE_STATES.map((state) =>
            rollout.counts[state] > 0 ? (
              <span
                key={state}
                style={{
                  width: `${(rollout.counts[state] / total) * 100}%`,
                  background: DEVICE_STATE_COLOURS[state],
                }}
              />
            ) : null,
          )}
      </div>
      <span className="small">{progressSentence(rollout)}</span>
    </div>
  );
}
