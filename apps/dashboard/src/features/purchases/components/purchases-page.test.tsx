import { screen, waitFor, within } from '@testing-library/react';
import { delay, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { apiError } from '../../../testing/handlers/errors';
import { purchaseState, purchases } from '../../../testing/handlers/purchases';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);
const listParams = () => purchaseState.listRequests.map((url) => url.searchParams);

describe('Purchases page', () => {
  it('lists the newest purchases with the total, marks test mode, and loads more', async () => {
    const { user } = renderRoute('/purchases');
    expect(await screen.findByText('Showing 25 of 30 purchases')).toBeInTheDocument();
    expect(rows()).toHaveLength(25);
    const testRows = rows().filter((row) => row.getAttribute('data-mode') === 'test');
    expect(testRows.length).toBe(purchases.slice(0, 25).filter((p) => p.mode === 'test').length);
    for (const row of testRows) expect(within(row).getByText('Test mode')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show more purchases' }));
    expect(await screen.findByText('Showing 30 of 30 purchases')).toBeInTheDocument();
  });

  it('applies the filters of a shared link on load and shows them in the form', async () => {
    renderRoute(
      '/purchases?deviceId=acm-the&deviceIdMatch=prefix&status=active&mode=live&from=2026-11-15',
    );
    await screen.findByRole('table');
    expect(screen.getByLabelText('Device ID')).toHaveValue('acm-the');
    expect(screen.getByLabelText('Match')).toHaveValue('prefix');
    expect(screen.getByLabelText('Status')).toHaveValue('active');
    expect(screen.getByLabelText('Mode')).toHaveValue('live');
    expect(screen.getByLabelText('From')).toHaveValue('2026-11-15');
    for (const row of rows()) {
      expect(row).toHaveTextContent(/ACM-THE-/);
      expect(row).toHaveTextContent('Live mode');
      expect(row).toHaveTextContent('Active');
    }
    expect(Object.fromEntries(listParams()[0]!)).toMatchObject({
      deviceId: 'acm-the',
      deviceIdMatch: 'prefix',
      status: 'active',
      mode: 'live',
      from: '2026-11-15',
    });
  });

  it('searches a device ID once typing stops, keeping it in the URL', async () => {
    const { user, router } = renderRoute('/purchases');
    await screen.findByRole('table');
    await user.type(screen.getByLabelText('Device ID'), 'ACM-THE-0003');
    await waitFor(() => expect(router.state.location.search).toBe('?deviceId=ACM-THE-0003'));
    await waitFor(() =>
      expect(rows().every((r) => r.textContent?.includes('ACM-THE-0003'))).toBe(true),
    );
    // Debounced: one request for the whole ID, not one per key.
    expect(listParams().filter((p) => p.has('deviceId'))).toHaveLength(1);
    await user.selectOptions(screen.getByLabelText('Match'), 'prefix');
    await waitFor(() =>
      expect(router.state.location.search).toBe('?deviceId=ACM-THE-0003&deviceIdMatch=prefix'),
    );
  });

  it("offers the organisation's products and filters by one", async () => {
    const { user, router } = renderRoute('/purchases');
    await screen.findByRole('table');
    const product = screen.getByLabelText('Product');
    await waitFor(() =>
      expect(
        within(product).getByRole('option', { name: 'Night Vision Boost' }),
      ).toBeInTheDocument(),
    );
    await user.selectOptions(product, 'Fleet Diagnostics');
    await waitFor(() =>
      expect(router.state.location.search).toBe('?itemId=item_fleet_diagnostics'),
    );
    await waitFor(() =>
      expect(rows().every((r) => r.textContent?.includes('Fleet Diagnostics'))).toBe(true),
    );
  });

  it('keeps two filters chosen one right after the other, before the list has caught up', async () => {
    // A slow list: the URL changes only once its loader has the new page.
    server.use(
      http.get('/api/purchases', async () => {
        await delay(150);
        return undefined;
      }),
    );
    const { user, router } = renderRoute('/purchases');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('Status'), 'refunded');
    await user.selectOptions(screen.getByLabelText('Mode'), 'live');
    await waitFor(() => expect(router.state.location.search).toBe('?status=refunded&mode=live'));
    await waitFor(() =>
      expect(rows().every((r) => /Refunded/.test(r.textContent ?? ''))).toBe(true),
    );
    expect(rows().every((r) => r.getAttribute('data-mode') === 'live')).toBe(true);
  });

  it('exports exactly the filters on screen', async () => {
    renderRoute('/purchases?mode=test&to=2026-11-20');
    await screen.findByRole('table');
    const link = screen.getByRole('link', { name: 'Export CSV' });
    expect(link).toHaveAttribute('href', '/api/purchases/export.csv?mode=test&to=2026-11-20');
    expect(link).toHaveAttribute('download');
  });

  it('opens a purchase from its row', async () => {
    const { user, router } = renderRoute('/purchases');
    await screen.findByRole('table');
    const first = purchases[0]!;
    await user.click(within(rows()[0]!).getByRole('link', { name: new RegExp(first.itemName) }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/purchases/${first.id}`));
    expect(
      await screen.findByRole('heading', {
        name: `${first.itemName} for ${first.deviceId}`,
        level: 1,
      }),
    ).toBeInTheDocument();
  });

  it('says when nothing matches and clears the filters', async () => {
    const { user, router } = renderRoute('/purchases?deviceId=NOPE-0000');
    expect(await screen.findByText('No purchases match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(await screen.findByText('Showing 25 of 30 purchases')).toBeInTheDocument();
    expect(screen.getByLabelText('Device ID')).toHaveValue('');
  });

  it('shows a failure with its request id and recovers on retry', async () => {
    let serverDown = true;
    server.use(
      http.get('/api/purchases', () =>
        serverDown
          ? apiError(500, 'INTERNAL', 'Something went wrong on our side.', 'req-77')
          : undefined,
      ),
    );
    const { user } = renderRoute('/purchases');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Something went wrong on our side.');
    expect(alert).toHaveTextContent('req-77');
    serverDown = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 25 of 30 purchases')).toBeInTheDocument();
  });
});
