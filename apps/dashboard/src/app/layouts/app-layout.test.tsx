import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { authState } from '../../testing/handlers/auth';
import { renderRoute } from '../../testing/render';
import { server } from '../../testing/server';

describe('app layout', () => {
  it('sends a visitor without a session to the login page and remembers where they were going', async () => {
    authState.signedIn = false;
    const { router } = renderRoute('/devices?model=cam-c3');
    expect(await screen.findByRole('heading', { name: /sign in/i })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe(
      `?next=${encodeURIComponent('/devices?model=cam-c3')}`,
    );
  });

  it('asks for nothing but the session before sending a visitor to the login page, so nothing answers 401', async () => {
    authState.signedIn = false;
    const answers: string[] = [];
    server.events.on('response:mocked', ({ request, response }) => {
      answers.push(`${response.status} ${new URL(request.url).pathname}`);
    });
    renderRoute('/devices');
    expect(await screen.findByRole('heading', { name: /sign in/i })).toBeInTheDocument();
    server.events.removeAllListeners();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((answer) => !answer.startsWith('200 /api/auth/session'))).toEqual([]);
  });

  it('folds the navigation into a menu button that opens, closes on Escape and on navigation', async () => {
    const { user } = renderRoute('/marketplaces');
    const menu = await screen.findByRole('button', { name: 'Menu' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveAttribute('aria-controls', nav.id);

    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    expect(nav).toHaveClass('sidenav--open');
    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();

    await user.click(menu);
    await user.click(within(nav).getByRole('link', { name: 'Devices' }));
    await waitFor(() => expect(menu).toHaveAttribute('aria-expanded', 'false'));
    expect(nav).not.toHaveClass('sidenav--open');
  });

  it('shows the navigation from marketplace to provider pages, the user and the checkout mode', async () => {
    renderRoute('/marketplaces');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    for (const name of [
      'Device Marketplace Europe',
      'Store',
      'Store Preview',
      'Devices',
      'Purchases',
      'Installs',
    ]) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }
    expect(within(nav).getByText(/Provider · Acme Devices/)).toBeInTheDocument();
    expect(screen.getByText('admin@acme.example')).toBeInTheDocument();
    expect(screen.getByText('Test mode')).toBeInTheDocument();
  });

  it('says in the header, on every page, while a live basket is open', async () => {
    window.localStorage.setItem('dashboard.checkoutMode', JSON.stringify('live'));
    window.localStorage.setItem(
      'dashboard.basket.org_acme.mkt_eu',
      JSON.stringify({ itemIds: ['item_eco_scheduler'], deviceIds: [] }),
    );
    renderRoute('/devices');
    const notice = await screen.findByRole('link', { name: /Live basket open/ });
    expect(notice).toHaveTextContent('Live mode Live basket open: paying charges real money');
    expect(notice).toHaveAttribute('href', '/marketplaces/mkt_eu/checkout');
  });

  it('shows no live notice for a test basket', async () => {
    window.localStorage.setItem(
      'dashboard.basket.org_acme.mkt_eu',
      JSON.stringify({ itemIds: ['item_eco_scheduler'], deviceIds: [] }),
    );
    renderRoute('/devices');
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Live basket open/ })).not.toBeInTheDocument();
  });

  it('signs out and returns to the login page', async () => {
    const { user, router } = renderRoute('/marketplaces');
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(authState.signedIn).toBe(false);
  });

  it('asks for no page data after signing out, and forgets it on the login page', async () => {
    const { user, router, queryClient } = renderRoute('/marketplaces');
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    const asked: string[] = [];
    server.events.on('request:start', ({ request }) => {
      asked.push(`${request.method} ${new URL(request.url).pathname}`);
    });
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(await screen.findByRole('heading', { name: /sign in/i })).toBeInTheDocument();
    await waitFor(() =>
      expect(queryClient.getQueryCache().findAll({ queryKey: ['marketplaces'] })).toEqual([]),
    );
    server.events.removeAllListeners();
    expect(asked.filter((request) => !request.includes('/api/auth/'))).toEqual([]);
  });

  it('shows a not-found page for an unknown address', async () => {
    renderRoute('/no-such-page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });
});
