import type { QueryClient } from '@tanstack/react-query';
import { redirect } from 'react-router';
import { meQueryOptions } from '../../features/auth/api/queries';

/** The Developers pages are for admins; everyone else goes back to the marketplaces. */
export async function requireAdmin(queryClient: QueryClient) {
  const me = await queryClient.ensureQueryData(meQueryOptions());
  if (me.user.role !== 'admin') throw redirect('/marketplaces');
}
