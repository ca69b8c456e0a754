import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { LoginRequest } from '@repo/schemas';
import { api } from '../../../lib/api';
import { authKeys } from './queries';

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => api.auth.login(body),
    onSuccess: ({ user, organisation }) => {
      // Nothing cached for a previous user may leak into this one's screens.
      queryClient.clear();
      queryClient.setQueryData(authKeys.me(), { user, organisation });
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.auth.logout(),
    onSettled: () => queryClient.clear(),
  });
}
