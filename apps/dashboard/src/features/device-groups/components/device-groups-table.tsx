import { useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '@repo/api-client';
import type { DeviceGroup } from '@repo/schemas';
import { ErrorDetails } from '../../../components/error-details';
import { formatCount, formatDateTime, formatRelative, plural } from '../../../lib/format';
import { useDeleteDeviceGroup } from '../api/mutations';
import { describeFilter } from '../group-filter';
import { GroupKindBadge } from './group-kind-badge';

function DeleteGroupButton({ group }: { group: DeviceGroup }) {
  const remove = useDeleteDeviceGroup();
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button
        type="button"
        className="button button--small"
        onClick={() => {
          remove.reset();
          setConfirming(true);
        }}
        aria-label={`Delete ${group.name}`}
      >
        Delete
      </button>
    );
  const inUse = isApiError(remove.error) && remove.error.status === 409;
  return (
    <div role="group" aria-label={`Confirm deleting ${group.name}`} className="confirm">
      {inUse ? (
        <div className="form-error" role="alert">
          <strong>{group.name} was not deleted.</strong> {remove.error?.message}{' '}
          <Link to="/rollouts">See the rollouts</Link>
        </div>
      ) : (
        <>
          <span className="small">
            Rollouts that already ran on it keep its name. Its devices stay as they are.
          </span>
          <button
            type="button"
            className="button button--small button--danger"
            onClick={() => remove.mutate(group.id)}
            disabled={remove.isPending}
            // Focus moves here so that a keyboard user can confirm or step back at once.
            autoFocus
          >
            {remove.isPending ? 'Deleting…' : `Delete ${group.name}`}
          </button>
        </>
      )}
      <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
        {inUse ? 'Close' : 'Keep it'}
      </button>
      {remove.isError && !inUse && <ErrorDetails error={remove.error} title="Not deleted." />}
    </div>
  );
}

/** The groups with what they hold; filters in words, so a dynamic group says what it matches. */
export function DeviceGroupsTable({
  groups,
  canEdit,
  itemName,
}: {
  groups: DeviceGroup[];
  canEdit: boolean;
  itemName: (itemId: string) => string;
}) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">Device groups</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Members</th>
            <th scope="col">Devices now</th>
            <th scope="col">Open rollouts</th>
            <th scope="col">Updated</th>
            {canEdit && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.id}>
              <td>
                <Link to={`/device-groups/${group.id}`}>{group.name}</Link>
              </td>
              <td>
                <GroupKindBadge kind={group.kind} />
              </td>
              <td className="small">
                {group.filter
                  ? describeFilter(group.filter, itemName).join(' · ')
                  : 'Listed devices'}
              </td>
              <td>
                <Link
                  to={`/devices?groupId=${group.id}`}
                  aria-label={`${plural(group.deviceCount, 'device')} in ${group.name}`}
                >
                  {formatCount(group.deviceCount)}
                </Link>
              </td>
              <td>{formatCount(group.activeRolloutCount)}</td>
              <td title={formatDateTime(group.updatedAt)}>{formatRelative(group.updatedAt)}</td>
              {canEdit && (
                <td>
                  <DeleteGroupButton group={group} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
