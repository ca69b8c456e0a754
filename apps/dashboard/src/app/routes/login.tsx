import type { QueryClient } from '@tanstack/react-query';
import { redirect, useNavigate, useSearchParams, type LoaderFunctionArgs } from 'react-router';
import { LoginForm } from '../../features/auth/components/login-form';
import { meQueryOptions } from '../../features/auth/api/queries';

/**
 * Only a path on this site, so that a crafted link cannot send someone elsewhere after sign-in;
 * otherwise the Overview, the page every role starts from.
 */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/overview';
}

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const signedIn = await queryClient.ensureQueryData(meQueryOptions()).then(
      () => true,
      () => false,
    );
    if (signedIn) throw redirect(safeNext(new URL(request.url).searchParams.get('next')));
    return null;
  };

export function Component() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  return (
    <div className="login-page">
      <div className="login-card">
        <p className="brand">Device Marketplace</p>
        <h1>Sign in to the provider dashboard</h1>
        <LoginForm onSignedIn={() => navigate(safeNext(search.get('next')), { replace: true })} />
      </div>
    </div>
  );
}
