import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { meSchema } from '@repo/schemas';
import { authState } from '../../../testing/handlers/auth';
import {
  purchaseDetailFixture,
  purchaseState,
  purchases,
} from '../../../testing/handlers/purchases';
import { renderRoute } from '../../../testing/render';

const paid = purchases.find((p) => p.price.amount > 0 && p.status === 'active')!;

describe('Purchase detail', () => {
  it('shows the device, fees, session log, Stripe ids, entitlement and installs', async () => {
    renderRoute(`/purchases/${paid.id}`);
    expect(
      await screen.findByRole('heading', { name: `${paid.itemName} for ${paid.deviceId}` }),
    ).toBeInTheDocument();
    const fees = screen.getByRole('region', { name: 'Amount and fees' });
    expect(within(fees).getByRole('row', { name: /Price paid/ })).toHaveTextContent('€14.99');
    expect(within(fees).getByRole('row', { name: /platform fee/ })).toHaveTextContent('€0.75');
    expect(within(fees).getByRole('row', { name: /To the provider/ })).toHaveTextContent('€14.24');
    const stripe = screen.getByRole('region', { name: 'Stripe' });
    expect(stripe).toHaveTextContent('cs_test_1');
    expect(stripe).toHaveTextContent('pi_1');
    expect(screen.getByRole('region', { name: 'Checkout session' })).toHaveTextContent(
      /Session created.*Paid.*Purchases recorded/s,
    );
    expect(screen.getByRole('region', { name: 'Entitlement' })).toHaveTextContent('Active');
    expect(
      screen.getByRole('region', { name: `Installs of ${paid.itemName} on this device` }),
    ).toHaveTextContent('2.0.0');
  });

  it('refunds only after confirmation, with one Idempotency-Key per attempt', async () => {
    const { user } = renderRoute(`/purchases/${paid.id}`);
    const panel = await screen.findByRole('region', { name: 'Refund' });

    // Changing one's mind sends nothing.
    await user.click(within(panel).getByRole('button', { name: 'Refund this purchase…' }));
    const dialog = within(panel).getByRole('alertdialog');
    expect(dialog).toHaveTextContent(`Refund €14.99 for ${paid.itemName} on ${paid.deviceId}?`);
    expect(within(dialog).getByRole('button', { name: 'Keep the purchase' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Keep the purchase' }));
    expect(within(panel).queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(purchaseState.refundRequests).toHaveLength(0);

    await user.click(within(panel).getByRole('button', { name: 'Refund this purchase…' }));
    await user.click(within(panel).getByRole('button', { name: 'Yes, refund' }));
    expect(await within(panel).findByRole('status')).toHaveTextContent(
      /Refund of €14.99 requested.*Waiting for Stripe/,
    );
    expect(purchaseState.refundRequests).toEqual([
      { purchaseId: paid.id, idempotencyKey: expect.stringMatching(/^[\w-]{8,}$/) },
    ]);
  });

  it('says why a duplicate purchase was refunded automatically', async () => {
    const duplicate = purchases.filter((p) => p.price.amount > 0 && p.status === 'active')[1]!;
    const reason = `Refunded automatically: ${duplicate.deviceId} already owned ${duplicate.itemName} through purchase pur_${'a'.repeat(32)}.`;
    purchaseState.details.set(duplicate.id, {
      ...purchaseDetailFixture(duplicate),
      status: 'refunded',
      refund: {
        id: 'rfd_duplicate',
        purchaseId: duplicate.id,
        amount: duplicate.price,
        status: 'succeeded',
        createdAt: '2026-11-21T09:00:00.000Z',
        completedAt: '2026-11-21T09:00:02.000Z',
        reason,
      },
    });
    renderRoute(`/purchases/${duplicate.id}`);
    const panel = await screen.findByRole('region', { name: 'Refund' });
    expect(panel).toHaveTextContent(reason);
    expect(within(panel).queryByRole('button', { name: /Refund this purchase/ })).toBeNull();
  });

  it('hides the refund from support and says why', async () => {
    authState.me = meSchema.parse({
      user: { id: 'usr_acme_support', email: 'support@acme.example', role: 'support' },
      organisation: { id: 'org_acme', slug: 'acme', name: 'Acme Devices' },
    });
    renderRoute(`/purchases/${paid.id}`);
    const panel = await screen.findByRole('region', { name: 'Refund' });
    expect(panel).toHaveTextContent('Only an administrator of your organisation can refund');
    expect(within(panel).queryByRole('button')).not.toBeInTheDocument();
  });

  it('says plainly when a purchase does not exist', async () => {
    renderRoute(`/purchases/pur_${'f'.repeat(32)}`);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This purchase could not be loaded');
    expect(alert).toHaveTextContent('Purchase was not found.');
    await waitFor(() => expect(screen.queryByRole('status')).not.toBeInTheDocument());
  });
});
