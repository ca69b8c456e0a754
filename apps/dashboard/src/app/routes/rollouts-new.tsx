import type { QueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { useMe } from '../../features/auth/api/queries';
import { deviceGroupChoicesQueryOptions } from '../../features/device-groups/api/queries';
import { releasesQueryOptions } from '../../features/installs/api/queries';
import { NewRolloutForm } from '../../features/rollouts/components/new-rollout-form';
import { canManageRollouts } from '../../features/rollouts/permissions';

export const handle = { title: 'New rollout' };

export const loader = (queryClient: QueryClient) => async () => {
  // Awaited: the form starts from them (the group named in the link, the items to choose from);
  // a failure shows in the form, beside the field it empties.
  await Promise.all([
    queryClient.prefetchQuery(releasesQueryOptions()),
    queryClient.prefetchQuery(deviceGroupChoicesQueryOptions()),
  ]);
  return null;
};

export function Component() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const canManage = canManageRollouts(useMe().data?.user.role);
  return (
    <>
      <PageHeader
        title="New rollout"
        description="One release, put on the devices of a target that are entitled to it and able to run it, a phase at a time."
        actions={<Link to="/rollouts">All rollouts</Link>}
      />
      {canManage ? (
        <NewRolloutForm
          initialGroupId={search.get('groupId') ?? undefined}
          onCreated={(rollout) => navigate(`/rollouts/${rollout.id}`)}
        />
      ) : (
        <p className="muted">
          Only an administrator or operator of your organisation can create rollouts.
        </p>
      )}
    </>
  );
}
