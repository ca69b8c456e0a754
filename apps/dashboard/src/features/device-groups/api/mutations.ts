import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateDeviceGroupRequest, UpdateDeviceGroupRequest } from '@repo/schemas';
import { api } from '../../../lib/api';
import { deviceKeys } from '../../devices/api/queries';
import { deviceGroupKeys } from './queries';

/** A group's change shows at once in the group lists and in the device lists filtered by it. */
function useRefreshGroups() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: deviceGroupKeys.all }),
      queryClient.invalidateQueries({ queryKey: deviceKeys.lists() }),
    ]);
}

export function useCreateDeviceGroup() {
  const refresh = useRefreshGroups();
  return useMutation({
    mutationFn: (body: CreateDeviceGroupRequest) => api.deviceGroups.create(body),
    onSuccess: refresh,
  });
}

export function useUpdateDeviceGroup(groupId: string) {
  const refresh = useRefreshGroups();
  return useMutation({
    mutationFn: (body: UpdateDeviceGroupRequest) => api.deviceGroups.update(groupId, body),
    onSuccess: refresh,
  });
}

export function useDeleteDeviceGroup() {
  const queryClient = useQueryClient();
  const refresh = useRefreshGroups();
  return useMutation({
    mutationFn: (groupId: string) => api.deviceGroups.remove(groupId),
    onSuccess: (_, groupId) => {
      queryClient.removeQueries({ queryKey: deviceGroupKeys.detail(groupId) });
      return refresh();
    },
  });
}
