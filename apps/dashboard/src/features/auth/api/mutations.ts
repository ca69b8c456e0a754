import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
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
 * Signs out, then leaves for the login page. Only the user is forgotten here: the pages still
 * shown would ask again for anything cleared under them and get 401s. The login page forgets the
 * rest once they are gone (forgetPreviousSession).
 */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api.auth.logout(),
    onSettled: async () => {
      queryClient.removeQueries({ queryKey: authKeys.me() });
      await navigate('/login', { replace: true });
    },
  });
}

/**
 * Everything a previous session cached, except the session itself: for the login page to call
 * once it is shown, when no page of that session is left to ask for it again.
 */
export function forgetPreviousSession(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
}
