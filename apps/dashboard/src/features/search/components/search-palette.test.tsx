import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { checkoutSessionFixture, checkoutState } from '../../../testing/handlers/checkout';
import { apiError } from '../../../testing/handlers/errors';
import { installJob, installsState } from '../../../testing/handlers/installs';
import { purchases } from '../../../testing/handlers/purchases';
import { searchState } from '../../../testing/handlers/search';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const newestEcoSchedulerOfThe0003 = purchases[0]!;

async function openPalette(path = '/devices') {
  const view = renderRoute(path);
  await view.user.click(await screen.findByRole('button', { name: 'Search' }));
  const dialog = screen.getByRole('dialog', { name: 'Search' });
  const input = within(dialog).getByRole('combobox', { name: 'Search by ID or name' });
  return { ...view, dialog, input };
}

const options = () =>
  within(screen.getByRole('listbox', { name: 'Results' })).getAllByRole('option');

describe('the search box', () => {
  it('opens from the header and with Ctrl+K or Cmd+K, and Escape gives the focus back', async () => {
    const { user } = renderRoute('/devices');
    const trigger = await screen.findByRole('button', { name: 'Search' });
    expect(trigger).toHaveAttribute('aria-keyshortcuts', 'Control+K Meta+K');

    await user.keyboard('{Control>}k{/Control}');
    const input = screen.getByRole('combobox', { name: 'Search by ID or name' });
    expect(input).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(trigger).toHaveFocus();

    await user.keyboard('{Meta>}k{/Meta}');
    expect(screen.getByRole('dialog', { name: 'Search' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(trigger).toHaveFocus();
  });

  it('keeps Tab inside the dialog', async () => {
    const { user, input, dialog } = await openPalette();
    const close = within(dialog).getByRole('button', { name: 'Close' });
    await user.tab();
    expect(close).toHaveFocus();
    await user.tab();
    expect(input).toHaveFocus();
    await user.tab({ shift: true });
    expect(close).toHaveFocus();
  });

  it('answers whether a device owns a product and whether it is installed, whatever the letter case', async () => {
    const { user, input } = await openPalette();
    await user.type(input, 'acm-the-0003 eco scheduler');
    const device = await screen.findByRole('option', { name: /^Device ACM-THE-0003/ });
    expect(device).toHaveTextContent(
      `Yes: ACM-THE-0003 owns Eco Scheduler (purchase ${newestEcoSchedulerOfThe0003.id}, test mode). Not installed.`,
    );
    expect(device).toHaveTextContent('Eco Scheduler · live · active · not installed');
    // The answering purchase is one arrow away.
    expect(options()[1]).toHaveTextContent(`Purchase Eco Scheduler for ACM-THE-0003`);

    await user.clear(input);
    await user.type(input, 'ACM-THE-0003 night vision');
    expect(
      await screen.findByRole('option', {
        name: /No: ACM-THE-0003 has not bought Night Vision Boost\. Not installed\./,
      }),
    ).toBeInTheDocument();
    expect(options()).toHaveLength(1);
  });

  it('says which version is installed once an install succeeded', async () => {
    installsState.jobs.push(
      installJob({
        id: `inst_${'7'.repeat(32)}`,
        deviceId: 'ACM-THE-0003',
        status: 'succeeded',
        releaseId: 'rel_eco_scheduler_2_0_0',
        version: '2.0.0',
      }),
    );
    const { user, input } = await openPalette();
    await user.type(input, 'ACM-THE-0003 Eco');
    expect(
      await screen.findByRole('option', { name: /Eco Scheduler 2\.0\.0 is installed\./ }),
    ).toBeInTheDocument();
  });

  it('moves through the results with the arrows and opens the chosen one with Enter', async () => {
    const { user, input, router } = await openPalette('/purchases');
    await user.type(input, 'ACM-THE-000');
    await waitFor(() => expect(options()).toHaveLength(3));
    // Debounced: one request for what was typed, not one per key.
    expect(searchState.requests).toEqual(['ACM-THE-000']);
    expect(input).toHaveAttribute('aria-expanded', 'true');
    expect(input).toHaveAttribute('aria-activedescendant', options()[0]!.id);
    expect(options()[0]).toHaveAttribute('aria-selected', 'true');

    // Round the ends: up from the first is the last, down from the last is the first.
    await user.keyboard('{ArrowUp}');
    expect(input).toHaveAttribute('aria-activedescendant', options()[2]!.id);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(input).toHaveAttribute('aria-activedescendant', options()[1]!.id);
    expect(options()[1]).toHaveAttribute('aria-selected', 'true');
    expect(options()[1]).toHaveTextContent('ACM-THE-0006');

    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/devices/ACM-THE-0006'));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Lyon thermo-x1 6' })).toBeInTheDocument();
  });

  it('opens a pasted purchase id on Enter without waiting to be shown the results', async () => {
    const { user, input, router } = await openPalette();
    const purchase = purchases[4]!;
    await user.click(input);
    await user.paste(purchase.id);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/purchases/${purchase.id}`));
    expect(
      await screen.findByRole('heading', { name: `${purchase.itemName} for ${purchase.deviceId}` }),
    ).toBeInTheDocument();
  });

  it('finds a checkout by its Stripe payment intent and opens it', async () => {
    const session = checkoutSessionFixture({ status: 'complete', paymentStatus: 'paid' });
    checkoutState.sessions.set(session.id, session);
    searchState.paymentIntents.set('pi_3Qx7Lm2eZvKYlo2C', session.id);
    const { user, input, router } = await openPalette();
    await user.type(input, 'pi_3Qx7Lm2eZvKYlo2C');
    const option = await screen.findByRole('option', {
      name: new RegExp(`Checkout ${session.id}`),
    });
    expect(option).toHaveTextContent('Found by its Stripe payment intent');
    await user.click(option);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/checkout/${session.id}`));
  });

  it('opens an install job on the page of its device', async () => {
    const job = installJob({
      id: `inst_${'4'.repeat(32)}`,
      deviceId: 'ACM-THE-0003',
      status: 'failed',
    });
    installsState.jobs.push(job);
    const { user, input, router } = await openPalette();
    await user.type(input, 'inst_4444');
    const option = await screen.findByRole('option', {
      name: /Eco Scheduler 1\.0\.0 on ACM-THE-0003/,
    });
    expect(option).toHaveTextContent('Failed · attempt 1');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/devices/ACM-THE-0003'));
  });

  it('says when nothing matches', async () => {
    const { user, input, dialog } = await openPalette();
    await user.type(input, 'no-such-thing');
    await waitFor(() =>
      expect(within(dialog).getByRole('status')).toHaveTextContent(
        'Nothing matches “no-such-thing”.',
      ),
    );
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(within(dialog).queryByRole('option')).not.toBeInTheDocument();
  });

  it('shows a failed search and searches again on request', async () => {
    let down = true;
    server.use(
      http.get('/api/search', () =>
        down ? apiError(503, 'UNAVAILABLE', 'Search is unavailable right now.') : undefined,
      ),
    );
    const { user, input } = await openPalette();
    await user.type(input, 'ACM-THE-0003');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Search is unavailable right now.');
    down = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('option', { name: /^Device ACM-THE-0003/ })).toBeInTheDocument();
  });
});
