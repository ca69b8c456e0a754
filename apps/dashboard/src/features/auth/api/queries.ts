import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { redirect } from 'react-router';
import { ApiError, isApiError } from '@repo/api-client';
import { api } from '../../../lib/api';

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
};

/**
 * The signed-in user. Read from the session endpoint, which answers 200 to a visitor too, so a
 * signed-out visit costs no 401 in the console; nobody signed in is the same error as a 401.
 */
export const meQueryOptions = () =>
  queryOptions({
    queryKey: authKeys.me(),
    queryFn: async () => {
      const { me } = await api.auth.session();
      if (!me) throw new ApiError(401, 'UNAUTHENTICATED', 'Sign in to continue.');
      return me;
    },
    staleTime: 5 * 60_000,
    retry: false,
  });

export const useMe = () => useQuery(meQueryOptions());

/**
 * Every loader behind sign-in awaits this before asking for anything else: a visitor goes to
 * the login page, and comes back after, before any page's own request could answer 401.
 */
export async function requireSession(queryClient: QueryClient, request: Request) {
  try {
    return await queryClient.ensureQueryData(meQueryOptions());
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      const url = new URL(request.url);
      throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    }
    throw error;
  }
}
