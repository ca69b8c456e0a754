import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, type LoaderFunctionArgs } from 'react-router';
import type { RolloutDetail, RolloutTarget } from '@repo/schemas';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { describeFilter } from '../../features/device-groups/group-filter';
import { releasesQueryOptions } from '../../features/installs/api/queries';
import { useItemName } from '../../features/installs/use-item-name';
import {
  rolloutDevicesInfiniteQueryOptions,
  rolloutQueryOptions,
} from '../../features/rollouts/api/queries';
import { useRolloutPreview } from '../../features/rollouts/use-rollout-preview';
import { RolloutActions } from '../../features/rollouts/components/rollout-actions';
import {
  FAILED_DEVICES,
  RolloutFailures,
} from '../../features/rollouts/components/rollout-failures';
import { RolloutHistory } from '../../features/rollouts/components/rollout-history';
import { RolloutPreviewPanel } from '../../features/rollouts/components/rollout-preview-panel';
import { RolloutProgressChart } from '../../features/rollouts/components/rollout-progress-chart';
import {
  progressSentence,
  RolloutStatusBadge,
} from '../../features/rollouts/components/rollout-status';
import {
  describePhasePlan,
  describeTarget,
  formatHour,
  formatShare,
} from '../../features/rollouts/labels';
import { canManageRollouts } from '../../features/rollouts/permissions';
import { formatDateTime } from '../../lib/format';

export const handle = { title: 'Rollout' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    const id = params.rolloutId!;
    await Promise.all([
      queryClient.prefetchQuery(rolloutQueryOptions(id)),
      queryClient.prefetchInfiniteQuery(
        rolloutDevicesInfiniteQueryOptions(id, FAILED_DEVICES, undefined),
      ),
      queryClient.prefetchQuery(releasesQueryOptions()),
    ]);
    return null;
  };

const windowText = (rollout: RolloutDetail) =>
  rollout.maintenanceWindow
    ? `${formatHour(rollout.maintenanceWindow.startHour)} until ${formatHour(rollout.maintenanceWindow.endHour)} UTC`
    : 'Any time';

/** Where the rollout stands, first and in words: a pause says why. */
function StatusCard({ rollout }: { rollout: RolloutDetail }) {
  const phase = `phase ${rollout.currentPhase + 1} of ${rollout.phases.length}`;
  const tone =
    rollout.status === 'paused'
      ? 'status-card--pending'
      : rollout.status === 'completed'
        ? 'status-card--ok'
        : rollout.status === 'aborted'
          ? 'status-card--danger'
          : '';
  let heading: string;
  let text: string;
  switch (rollout.status) {
    case 'draft':
      heading = 'Draft';
      text = 'Not started. Check who it reaches below, then start it.';
      break;
    case 'running':
      heading = `Running, ${phase}`;
      text = rollout.sendingNow
        ? 'Installs are being sent to the devices of this phase.'
        : `Outside its maintenance window (${windowText(rollout)}): installs wait until it opens.`;
      break;
    case 'paused':
      heading = `Paused in ${phase}`;
      text = rollout.pauseReason ?? 'Paused.';
      break;
    case 'completed':
      heading = 'Completed';
      text = `Finished ${formatDateTime(rollout.finishedAt)}.`;
      break;
    case 'aborted':
      heading = 'Aborted';
      text = `Aborted ${formatDateTime(rollout.finishedAt)}; installs not yet sent were cancelled.`;
      break;
  }
  return (
    <section className={`status-card ${tone}`} aria-labelledby="rollout-status-heading">
      <RolloutStatusBadge status={rollout.status} />
      <h2 id="rollout-status-heading">{heading}</h2>
      <p className="rollout-status__reason">{text}</p>
      {rollout.status !== 'draft' && <p className="muted">{progressSentence(rollout)}</p>}
    </section>
  );
}

