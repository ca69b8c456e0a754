import { Fragment, useEffect, useRef, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import {
  Link,
  NavLink,
  Outlet,
  useLocation,
  useMatches,
  useNavigation,
  useParams,
  type LoaderFunctionArgs,
} from 'react-router';
import { useLogout } from '../../features/auth/api/mutations';
import { requireSession, useMe } from '../../features/auth/api/queries';
import { useBasket } from '../../features/checkout/basket';
import { useCheckoutMode } from '../../features/checkout/checkout-mode';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { marketplacesQueryOptions } from '../../features/marketplaces/api/queries';
import { SearchBox } from '../../features/search/components/search-box';
import { mainNavSections } from './main-nav';

/** Every page behind sign-in: the session first, then what the layout shows. */
export const appLayoutLoader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    await requireSession(queryClient, request);
    await queryClient.ensureQueryData(marketplacesQueryOptions());
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

/** While a live basket is open, every page says so: paying from it charges real money. */
function LiveBasketNotice({ instanceId }: { instanceId: string }) {
  const basket = useBasket(instanceId);
  if (basket.itemIds.length === 0) return null;
  return (
    <Link to={`/marketplaces/${instanceId}/checkout`} className="live-notice">
      <ModeBadge mode="live" /> Live basket open: paying charges real money
    </Link>
  );
}

/**
 * The main navigation as a side bar on a wide screen and, on a phone, behind a menu button.
 * The menu is open for the page it was opened on, so any navigation closes it.
 */
function useMenu() {
  const location = useLocation();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === location.key;
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpenOn(null);
      buttonRef.current?.focus();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open]);
  const toggle = () => setOpenOn(open ? null : location.key);
  return { open, toggle, buttonRef };
}

export function AppLayout() {
  const { data: me } = useMe();
  const { data: marketplaces } = useQuery(marketplacesQueryOptions());
  const params = useParams();
  const navigation = useNavigation();
  const logout = useLogout();
  const [mode] = useCheckoutMode();
  const { open: menuOpen, toggle: toggleMenu, buttonRef: menuButton } = useMenu();

  if (!me) return null;
  const instance =
    marketplaces?.items.find((m) => m.id === params.instanceId) ?? marketplaces?.items[0];

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="button button--ghost menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={toggleMenu}
        >
          Menu
        </button>
        <Link to="/marketplaces" className="brand">
          Device Marketplace <span className="brand__sub">Provider dashboard</span>
        </Link>
        <SearchBox />
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
            onClick={() => logout.mutate()}
            disabled={logout.isPending}
          >
            Sign out
          </button>
        </div>
      </header>
      {mode === 'live' && instance && <LiveBasketNotice instanceId={instance.id} />}
      <div className="body">
        <nav
          id="main-nav"
          className={`sidenav ${menuOpen ? 'sidenav--open' : ''}`}
          aria-label="Main"
        >
          {mainNavSections(me, instance).map((section) => (
            <Fragment key={section.label}>
              <p className="sidenav__label">{section.label}</p>
              {section.entries.map((entry) => (
                <NavLink key={entry.to} to={entry.to} end={entry.end}>
                  {entry.label}
                </NavLink>
              ))}
            </Fragment>
          ))}
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
