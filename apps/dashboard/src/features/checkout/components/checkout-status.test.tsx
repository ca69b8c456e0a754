import { screen } from '@testing-library/react';
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
    checkoutState.sessions.set(ID, { ...open, status: 'expired', checkoutUrl: null });
    renderRoute(`/checkout/${ID}`);
    expect(await screen.findByRole('heading', { name: 'Expired' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Start again' })).toHaveAttribute(
      'href',
      '/marketplaces/mkt_eu/checkout',
    );
  });
});

describe('pollDelay', () => {
  it('backs off while waiting and stops once settled', () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => pollDelay(open, n))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
    expect(pollDelay({ ...open, fulfilled: true }, 0)).toBe(false);
    expect(pollDelay({ ...open, status: 'cancelled' }, 0)).toBe(false);
  });
});
