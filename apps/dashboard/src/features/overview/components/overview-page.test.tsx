import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { addDays, overviewSchema } from '@repo/schemas';
import { apiError } from '../../../testing/handlers/errors';
import { overviewState } from '../../../testing/handlers/overview';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';
import { todayUtc } from '../api/queries';

const lastRequest = () => {
  const url = overviewState.requests.at(-1)!;
  return Object.fromEntries(url.searchParams);
};

/** Two days, two currencies, numbers small enough to check by hand. */
const twoCurrencies = overviewSchema.parse({
  from: '2026-11-01',
  to: '2026-11-02',
  mode: null,
  currencies: ['eur', 'gbp'],
  sales: [
    {
      day: '2026-11-01',
      mode: 'live',
      itemId: 'item_eco_scheduler',
      currency: 'eur',
      purchases: 2,
      grossAmount: 2998,
      refunds: 0,
      refundedAmount: 0,
    },
    {
      day: '2026-11-02',
      mode: 'live',
      itemId: 'item_eco_scheduler',
      currency: 'eur',
      purchases: 0,
      grossAmount: 0,
      refunds: 1,
      refundedAmount: 1499,
    },
    {
      day: '2026-11-02',
      mode: 'test',
      itemId: 'item_night_vision',
      currency: 'gbp',
      purchases: 1,
      grossAmount: 1799,
      refunds: 0,
      refundedAmount: 0,
    },
  ],
  items: [
    {
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      mode: 'live',
      currency: 'eur',
      purchases: 2,
      grossAmount: 2998,
      refunds: 1,
      refundedAmount: 1499,
    },
    {
      itemId: 'item_night_vision',
      itemName: 'Night Vision Boost',
      mode: 'test',
      currency: 'gbp',
      purchases: 1,
      grossAmount: 1799,
      refunds: 0,
      refundedAmount: 0,
    },
  ],
  installs: {
    days: [
      { day: '2026-11-01', succeeded: 3, failed: 1 },
      { day: '2026-11-02', succeeded: 0, failed: 0 },
    ],
    failures: [{ day: '2026-11-01', reason: 'Download timed out after 300 s.', count: 1 }],
  },
});

