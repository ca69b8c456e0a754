import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionParams, startHarness, type Harness } from './test-support';

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.close();
});

/** A paid session (total 2999 eur) and its payment intent id. */
async function paidSession(
  params: Stripe.Checkout.SessionCreateParams = sessionParams(),
): Promise<{ session: Stripe.Checkout.Session; paymentIntentId: string }> {
  const created = await harness.stripe.checkout.sessions.create(params);
  await harness.emulator.completeSession(created.id, 'succeeded');
  const session = await harness.stripe.checkout.sessions.retrieve(created.id);
  if (typeof session.payment_intent !== 'string') throw new Error('expected a payment intent id');
  return { session, paymentIntentId: session.payment_intent };
}

async function refundError(params: Stripe.RefundCreateParams): Promise<Stripe.errors.StripeError> {
  const error: unknown = await harness.stripe.refunds.create(params).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Stripe.errors.StripeError)) throw new Error('expected a StripeError');
  return error;
}

describe('payment intents of paid sessions', () => {
  it('carry the amount, fee, destination, metadata and a succeeded charge', async () => {
    const { paymentIntentId } = await paidSession(
      sessionParams({
        payment_intent_data: {
          application_fee_amount: 300,
          transfer_data: { destination: 'acct_provider' },
          metadata: { checkoutSessionId: 'checkout_42' },
        },
      }),
    );
    const intent = await harness.stripe.paymentIntents.retrieve(paymentIntentId, {
      expand: ['latest_charge'],
    });

    expect(intent).toMatchObject({
      id: paymentIntentId,
      object: 'payment_intent',
      amount: 2999,
      amount_received: 2999,
      currency: 'eur',
      status: 'succeeded',
      application_fee_amount: 300,
      transfer_data: { destination: 'acct_provider' },
      metadata: { checkoutSessionId: 'checkout_42' },
    });
    expect(intent.latest_charge).toMatchObject({
      object: 'charge',
      amount: 2999,
      amount_refunded: 0,
      refunded: false,
      paid: true,
      status: 'succeeded',
      payment_intent: paymentIntentId,
    });
  });

  it('answers resource_missing for an unknown payment intent', async () => {
    const error: unknown = await harness.stripe.paymentIntents
      .retrieve('pi_unknown')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeError).code).toBe('resource_missing');
  });
});

describe('refunds', () => {
  it('refunds the whole payment by default and announces charge.refunded', async () => {
    const { paymentIntentId } = await paidSession();
    const refund = await harness.stripe.refunds.create(
      {
        payment_intent: paymentIntentId,
        reason: 'requested_by_customer',
        metadata: { by: 'support' },
      },
      { idempotencyKey: 'refund-1' },
    );

    expect(refund).toMatchObject({
      object: 'refund',
      amount: 2999,
      currency: 'eur',
      status: 'succeeded',
      payment_intent: paymentIntentId,
      reason: 'requested_by_customer',
      metadata: { by: 'support' },
    });
    expect(refund.id).toMatch(/^re_/);

    await harness.emulator.flushWebhooks();
    const refunded = harness.receiver.events.find((event) => event.type === 'charge.refunded');
    expect(refunded?.data.object).toMatchObject({
      object: 'charge',
      amount: 2999,
      amount_refunded: 2999,
      refunded: true,
      payment_intent: paymentIntentId,
    });
    expect(refunded?.request).toEqual({
      id: expect.stringMatching(/^req_/),
      idempotency_key: 'refund-1',
    });
  });

  it('allows partial refunds up to what remains, then refuses more', async () => {
    const { paymentIntentId } = await paidSession();
    await harness.stripe.refunds.create({ payment_intent: paymentIntentId, amount: 1000 });

    const tooMuch = await refundError({ payment_intent: paymentIntentId, amount: 2000 });
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.code).toBe('amount_too_large');
    expect(tooMuch.param).toBe('amount');

    const rest = await harness.stripe.refunds.create({ payment_intent: paymentIntentId });
    expect(rest.amount).toBe(1999);

    const again = await refundError({ payment_intent: paymentIntentId, amount: 1 });
    expect(again.code).toBe('charge_already_refunded');

    await harness.emulator.flushWebhooks();
    const charges = harness.receiver.events
      .filter((event) => event.type === 'charge.refunded')
      .map((event) => event.data.object as Stripe.Charge);
    expect(charges.map((charge) => [charge.amount_refunded, charge.refunded])).toEqual([
      [1000, false],
      [2999, true],
    ]);
  });

  it('refunds by charge id as well', async () => {
    const { paymentIntentId } = await paidSession();
    const intent = await harness.stripe.paymentIntents.retrieve(paymentIntentId);
    const refund = await harness.stripe.refunds.create({
      charge: String(intent.latest_charge),
      amount: 99,
    });
    expect(refund).toMatchObject({ amount: 99, charge: intent.latest_charge });
  });

  it('refuses a payment intent that has not been paid', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    await harness.emulator.completeSession(created.id, 'delayed');
    const session = await harness.stripe.checkout.sessions.retrieve(created.id);

    const error = await refundError({ payment_intent: String(session.payment_intent) });
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.message).toContain('does not have a successful charge to refund');
  });

  it('answers resource_missing for an unknown payment intent', async () => {
    const error = await refundError({ payment_intent: 'pi_unknown' });
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
    expect(error.param).toBe('payment_intent');
  });
});
