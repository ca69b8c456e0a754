import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BulkInstallRequest, CreateInstallRequest, InstallJob } from '@repo/schemas';
import { api } from '../../../lib/api';
import { deviceKeys } from '../../devices/api/queries';
import { installKeys } from './queries';

/** Every install change shows at once in the installs lists and on the device concerned. */
function useRefreshAfter() {
  const queryClient = useQueryClient();
  return (deviceIds: string[]) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: installKeys.lists() }),
      ...deviceIds.map((id) => queryClient.invalidateQueries({ queryKey: deviceKeys.detail(id) })),
    ]);
}

export function useQueueInstall() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: (body: CreateInstallRequest) => api.installs.queue(body),
    onSuccess: (job) => refresh([job.deviceId]),
  });
}

export function useQueueInstalls() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: (body: BulkInstallRequest) => api.installs.queueMany(body),
    onSuccess: (result) => refresh(result.queued.map((job) => job.deviceId)),
  });
}

export function useCancelInstall() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: (job: InstallJob) => api.installs.cancel(job.id),
    onSuccess: (job) => refresh([job.deviceId]),
  });
}

export function useRetryInstall() {
  const refresh = useRefreshAfter();
  return useMutation({
    mutationFn: (job: InstallJob) => api.installs.retry(job.id),
    onSuccess: (job) => refresh([job.deviceId]),
  });
}
