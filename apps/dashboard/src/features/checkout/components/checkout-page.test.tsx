import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkoutState } from '../../../testing/handlers/checkout';
import { renderRoute } from '../../../testing/render';

vi.mock('../../../lib/navigation', () => ({ leaveFor: vi.fn() }));
const { leaveFor } = await import('../../../lib/navigation');

const BASKET_KEY = 'dashboard.basket.org_acme.mkt_eu';
function startWith(basket: { itemIds: string[]; deviceIds: string[] }) {
  window.localStorage.setItem(BASKET_KEY, JSON.stringify(basket));
}
const basketPanel = () => screen.getByRole('region', { name: /2\. Your basket/ });
const payPanel = () => screen.getByRole('region', { name: /3\. Mode and payment/ });
const payButton = () => within(payPanel()).getByRole('button', { name: /Pay with Stripe/ });

beforeEach(() => vi.mocked(leaveFor).mockClear());

describe('typed and pasted device IDs', () => {
  it('shows every kind of problem next to its ID and lets the provider drop devices or items', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: [] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    const picker = await screen.findByRole('region', { name: '1. Devices' });
    // Pasted, as support lists usually arrive; typing 70 characters one by one is slow on CI.
    await user.click(within(picker).getByLabelText('Or type device IDs'));
    await user.paste(
      'ACM-THE-0003, bad!id NOPE-0001\nGLX-TX1-0004;ACM-THE-0003 ACM-CAM-0001 ACM-THE-0006 ACM-THE-0009',
    );
    await user.click(within(picker).getByRole('button', { name: 'Add these IDs' }));

    const problems = await within(basketPanel()).findByRole('list', {
      name: 'Devices with problems',
    });
    const rows = within(problems).getAllByRole('listitem');
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^bad!id.*Not an ID/),
      expect.stringMatching(/^NOPE-0001.*Unknown device/),
      expect.stringMatching(/^GLX-TX1-0004.*Not in your organisation/),
      expect.stringMatching(/^ACM-THE-0003.*Duplicate/),
      expect.stringMatching(/^ACM-CAM-0001.*Incompatible/),
      expect.stringMatching(/^ACM-THE-0006.*Already owned/),
      expect.stringMatching(/^ACM-THE-0009.*In another checkout.*chk_0+9/),
    ]);
    expect(within(rows[6]!).getByRole('link', { name: /Open checkout chk_0+9/ })).toHaveAttribute(
      'href',
      '/checkout/chk_00000000000000000000000000000009',
    );
    expect(payButton()).toBeDisabled();

    // Drop the bad devices one by one; for the incompatible one, drop the device too.
    for (const id of [
      'bad!id',
      'NOPE-0001',
      'GLX-TX1-0004',
      'ACM-THE-0003',
      'ACM-CAM-0001',
      'ACM-THE-0006',
      'ACM-THE-0009',
    ]) {
      // Each removal checks the basket again before the next problem is offered.
      await user.click(
        await within(basketPanel()).findByRole('button', { name: `Remove device ${id}` }),
      );
    }
    await waitFor(() =>
      expect(
        within(basketPanel()).queryByRole('list', { name: 'Devices with problems' }),
      ).toBeNull(),
    );
    expect(await within(basketPanel()).findByText(/1 device ready/)).toBeInTheDocument();
    await waitFor(() => expect(payButton()).toBeEnabled());
    expect(within(payPanel()).getByRole('row', { name: /Total to pay/ })).toHaveTextContent(
      '€14.99',
    );
  });

  it('offers to drop the product a device cannot run', async () => {
    startWith({
      itemIds: ['item_eco_scheduler', 'item_fleet_diagnostics'],
      deviceIds: ['ACM-CAM-0001'],
    });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    const problems = await screen.findByRole('list', { name: 'Devices with problems' });
    await user.click(within(problems).getByRole('button', { name: 'Remove Eco Scheduler' }));
    await waitFor(() =>
      expect(screen.queryByRole('list', { name: 'Devices with problems' })).toBeNull(),
    );
    expect(within(basketPanel()).queryByText('Eco Scheduler')).toBeNull();
    // Only the free product is left.
    await waitFor(() =>
      expect(within(payPanel()).getByRole('button', { name: 'Get it for free' })).toBeEnabled(),
    );
  });
});

