import { Link } from 'react-router';
import type { Rollout } from '@repo/schemas';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { RolloutProgressBar, RolloutStatusBadge } from './rollout-status';

/** Phase 2 of 4; people count phases from 1. */
export const phaseOf = (rollout: Pick<Rollout, 'currentPhase' | 'phases'>) =>
  rollout.currentPhase < 0 ? '—' : `${rollout.currentPhase + 1} of ${rollout.phases.length}`;

export function RolloutsTable({ rollouts }: { rollouts: Rollout[] }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table rollouts-table">
        <caption className="visually-hidden">Rollouts</caption>
        <thead>
          <tr>
            <th scope="col">Rollout</th>
            <th scope="col">Release</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Phase</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {rollouts.map((rollout) => (
            <tr key={rollout.id}>
              <td>
                <Link to={`/rollouts/${rollout.id}`}>{rollout.name}</Link>
                <div className="small muted">by {rollout.createdBy ?? 'a former user'}</div>
              </td>
              <td>
                {rollout.itemName} <span className="mono">{rollout.version}</span>
                <div>
                  <ModeBadge mode={rollout.mode} />
                </div>
              </td>
              <td>
                <RolloutStatusBadge status={rollout.status} />
                {rollout.pauseReason && <div className="small">{rollout.pauseReason}</div>}
              </td>
              <td>
                <RolloutProgressBar rollout={rollout} />
              </td>
              <td>{phaseOf(rollout)}</td>
              <td title={formatDateTime(rollout.updatedAt)}>{formatRelative(rollout.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
