import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { checkoutSessionFixture, checkoutState } from '../../../testing/handlers/checkout';
import { renderRoute } from '../../../testing/render';
import { pollDelay } from '../api/queries';

const ID = `chk_${'a'.repeat(32)}`;
const open = checkoutSessionFixture({ id: ID });

describe('the return page', () => {
  it('shows Pending confirmation, then moves by itself to Active purchase, Ready to install and Installed', async () => {
    checkoutState.sessions.set(ID, open);
    renderRoute(`/checkout/${ID}?stripe_session_id=cs_test_1`);
    expect(
      await screen.findByRole('heading', { name: 'Pending confirmation' }),
    ).toBeInTheDocument();

    checkoutState.sessions.set(ID, {
      ...open,
      status: 'complete',
      paymentStatus: 'paid',
      phase: 'active',
      fulfilled: true,
      checkoutUrl: null,
      purchases: [
        {
          id: `pur_${'b'.repeat(32)}`,
          deviceId: 'ACM-THE-0003',
          itemId: 'item_eco_scheduler',
          itemName: 'Eco Scheduler',
          price: { amount: 1499, currency: 'eur' },
          status: 'active',
          installableVersion: '2.0.0',
          installedVersion: null,
          discount: null,
        },
        {
          id: `pur_${'c'.repeat(32)}`,
          deviceId: 'ACM-THE-0006',
          itemId: 'item_eco_scheduler',
          itemName: 'Eco Scheduler',
          price: { amount: 1499, currency: 'eur' },
          status: 'active',
          installableVersion: '2.0.0',
          installedVersion: '1.0.0',
          discount: null,
        },
      ],
    });
    expect(
      await screen.findByRole('heading', { name: 'Active purchase' }, { timeout: 4000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Ready to install · v2.0.0' })).toHaveAttribute(
      'href',
      '/devices/ACM-THE-0003',
    );
    expect(screen.getByRole('link', { name: 'Installed · v1.0.0' })).toHaveAttribute(
      'href',
      '/devices/ACM-THE-0006',
    );
  });

  it('offers to start again when the session expired', async () => {
    checkoutState.sessions.set(ID, {
      ...open,
      status: 'expired',
      phase: 'expired',
      checkoutUrl: null,
    });
    renderRoute(`/checkout/${ID}`);
    expect(await screen.findByRole('heading', { name: 'Expired' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Start again' })).toHaveAttribute(
      'href',
      '/marketplaces/mkt_eu/checkout',
    );
  });

  it('shows a promotion discount in the breakdown and on each purchase', async () => {
    checkoutState.sessions.set(ID, {
      ...open,
      status: 'complete',
      paymentStatus: 'paid',
      phase: 'active',
      fulfilled: true,
      checkoutUrl: null,
      amounts: { currency: 'eur', subtotal: 1499, platformFee: 75, total: 999 },
      discount: { amount: { amount: 500, currency: 'eur' }, promotionCodeId: 'promo_demo_take5' },
      purchases: [
        {
          id: `pur_${'c'.repeat(32)}`,
          deviceId: 'ACM-THE-0003',
          itemId: 'item_eco_scheduler',
          itemName: 'Eco Scheduler',
          price: { amount: 999, currency: 'eur' },
          status: 'active',
          installableVersion: null,
          installedVersion: null,
          discount: { amount: 500, currency: 'eur' },
        },
      ],
    });
    renderRoute(`/checkout/${ID}`);
    const breakdown = await screen.findByRole('table', { name: 'Payment breakdown' });
    expect(within(breakdown).getByRole('row', { name: /Subtotal/ })).toHaveTextContent('€14.99');
    expect(within(breakdown).getByRole('row', { name: /Promotion discount/ })).toHaveTextContent(
      '−€5.00',
    );
    expect(within(breakdown).getByRole('row', { name: /Total paid/ })).toHaveTextContent('€9.99');
    expect(screen.getByRole('region', { name: 'Purchases' })).toHaveTextContent('€5.00 off');
  });

  it('shows Payment failed when the server says so, even when the log ends with the late completion', async () => {
    checkoutState.sessions.set(ID, {
      ...open,
      status: 'complete',
      phase: 'failed',
      checkoutUrl: null,
      attempts: [
        ...open.attempts,
        {
          id: 2,
          kind: 'payment_failed',
          detail: null,
          stripeEventId: 'evt_2',
          createdAt: open.createdAt,
        },
        {
          id: 3,
          kind: 'payment_pending',
          detail: null,
          stripeEventId: 'evt_1',
          createdAt: open.createdAt,
        },
      ],
    });
    renderRoute(`/checkout/${ID}`);
    expect(await screen.findByRole('heading', { name: 'Payment failed' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Start again' })).toBeInTheDocument();
  });

  it('shows Refunded once the whole charge was refunded', async () => {
    checkoutState.sessions.set(ID, {
      ...open,
      status: 'complete',
      paymentStatus: 'paid',
      phase: 'refunded',
      fulfilled: true,
      checkoutUrl: null,
      purchases: [
        {
          id: `pur_${'d'.repeat(32)}`,
          deviceId: 'ACM-THE-0003',
          itemId: 'item_eco_scheduler',
          itemName: 'Eco Scheduler',
          price: { amount: 1499, currency: 'eur' },
          status: 'refunded',
          installableVersion: null,
          installedVersion: null,
          discount: null,
        },
      ],
    });
    renderRoute(`/checkout/${ID}`);
    expect(await screen.findByRole('heading', { name: 'Refunded' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Purchases' })).toHaveTextContent('Refunded');
  });
});

describe('pollDelay', () => {
  it('backs off while waiting and stops once settled', () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => pollDelay(open, n))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
    expect(pollDelay({ ...open, fulfilled: true, phase: 'active' }, 0)).toBe(false);
    expect(pollDelay({ ...open, status: 'cancelled', phase: 'cancelled' }, 0)).toBe(false);
    expect(pollDelay({ ...open, status: 'complete', phase: 'failed' }, 0)).toBe(false);
    expect(pollDelay({ ...open, status: 'complete', phase: 'pending' }, 0)).toBe(1000);
  });
});
