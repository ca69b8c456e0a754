import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
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

/**
 * Signs out, then leaves for the login page. Only the user is forgotten before leaving: were
 * everything cleared while the pages are still shown, they would ask again and get 401s.
 */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api.auth.logout(),
    onSettled: async () => {
      queryClient.removeQueries({ queryKey: authKeys.me() });
      await navigate('/login', { replace: true });
      queryClient.clear();
    },
  });
}