describe('Overview page', () => {
  it('is the first page of the Fleet section', async () => {
    renderRoute('/devices');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const fleet = within(nav)
      .getAllByRole('link')
      .map((link) => link.textContent);
    expect(fleet.slice(fleet.indexOf('Overview'), fleet.indexOf('Overview') + 2)).toEqual([
      'Overview',
      'Devices',
    ]);
  });

  it('shows the last 30 UTC days in both modes by default, each chart with its summary', async () => {
    renderRoute('/overview');
    expect(await screen.findByRole('heading', { name: 'Sales and refunds' })).toBeInTheDocument();
    const today = todayUtc();
    expect(lastRequest()).toEqual({ from: addDays(today, -29), to: today });
    expect(screen.getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'true');
    for (const title of [
      'Purchases per product',
      'Install success rate',
      'Install failures by reason',
    ])
      expect(screen.getByRole('heading', { name: title })).toBeInTheDocument();
    const sales = screen.getByRole('region', { name: 'Sales and refunds' });
    expect(sales).toHaveTextContent(/Live: €[\d,.]+ from \d+ purchases?/);
    expect(sales).toHaveTextContent(/Test: €[\d,.]+ from \d+ purchases?/);
  });

  it('says in words and in tables what the charts draw, one currency at a time', async () => {
    server.use(http.get('/api/overview', () => HttpResponse.json(twoCurrencies)));
    const { user, router } = renderRoute('/overview?from=2026-11-01&to=2026-11-02');
    const sales = await screen.findByRole('region', { name: 'Sales and refunds' });
    expect(sales).toHaveTextContent(
      'All products, in EUR (other currencies are charted apart, never added). Live: €29.98 from 2 purchases, €14.99 refunded (1 refund). Test: €0.00 from 0 purchases, €0.00 refunded (0 refunds).',
    );
    await user.click(within(sales).getByText('Show the numbers'));
    const firstDay = within(sales).getByRole('row', { name: /1 Nov 2026/ });
    expect(firstDay).toHaveTextContent('€29.98 (2 purchases)');

    await user.selectOptions(within(sales).getByLabelText('Currency'), 'gbp');
    await waitFor(() => expect(router.state.location.search).toContain('currency=gbp'));
    await waitFor(() => expect(sales).toHaveTextContent('Test: £17.99 from 1 purchase'));

    await user.selectOptions(within(sales).getByLabelText('Product'), 'item_eco_scheduler');
    await waitFor(() => expect(router.state.location.search).toContain('item=item_eco_scheduler'));
    await waitFor(() => expect(sales).toHaveTextContent('Eco Scheduler, in GBP'));
    expect(sales).toHaveTextContent('Test: £0.00 from 0 purchases');

    const installs = screen.getByRole('region', { name: 'Install success rate' });
    expect(installs).toHaveTextContent('75 % of 4 installs succeeded: 3 succeeded, 1 failed.');
    const failures = screen.getByRole('region', { name: 'Install failures by reason' });
    expect(failures).toHaveTextContent(
      '1 install failed for 1 reason; the commonest: “Download timed out after 300 s.” (1).',
    );
    const perItem = screen.getByRole('region', { name: 'Purchases per product' });
    await user.click(within(perItem).getByText('Show the numbers'));
    expect(within(perItem).getByRole('row', { name: /Eco Scheduler/ })).toHaveTextContent(
      'Eco Scheduler201€29.98',
    );
  });

  it('keeps the range and the mode in the URL, and a reload asks for the same', async () => {
    const { user, router } = renderRoute('/overview');
    await screen.findByRole('heading', { name: 'Sales and refunds' });
    await user.click(screen.getByRole('button', { name: '7 days' }));
    await waitFor(() => expect(router.state.location.search).toBe('?range=7'));
    expect(
      await screen.findByRole('button', { name: '7 days', pressed: true }),
    ).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Mode'), 'live');
    await waitFor(() => expect(router.state.location.search).toBe('?range=7&mode=live'));
    expect(screen.getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true');
    const today = todayUtc();
    await waitFor(() =>
      expect(lastRequest()).toEqual({ from: addDays(today, -6), to: today, mode: 'live' }),
    );
    expect(await screen.findByText(/7 days, live mode only/)).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Sales and refunds' })).not.toHaveTextContent(
      'Test:',
    );

    // The same address opened afresh.
    overviewState.requests.length = 0;
    renderRoute(`/overview${router.state.location.search}`);
    await waitFor(() => expect(overviewState.requests).toHaveLength(1));
    expect(lastRequest()).toEqual({ from: addDays(today, -6), to: today, mode: 'live' });
  });

  it('takes a custom range of UTC days and says what is wrong with one backwards', async () => {
    const { user, router } = renderRoute('/overview?range=7');
    await screen.findByRole('heading', { name: 'Sales and refunds' });
    await user.click(screen.getByRole('button', { name: 'Custom' }));
    const today = todayUtc();
    await waitFor(() =>
      expect(router.state.location.search).toBe(`?from=${addDays(today, -6)}&to=${today}`),
    );
    const from = await screen.findByLabelText('From (UTC)');
    expect(from).toHaveValue(addDays(today, -6));

    await user.clear(from);
    await user.type(from, '2026-10-01');
    await user.clear(screen.getByLabelText('To (UTC)'));
    await user.type(screen.getByLabelText('To (UTC)'), '2026-10-31');
    await waitFor(() => expect(lastRequest()).toEqual({ from: '2026-10-01', to: '2026-10-31' }));
    expect(router.state.location.search).toBe('?from=2026-10-01&to=2026-10-31');
    expect(screen.getByRole('button', { name: 'Custom' })).toHaveAttribute('aria-pressed', 'true');

    const asked = overviewState.requests.length;
    await user.clear(from);
    await user.type(from, '2026-11-15');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The start of the range is after its end.',
    );
    expect(overviewState.requests).toHaveLength(asked);
  });

  it('says when nothing happened in the range', async () => {
    renderRoute('/overview?from=2025-06-01&to=2025-06-30');
    expect(await screen.findByText('Nothing happened in this range')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Sales and refunds' })).not.toBeInTheDocument();
  });

  it('shows a failure with its request id and loads again on retry', async () => {
    let down = true;
    server.use(
      http.get('/api/overview', () =>
        down
          ? apiError(500, 'SERVER_ERROR', 'The database did not answer.', 'req-ov-1')
          : undefined,
      ),
    );
    const { user } = renderRoute('/overview');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The overview could not be loaded');
    expect(alert).toHaveTextContent('req-ov-1');
    down = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Sales and refunds' })).toBeInTheDocument();
  });
});