function Facts({ rollout }: { rollout: RolloutDetail }) {
  const itemName = useItemName();
  return (
    <section className="panel" aria-labelledby="facts-heading">
      <h2 id="facts-heading">Plan</h2>
      <dl className="details">
        <dt>Release</dt>
        <dd>
          {rollout.itemName} <span className="mono">{rollout.version}</span>
        </dd>
        <dt>Mode</dt>
        <dd>
          <ModeBadge mode={rollout.mode} />
        </dd>
        <dt>Target</dt>
        <dd>
          {rollout.target.kind === 'group' && rollout.target.groupId ? (
            <Link to={`/device-groups/${rollout.target.groupId}`}>
              {describeTarget(rollout.target, rollout.itemName)}
            </Link>
          ) : (
            describeTarget(rollout.target, rollout.itemName)
          )}
          {rollout.target.kind === 'filter' && (
            <div className="small muted">
              {describeFilter(rollout.target.filter, itemName).join(' · ')}
            </div>
          )}
        </dd>
        <dt>Phases</dt>
        <dd>{rollout.phases.map(describePhasePlan).join(' · ')}</dd>
        <dt>Success threshold</dt>
        <dd>{formatShare(rollout.successThreshold)} of a phase installed before the next</dd>
        <dt>Error threshold</dt>
        <dd>pauses above {formatShare(rollout.errorThreshold)} failed</dd>
        <dt>Maintenance window</dt>
        <dd>{windowText(rollout)}</dd>
        <dt>Created</dt>
        <dd>
          {formatDateTime(rollout.createdAt)} by {rollout.createdBy ?? 'a former user'}
        </dd>
        {rollout.startedAt && (
          <>
            <dt>Started</dt>
            <dd>{formatDateTime(rollout.startedAt)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** A draft's preview, asked afresh: the fleet may have changed since it was created. */
function DraftPreview({ rollout }: { rollout: RolloutDetail }) {
  const { target: view } = rollout;
  const target: RolloutTarget | null =
    view.kind !== 'group' ? view : view.groupId ? { kind: 'group', groupId: view.groupId } : null;
  const { preview, updating } = useRolloutPreview(
    target && {
      releaseId: rollout.releaseId,
      mode: rollout.mode,
      target,
      phases: rollout.phases,
    },
  );
  if (!target)
    return (
      <p className="form-error" role="alert">
        Its device group was deleted: this draft reaches no device. Abort it and create another.
      </p>
    );
  return (
    <RolloutPreviewPanel
      preview={preview.data}
      error={preview.error}
      updating={updating}
      onRetry={() => preview.refetch()}
    />
  );
}

export function Component() {
  const { rolloutId } = useParams();
  const rollout = useQuery(rolloutQueryOptions(rolloutId!));
  const canManage = canManageRollouts(useMe().data?.user.role);

  if (rollout.isPending) return <Spinner label="Loading the rollout…" />;
  if (rollout.isError)
    return (
      <ErrorState
        title="This rollout could not be loaded"
        error={rollout.error}
        onRetry={() => rollout.refetch()}
      />
    );
  const r = rollout.data;
  return (
    <>
      <PageHeader
        title={r.name}
        description={
          <>
            <ModeBadge mode={r.mode} /> {r.itemName} <span className="mono">{r.version}</span>
          </>
        }
        actions={<Link to="/rollouts">All rollouts</Link>}
      />
      <div className="rollout-top">
        <StatusCard rollout={r} />
        {canManage ? (
          <RolloutActions rollout={r} />
        ) : (
          <p className="muted small">Your role can follow this rollout; it cannot change it.</p>
        )}
      </div>
      {r.status === 'draft' ? (
        <div className="detail-grid">
          <DraftPreview rollout={r} />
          <Facts rollout={r} />
        </div>
      ) : (
        <>
          <div className="detail-grid">
            <RolloutProgressChart rollout={r} />
            <Facts rollout={r} />
          </div>
          <RolloutFailures rollout={r} />
        </>
      )}
      <RolloutHistory events={r.events} />
    </>
  );
}
