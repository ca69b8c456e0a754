import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams, type LoaderFunctionArgs } from 'react-router';
import type { DeviceGroupDetail } from '@repo/schemas';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { deviceFacetsQueryOptions } from '../../features/devices/api/queries';
import { DevicesTable } from '../../features/devices/components/devices-table';
import { useUpdateDeviceGroup } from '../../features/device-groups/api/mutations';
import {
  deviceGroupMemberIdsQueryOptions,
  deviceGroupQueryOptions,
} from '../../features/device-groups/api/queries';
import { DeviceGroupForm } from '../../features/device-groups/components/device-group-form';
import { GroupKindBadge } from '../../features/device-groups/components/group-kind-badge';
import { describeFilter } from '../../features/device-groups/group-filter';
import { canEditDeviceGroups } from '../../features/device-groups/permissions';
import { releasesQueryOptions } from '../../features/installs/api/queries';
import { useItemName } from '../../features/installs/use-item-name';
import { plural } from '../../lib/format';

export const handle = { title: 'Device group' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await Promise.all([
      queryClient.prefetchInfiniteQuery(deviceGroupQueryOptions(params.groupId!)),
      queryClient.prefetchQuery(releasesQueryOptions()),
      queryClient.prefetchQuery(deviceFacetsQueryOptions()),
    ]);
    return null;
  };

/** Rename the group, and change its criteria or its list of devices. */
function EditGroup({ group }: { group: DeviceGroupDetail }) {
  const update = useUpdateDeviceGroup(group.id);
  const ids = useQuery({
    ...deviceGroupMemberIdsQueryOptions(group.id),
    enabled: group.kind === 'static',
  });
  if (group.kind === 'static' && ids.isPending) return <Spinner label="Loading its devices…" />;
  if (group.kind === 'static' && ids.isError)
    return <ErrorState error={ids.error} onRetry={() => ids.refetch()} />;
  return (
    <section aria-labelledby="edit-group-heading">
      <h2 id="edit-group-heading" className="section-title">
        Edit
      </h2>
      <DeviceGroupForm
        // A fresh form for each saved version, so that it starts from what was saved.
        key={group.updatedAt}
        group={group}
        deviceIds={ids.data ? (ids.data.truncated ? null : ids.data.ids) : undefined}
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        onSubmit={({ kind: _kind, ...change }) => update.mutate(change)}
      />
      {update.isSuccess && !update.isPending && (
        <p role="status" className="muted">
          Saved.
        </p>
      )}
    </section>
  );
}

export function Component() {
  const { groupId } = useParams();
  const group = useInfiniteQuery(deviceGroupQueryOptions(groupId!));
  const canEdit = canEditDeviceGroups(useMe().data?.user.role);
  const itemName = useItemName();

  if (group.isPending) return <Spinner label="Loading the group…" />;
  if (group.isError)
    return (
      <ErrorState
        title="This group could not be loaded"
        error={group.error}
        onRetry={() => group.refetch()}
      />
    );
  const detail = group.data.pages[0]!;
  const members = group.data.pages.flatMap((page) => page.members.items);
  const total = detail.members.total;

  return (
    <>
      <PageHeader
        title={detail.name}
        description={
          <>
            <GroupKindBadge kind={detail.kind} /> {plural(detail.deviceCount, 'device')} now
            {detail.activeRolloutCount > 0 &&
              `, in ${plural(detail.activeRolloutCount, 'open rollout')}`}
          </>
        }
        actions={
          <>
            <Link to={`/devices?groupId=${detail.id}`} className="button">
              Open in Devices
            </Link>
            {canEdit && (
              <Link to={`/rollouts/new?groupId=${detail.id}`} className="button">
                Roll out to this group
              </Link>
            )}
            <Link to="/device-groups">All device groups</Link>
          </>
        }
      />
      {detail.filter && (
        <section className="panel" aria-labelledby="criteria-heading">
          <h2 id="criteria-heading">Criteria</h2>
          <ul className="plain-list">
            {describeFilter(detail.filter, itemName).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
      )}
      {canEdit && <EditGroup group={detail} />}
      <h2 className="section-title">Devices</h2>
      {members.length === 0 ? (
        <EmptyState title="No device in this group now">
          {detail.kind === 'dynamic' && <p>No device matches these criteria at the moment.</p>}
        </EmptyState>
      ) : (
        <>
          <p className="muted">
            Showing {members.length} of {plural(total, 'device')}
          </p>
          <DevicesTable devices={members} caption={`Devices in ${detail.name}`} />
          <LoadMoreButton query={group} label="Show more devices" />
        </>
      )}
    </>
  );
}
