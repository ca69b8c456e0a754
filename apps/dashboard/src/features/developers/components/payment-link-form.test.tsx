import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { developersState } from '../../../testing/handlers/developers';
import { renderRoute } from '../../../testing/render';

const BASKET_KEY = 'dashboard.basket.org_acme.mkt_eu';

describe('payment links from the Store Preview', () => {
  it('shares the basket as a link with an expiry, and offers to copy it', async () => {
    window.localStorage.setItem(
      BASKET_KEY,
      JSON.stringify({ itemIds: ['item_eco_scheduler'], deviceIds: ['ACM-THE-0003'] }),
    );
    const { user } = renderRoute('/marketplaces/mkt_eu/preview');
    const panel = await screen.findByRole('region', {
      name: /Share this basket as a payment link/,
    });
    const devices = within(panel).getByLabelText('Device IDs for the link');
    expect(devices).toHaveValue('ACM-THE-0003');
    await user.type(devices, ', ACM-THE-0006');
    await user.selectOptions(within(panel).getByLabelText('Link expires after'), '30');
    await user.click(within(panel).getByLabelText('Let the buyer enter a promotion code'));
    await user.click(within(panel).getByRole('button', { name: 'Create payment link' }));

    const link = await within(panel).findByLabelText('Payment link');
    expect((link as HTMLInputElement).value).toMatch(/\/pay\/pl_/);
    expect(developersState.paymentLinks[0]).toMatchObject({
      itemIds: ['item_eco_scheduler'],
      deviceIds: ['ACM-THE-0003', 'ACM-THE-0006'],
      allowPromotionCodes: true,
      mode: 'test',
    });
    expect(within(panel).getByRole('link', { name: 'Open the payment link' })).toHaveAttribute(
      'href',
      (link as HTMLInputElement).value,
    );
  });

  it('explains which device stops the link from being made', async () => {
    window.localStorage.setItem(
      BASKET_KEY,
      JSON.stringify({ itemIds: ['item_eco_scheduler'], deviceIds: ['GLX-TX1-0004'] }),
    );
    const { user } = renderRoute('/marketplaces/mkt_eu/preview');
    const panel = await screen.findByRole('region', {
      name: /Share this basket as a payment link/,
    });
    await user.click(within(panel).getByRole('button', { name: 'Create payment link' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      'GLX-TX1-0004: This device does not belong to your organisation.',
    );
  });

  it('is not offered while the basket is empty', async () => {
    renderRoute('/marketplaces/mkt_eu/preview');
    await screen.findByRole('heading', { name: 'Store Preview' });
    expect(screen.queryByRole('region', { name: /payment link/ })).not.toBeInTheDocument();
  });
});