describe('device picker', () => {
  it('picks devices from the fleet with checkboxes and all that match a filter', async () => {
    startWith({ itemIds: ['item_fleet_diagnostics'], deviceIds: [] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    const picker = await screen.findByRole('region', { name: '1. Devices' });
    await user.click(await within(picker).findByRole('checkbox', { name: 'Select ACM-CAM-0001' }));
    await user.click(within(picker).getByRole('checkbox', { name: 'Select ACM-CAM-0004' }));
    expect(await within(basketPanel()).findByText(/2 devices ready/)).toBeInTheDocument();

    await user.click(within(picker).getByRole('checkbox', { name: 'Select ACM-CAM-0001' }));
    expect(await within(basketPanel()).findByText(/1 device ready/)).toBeInTheDocument();

    await user.selectOptions(within(picker).getByLabelText('Model'), 'thermo-x1');
    await user.click(await within(picker).findByRole('button', { name: 'Select all 10 matching' }));
    expect(await within(basketPanel()).findByText(/11 devices ready/)).toBeInTheDocument();
    expect(JSON.parse(window.localStorage.getItem(BASKET_KEY)!).deviceIds).toHaveLength(11);
  });
});

describe('paying', () => {
  it('asks for a confirmation before live mode can pay', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await user.click(within(payPanel()).getByRole('radio', { name: /Live mode/ }));
    await waitFor(() =>
      expect(within(payPanel()).getByRole('row', { name: /Total to pay/ })).toBeInTheDocument(),
    );
    // The button says what it does: this amount, for real.
    const livePay = within(payPanel()).getByRole('button', { name: 'Pay €14.99 in live mode' });
    expect(livePay).toBeDisabled();
    await user.click(within(payPanel()).getByRole('checkbox', { name: /charges real money/ }));
    await waitFor(() => expect(livePay).toBeEnabled());
    expect(screen.getAllByText('Live mode').length).toBeGreaterThan(2);
  });

  it('creates the session once per basket, shows it, and leaves for the payment page', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await user.click(payButton());
    expect(await within(payPanel()).findByRole('status')).toHaveTextContent(
      /Session created|Redirecting/,
    );
    await waitFor(() =>
      expect(leaveFor).toHaveBeenCalledWith('http://localhost:12111/checkout/cs_test_1'),
    );
    expect(within(payPanel()).getByRole('status')).toHaveTextContent('Redirecting to Stripe…');
    expect(checkoutState.createRequests).toEqual([
      {
        body: {
          instanceId: 'mkt_eu',
          itemIds: ['item_eco_scheduler'],
          deviceIds: ['ACM-THE-0003'],
          mode: 'test',
        },
        idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    ]);
  });

  it('asks the payment page to take a promotion code when the provider wants to enter one', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await user.click(
      within(payPanel()).getByLabelText('Let me enter a promotion code on the payment page'),
    );
    await user.click(payButton());
    await waitFor(() => expect(leaveFor).toHaveBeenCalled());
    expect(checkoutState.createRequests[0]?.body).toMatchObject({ allowPromotionCodes: true });
  });

  it('keeps one session per basket across a reload, and starts afresh once that session ended', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] });
    const first = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await first.user.click(payButton());
    await waitFor(() => expect(leaveFor).toHaveBeenCalledTimes(1));
    first.unmount();

    // Back from Stripe: a fresh page, the same basket, the same session.
    const second = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await second.user.click(payButton());
    await waitFor(() => expect(leaveFor).toHaveBeenCalledTimes(2));
    const [a, b] = checkoutState.createRequests;
    expect(b!.idempotencyKey).toBe(a!.idempotencyKey);
    expect(vi.mocked(leaveFor).mock.calls[1]).toEqual(vi.mocked(leaveFor).mock.calls[0]);
    second.unmount();

    // That session was cancelled meanwhile: paying again opens a new one.
    const [ended] = checkoutState.sessions.values();
    checkoutState.sessions.set(ended!.id, {
      ...ended!,
      status: 'cancelled',
      phase: 'cancelled',
      checkoutUrl: null,
    });
    const third = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await third.user.click(payButton());
    await waitFor(() => expect(leaveFor).toHaveBeenCalledTimes(3));
    const keys = checkoutState.createRequests.map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(4);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it("does not count the tab's own open checkout against its basket", async () => {
    const basket = { itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0009'] };
    startWith(basket);
    // This tab opened that checkout for this very basket, then came back from Stripe unpaid.
    const content = JSON.stringify({ instanceId: 'mkt_eu', ...basket, mode: 'test' });
    window.sessionStorage.setItem(
      'dashboard.checkoutSessions',
      JSON.stringify({ [content]: 'chk_00000000000000000000000000000009' }),
    );
    renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    expect(within(basketPanel()).queryByRole('list', { name: 'Devices with problems' })).toBeNull();
  });

  it('offers the other open checkout when a device was taken by it meanwhile', async () => {
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0012'] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    await waitFor(() => expect(payButton()).toBeEnabled());
    await user.click(payButton());
    expect(await within(payPanel()).findByRole('alert')).toHaveTextContent('another open checkout');
    const list = within(payPanel()).getByRole('list', { name: 'Already bought or being paid for' });
    expect(list).toHaveTextContent('ACM-THE-0012: Eco Scheduler is in open checkout');
    expect(within(list).getByRole('link', { name: /Open checkout chk_0+12/ })).toHaveAttribute(
      'href',
      '/checkout/chk_00000000000000000000000000000012',
    );
    // The basket is checked again: the device shows its problem next to its ID.
    const problems = await within(basketPanel()).findByRole('list', {
      name: 'Devices with problems',
    });
    expect(problems).toHaveTextContent(/ACM-THE-0012.*In another checkout/);
    expect(payButton()).toBeDisabled();
    expect(leaveFor).not.toHaveBeenCalled();
  });

  it('says why the payment could not start', async () => {
    window.localStorage.setItem('dashboard.checkoutMode', JSON.stringify('live'));
    startWith({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] });
    const { user } = renderRoute('/marketplaces/mkt_eu/checkout');
    await user.click(
      await within(await screen.findByRole('region', { name: /3\. Mode/ })).findByRole('checkbox', {
        name: /charges real money/,
      }),
    );
    const livePay = within(payPanel()).getByRole('button', { name: /in live mode$/ });
    await waitFor(() => expect(livePay).toBeEnabled());
    await user.click(livePay);
    const refusal = await within(payPanel()).findByRole('alert');
    expect(refusal).toHaveTextContent('Live payments are not set up');
    expect(refusal).toHaveTextContent(
      'sets STRIPE_SECRET_KEY_LIVE and STRIPE_WEBHOOK_SECRET_LIVE and restarts it',
    );
    expect(leaveFor).not.toHaveBeenCalled();
  });
});
