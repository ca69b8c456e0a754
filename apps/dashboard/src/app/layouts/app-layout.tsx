import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { isApiError } from '@repo/api-client';
import {
  Link,
  NavLink,
  Outlet,
  redirect,
  useMatches,
  useNavigate,
  useNavigation,
  useParams,
  type LoaderFunctionArgs,
} from 'react-router';
import { useLogout } from '../../features/auth/api/mutations';
import { meQueryOptions, useMe } from '../../features/auth/api/queries';
import { useCheckoutMode } from '../../features/checkout/checkout-mode';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { marketplacesQueryOptions } from '../../features/marketplaces/api/queries';

/** Every page behind sign-in: unknown visitors go to the login page and come back after. */
export const appLayoutLoader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    try {
      await Promise.all([
        queryClient.ensureQueryData(meQueryOptions()),
        queryClient.ensureQueryData(marketplacesQueryOptions()),
      ]);
    } catch (error) {
      if (isApiError(error) && error.status === 401) {
        const url = new URL(request.url);
        throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
      }
      throw error;
    }
    return null;
  };

function Breadcrumbs({
  instanceName,
  organisationName,
}: {
  instanceName?: string;
  organisationName: string;
}) {
  const matches = useMatches();
  const title = [...matches]
    .reverse()
    .find((m) => (m.handle as { title?: string } | undefined)?.title)?.handle as
    { title: string } | undefined;
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>
          <Link to="/marketplaces">Marketplace</Link>
        </li>
        {instanceName && <li>{instanceName}</li>}
        <li>{organisationName}</li>
        {title && <li aria-current="page">{title.title}</li>}
      </ol>
    </nav>
  );
}

export function AppLayout() {
  const { data: me } = useMe();
  const { data: marketplaces } = useQuery(marketplacesQueryOptions());
  const params = useParams();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const logout = useLogout();
  const [mode] = useCheckoutMode();

  if (!me) return null;
  const instance =
    marketplaces?.items.find((m) => m.id === params.instanceId) ?? marketplaces?.items[0];

  const signOut = () =>
    logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/marketplaces" className="brand">
          Device Marketplace <span className="brand__sub">Provider dashboard</span>
        </Link>
        <div className="topbar__right">
          <span title="Checkout mode used for new purchases">
            <ModeBadge mode={mode} />
          </span>
          <span className="who">
            <span>{me.user.email}</span>
            <span className="role">{me.user.role}</span>
          </span>
          <button
            type="button"
            className="button button--ghost"
            onClick={signOut}
            disabled={logout.isPending}
          >
            Sign out
          </button>
        </div>
      </header>
      <div className="body">
        <nav className="sidenav" aria-label="Main">
          <p className="sidenav__label">Marketplace</p>
          <NavLink to="/marketplaces" end>
            All marketplaces
          </NavLink>
          {instance && (
            <>
              <NavLink to={`/marketplaces/${instance.id}`} end>
                {instance.name}
              </NavLink>
              <p className="sidenav__label">Provider · {me.organisation.name}</p>
              <NavLink to={`/marketplaces/${instance.id}/store`}>Store</NavLink>
              <NavLink to={`/marketplaces/${instance.id}/preview`}>Store Preview</NavLink>
            </>
          )}
          <p className="sidenav__label">Fleet</p>
          <NavLink to="/devices">Devices</NavLink>
          <NavLink to="/purchases">Purchases</NavLink>
          <NavLink to="/installs">Installs</NavLink>
          {me.user.role === 'admin' && (
            <>
              <p className="sidenav__label">Developers</p>
              <NavLink to="/developers/api-keys">API keys</NavLink>
              <NavLink to="/developers/webhooks">Webhooks</NavLink>
              <NavLink to="/developers/payment-links">Payment links</NavLink>
              <NavLink to="/developers/api-reference">API reference</NavLink>
            </>
          )}
        </nav>
        <main
          id="main"
          className="content"
          tabIndex={-1}
          aria-busy={navigation.state === 'loading'}
        >
          {navigation.state === 'loading' && (
            <div className="progress-bar" role="progressbar" aria-label="Loading page" />
          )}
          <Breadcrumbs instanceName={instance?.name} organisationName={me.organisation.name} />
          <Outlet />
        </main>
      </div>
    </div>
  );
}
