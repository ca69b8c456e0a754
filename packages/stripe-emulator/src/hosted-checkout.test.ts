import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatAmount } from './hosted-checkout-page';
import { postCheckoutForm, sessionParams, startHarness, type Harness } from './test-support';

let harness: Harness;
let clock: number;

beforeEach(async () => {
  clock = Date.now();
  harness = await startHarness({ now: () => clock });
});

afterEach(async () => {
  await harness.close();
});

async function openSession(overrides: Parameters<typeof sessionParams>[0] = {}) {
  return harness.stripe.checkout.sessions.create(sessionParams(overrides));
}

async function eventTypes(): Promise<string[]> {
  await harness.emulator.flushWebhooks();
  return harness.receiver.events.map((event) => event.type);
}

function pageUrl(sessionId: string): string {
  return `${harness.emulator.url}/checkout/${sessionId}`;
}

describe('the hosted checkout page', () => {
  it('shows the line items, the formatted total, a test-mode badge and the pay buttons', async () => {
    const session = await openSession();
    const response = await fetch(pageUrl(session.id));
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('TEST MODE');
    expect(html).toContain('Fleet analytics');
    expect(html).toContain('Per-device licence');
    expect(html).toContain('€29.99');
    expect(html).toContain('Pay with 4242 4242 4242 4242 (succeeds)');
    expect(html).toContain('Pay with 4000 0000 0000 0002 (declined)');
    expect(html).toContain('Pay by bank transfer (delayed)');
    expect(html).toContain('Cancel and go back');
    expect(html).toContain(`<form method="post" action="/checkout/${session.id}/pay">`);
  });

  it('escapes what the merchant sent', async () => {
    const session = await openSession({
      line_items: [
        {
          price_data: {
            currency: 'usd',
            unit_amount: 100,
            product_data: { name: '<script>x</script>' },
          },
          quantity: 1,
        },
      ],
    });
    const html = await (await fetch(pageUrl(session.id))).text();
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('answers 404 for an unknown session', async () => {
    const response = await fetch(pageUrl('cs_test_missing'));
    expect(response.status).toBe(404);
  });
});

describe('paying on the hosted page', () => {
  it('completes the session with a succeeding card and redirects to the success URL', async () => {
    const session = await openSession();
    const response = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'succeeded',
    });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `http://localhost:3000/checkout/return?session_id=${session.id}`,
    );
    const paid = await harness.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent'],
    });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    expect(paid.payment_intent).toMatchObject({ object: 'payment_intent', status: 'succeeded' });
    expect(await eventTypes()).toEqual(['checkout.session.completed']);
    expect(harness.receiver.events[0]?.data.object).toMatchObject({
      id: session.id,
      client_reference_id: 'checkout_42',
      metadata: { checkoutSessionId: 'checkout_42', orgId: 'acme' },
      payment_status: 'paid',
    });
  });

  it('ignores a second pay click on a completed session except for the redirect', async () => {
    const session = await openSession();
    await postCheckoutForm(harness.emulator, session.id, 'pay', { outcome: 'succeeded' });
    const again = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'succeeded',
    });
    const declined = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'declined',
    });

    expect(again.status).toBe(303);
    expect(declined.status).toBe(303);
    expect(await eventTypes()).toEqual(['checkout.session.completed']);
    const html = await (await fetch(pageUrl(session.id))).text();
    expect(html).toContain('Payment complete');
    expect(html).not.toContain('Pay with 4242');
  });

  it('keeps the session open and says so when the card is declined', async () => {
    const session = await openSession();
    const response = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'declined',
    });
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).toContain('Your card was declined.');
    expect(html).toContain('Card 4000 0000 0000 0002 was declined.');
    const retrieved = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(retrieved).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
    });
    expect(await eventTypes()).toEqual([]);
  });

  it('completes unpaid with a bank transfer, then announces the money arriving', async () => {
    const session = await openSession();
    const response = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'delayed',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain(session.id);

    const pending = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(pending).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    const html = await (await fetch(pageUrl(session.id))).text();
    expect(html).toContain('Simulate transfer arrived');
    expect(html).toContain('Simulate transfer failed');

    const settle = await postCheckoutForm(harness.emulator, session.id, 'settle', {
      outcome: 'succeeded',
    });
    expect(settle.status).toBe(303);
    const settled = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(settled.payment_status).toBe('paid');
    expect(await eventTypes()).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
    ]);
    expect(harness.receiver.events[0]?.data.object).toMatchObject({ payment_status: 'unpaid' });
    expect(harness.receiver.events[1]?.data.object).toMatchObject({ payment_status: 'paid' });
  });

  it('announces a failed bank transfer and leaves the session unpaid', async () => {
    const session = await openSession();
    await harness.emulator.completeSession(session.id, 'delayed');
    await harness.emulator.settleDelayedPayment(session.id, 'failed');

    const failed = await harness.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent'],
    });
    expect(failed).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(failed.payment_intent).toMatchObject({ status: 'requires_payment_method' });
    expect(await eventTypes()).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
    await expect(harness.emulator.settleDelayedPayment(session.id, 'succeeded')).rejects.toThrow(
      'not waiting for a bank transfer',
    );
  });

  it('completes a zero-total session without a payment', async () => {
    const session = await openSession({
      line_items: [
        {
          price_data: { currency: 'eur', unit_amount: 0, product_data: { name: 'Free tier' } },
          quantity: 1,
        },
      ],
    });
    await harness.emulator.completeSession(session.id, 'succeeded');

    const completed = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(completed).toMatchObject({
      status: 'complete',
      payment_status: 'no_payment_required',
      payment_intent: null,
    });
    expect(await eventTypes()).toEqual(['checkout.session.completed']);
  });

  it('sends the customer back to the cancel URL and leaves the session open', async () => {
    const session = await openSession();
    const response = await postCheckoutForm(harness.emulator, session.id, 'cancel');

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://localhost:3000/checkout/cancelled');
    const retrieved = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(retrieved.status).toBe('open');
    expect(await eventTypes()).toEqual([]);
  });

  it('shows an expired session as expired and takes no payment for it', async () => {
    const session = await openSession();
    clock += 25 * 60 * 60 * 1000;

    const html = await (await fetch(pageUrl(session.id))).text();
    expect(html).toContain('This Checkout Session has expired.');
    expect(html).not.toContain('Pay with 4242');
    const pay = await postCheckoutForm(harness.emulator, session.id, 'pay', {
      outcome: 'succeeded',
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.get('location')).toBe(`/checkout/${session.id}`);
    await expect(harness.emulator.completeSession(session.id, 'succeeded')).rejects.toThrow(
      'expired',
    );
    expect(await eventTypes()).toEqual(['checkout.session.expired']);
  });
});

describe('formatAmount', () => {
  it('uses the currency’s own minor unit', () => {
    expect(formatAmount(2999, 'eur')).toBe('€29.99');
    expect(formatAmount(500, 'jpy')).toBe('¥500');
  });
});
