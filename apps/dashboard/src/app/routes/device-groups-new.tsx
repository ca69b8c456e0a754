import type { QueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { useMe } from '../../features/auth/api/queries';
import { deviceFacetsQueryOptions } from '../../features/devices/api/queries';
import { useCreateDeviceGroup } from '../../features/device-groups/api/mutations';
import { DeviceGroupForm } from '../../features/device-groups/components/device-group-form';
import { canEditDeviceGroups } from '../../features/device-groups/permissions';
import { releasesQueryOptions } from '../../features/installs/api/queries';

export const handle = { title: 'New device group' };

export const loader = (queryClient: QueryClient) => async () => {
  await Promise.all([
    queryClient.prefetchQuery(deviceFacetsQueryOptions()),
    queryClient.prefetchQuery(releasesQueryOptions()),
  ]);
  return null;
};

export function Component() {
  const create = useCreateDeviceGroup();
  const navigate = useNavigate();
  const canEdit = canEditDeviceGroups(useMe().data?.user.role);
  return (
    <>
      <PageHeader
        title="New device group"
        actions={<Link to="/device-groups">All device groups</Link>}
      />
      {canEdit ? (
        <DeviceGroupForm
          submitLabel="Create group"
          pending={create.isPending}
          error={create.error}
          onSubmit={(value) =>
            create.mutate(
              value.kind === 'static' ? { ...value, deviceIds: value.deviceIds ?? [] } : value,
              { onSuccess: (group) => navigate(`/device-groups/${group.id}`) },
            )
          }
        />
      ) : (
        <p className="muted">
          Only an administrator or operator of your organisation can create device groups.
        </p>
      )}
    </>
  );
}
