import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateRolloutRequest, PauseRolloutRequest, RolloutDetail } from '@repo/schemas';
import { api } from '../../../lib/api';
import { deviceGroupKeys } from '../../device-groups/api/queries';
import { installKeys } from '../../installs/api/queries';
import { rolloutKeys } from './queries';

/**
 * Every action answers the rollout as it now stands: the page shows it at once, and the lists,
 * its devices, the installs it queued or cancelled and the groups' open rollouts catch up.
 */
function useShowRollout() {
  const queryClient = useQueryClient();
  return (rollout: RolloutDetail) => {
    queryClient.setQueryData(rolloutKeys.detail(rollout.id), rollout);
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: rolloutKeys.lists() }),
      queryClient.invalidateQueries({ queryKey: rolloutKeys.devices(rollout.id) }),
      queryClient.invalidateQueries({ queryKey: installKeys.lists() }),
      queryClient.invalidateQueries({ queryKey: deviceGroupKeys.all }),
    ]);
  };
}

export function useCreateRollout() {
  const show = useShowRollout();
  return useMutation({
    mutationFn: (body: CreateRolloutRequest) => api.rollouts.create(body),
    onSuccess: show,
  });
}

export type RolloutAction =
  | { kind: 'start' }
  | { kind: 'pause'; body: PauseRolloutRequest }
  | { kind: 'resume' }
  | { kind: 'abort' }
  | { kind: 'retryFailed' };

export function useRolloutAction(rolloutId: string) {
  const show = useShowRollout();
  return useMutation({
    mutationFn: (action: RolloutAction) =>
      action.kind === 'pause'
        ? api.rollouts.pause(rolloutId, action.body)
        : api.rollouts[action.kind](rolloutId),
    onSuccess: show,
  });
}
