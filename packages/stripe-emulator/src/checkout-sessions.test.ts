import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStripeEmulator } from './emulator';
import { sessionParams, startHarness, stripeClient, type Harness } from './test-support';

let harness: Harness;
let clock: number;

beforeEach(async () => {
  clock = Date.now();
  harness = await startHarness({ now: () => clock });
});

afterEach(async () => {
  await harness.close();
});

async function stripeErrorOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Stripe.errors.StripeError)) {
    throw new Error(`expected a StripeError, got ${String(error)}`);
  }
  return error;
}

describe('creating a Checkout Session', () => {
  it('answers a Stripe-shaped open session with totals, hosted URL and references', async () => {
    const session = await harness.stripe.checkout.sessions.create(sessionParams());

    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: 2 * 1250 + 499,
      amount_total: 2 * 1250 + 499,
      currency: 'eur',
      client_reference_id: 'checkout_42',
      metadata: { checkoutSessionId: 'checkout_42', orgId: 'acme' },
      success_url: 'http://localhost:3000/checkout/return?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:3000/checkout/cancelled',
      livemode: false,
      payment_intent: null,
      payment_method_types: ['card'],
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    });
    expect(session.url).toBe(`http://localhost:${harness.emulator.port}/checkout/${session.id}`);
    expect(session.expires_at - session.created).toBe(24 * 60 * 60);
    expect(session.line_items).toBeUndefined();
  });

  it('builds hosted URLs from the configured public URL', async () => {
    const emulator = await startStripeEmulator({ publicUrl: 'https://pay.example.test/' });
    try {
      const session = await stripeClient(emulator).checkout.sessions.create(sessionParams());
      expect(session.url).toBe(`https://pay.example.test/checkout/${session.id}`);
    } finally {
      await emulator.close();
    }
  });

  it('rejects an unknown parameter exactly as Stripe does', async () => {
    const params = { ...sessionParams(), foo: 'bar' } as Stripe.Checkout.SessionCreateParams;
    const error = await stripeErrorOf(harness.stripe.checkout.sessions.create(params));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('foo');
    expect(error.message).toBe('Received unknown parameter: foo');
    expect(error.requestId).toMatch(/^req_/);
  });

  it('names the full path of an unknown nested parameter', async () => {
    const params = sessionParams({
      line_items: [
        {
          price_data: {
            currency: 'eur',
            unit_amount: 100,
            product_data: { name: 'A' },
            tax_behavior: 'inclusive',
          },
          quantity: 1,
        },
      ],
    });
    const error = await stripeErrorOf(harness.stripe.checkout.sessions.create(params));

    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('line_items[0][price_data][tax_behavior]');
  });

  it('reports a missing required parameter', async () => {
    const withoutLineItems = { ...sessionParams(), line_items: undefined };
    const missingLineItems = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(withoutLineItems),
    );
    expect(missingLineItems.code).toBe('parameter_missing');
    expect(missingLineItems.param).toBe('line_items');

    const missingSuccessUrl = await stripeErrorOf(
      harness.stripe.checkout.sessions.create({ ...sessionParams(), success_url: undefined }),
    );
    expect(missingSuccessUrl.code).toBe('parameter_missing');
    expect(missingSuccessUrl.param).toBe('success_url');
  });

  it('checks amounts, quantities and currencies', async () => {
    const lineItem = (unitAmount: number, quantity: number, currency = 'eur') =>
      sessionParams({
        line_items: [
          {
            price_data: { currency, unit_amount: unitAmount, product_data: { name: 'A' } },
            quantity,
          },
        ],
      });

    const negative = await stripeErrorOf(harness.stripe.checkout.sessions.create(lineItem(-1, 1)));
    expect(negative.param).toBe('line_items[0][price_data][unit_amount]');
    const fractional = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(lineItem(1.5, 1)),
    );
    expect(fractional.code).toBe('parameter_invalid_integer');
    const noQuantity = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(lineItem(100, 0)),
    );
    expect(noQuantity.param).toBe('line_items[0][quantity]');
    const badCurrency = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(lineItem(100, 1, 'euro')),
    );
    expect(badCurrency.param).toBe('line_items[0][price_data][currency]');
  });

  it('accepts expires_at between 30 minutes and 24 hours from now, and nothing else', async () => {
    const nowSeconds = Math.floor(clock / 1000);
    const tooSoon = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(sessionParams({ expires_at: nowSeconds + 60 })),
    );
    expect(tooSoon).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooSoon.param).toBe('expires_at');
    const tooLate = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(
        sessionParams({ expires_at: nowSeconds + 25 * 60 * 60 }),
      ),
    );
    expect(tooLate.param).toBe('expires_at');

    const session = await harness.stripe.checkout.sessions.create(
      sessionParams({ expires_at: nowSeconds + 31 * 60 }),
    );
    expect(session.expires_at).toBe(nowSeconds + 31 * 60);
  });

  it('takes a platform fee only for a destination charge', async () => {
    const withoutDestination = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(
        sessionParams({ payment_intent_data: { application_fee_amount: 100 } }),
      ),
    );
    expect(withoutDestination.param).toBe('payment_intent_data[application_fee_amount]');

    const session = await harness.stripe.checkout.sessions.create(
      sessionParams({
        payment_intent_data: {
          application_fee_amount: 300,
          transfer_data: { destination: 'acct_provider' },
          metadata: { checkoutSessionId: 'checkout_42' },
        },
      }),
    );
    expect(session.status).toBe('open');
  });
});

describe('authentication', () => {
  it('refuses a key that is not a test secret key', async () => {
    const error = await stripeErrorOf(
      stripeClient(harness.emulator, 'sk_live_not_allowed_here').checkout.sessions.create(
        sessionParams(),
      ),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe('Invalid API Key provided: sk_live_************here');
  });

  it('answers a request without a key with 401 and a Request-Id', async () => {
    const response = await fetch(`${harness.emulator.url}/v1/checkout/sessions/cs_test_x`);
    const body = (await response.json()) as { error: { type: string; message: string } };

    expect(response.status).toBe(401);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toContain('You did not provide an API key.');
  });

  it("answers an unknown endpoint with Stripe's unrecognized URL error", async () => {
    const response = await fetch(`${harness.emulator.url}/v1/customers`, {
      headers: { Authorization: 'Bearer sk_test_anything' },
    });
    const body = (await response.json()) as { error: { type: string; message: string } };

    expect(response.status).toBe(404);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(body.error).toEqual({
      type: 'invalid_request_error',
      message: expect.stringContaining('Unrecognized request URL (GET: /v1/customers)'),
    });
  });

  it('accepts only the configured keys when some are given', async () => {
    const emulator = await startStripeEmulator({ secretKeys: ['sk_test_only_this_one'] });
    try {
      const error = await stripeErrorOf(
        stripeClient(emulator, 'sk_test_another').checkout.sessions.create(sessionParams()),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      const session = await stripeClient(
        emulator,
        'sk_test_only_this_one',
      ).checkout.sessions.create(sessionParams());
      expect(session.status).toBe('open');
    } finally {
      await emulator.close();
    }
  });
});

describe('idempotency', () => {
  it('replays the first answer for a repeated key and the same parameters', async () => {
    const first = await harness.stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'checkout_42-create',
    });
    const second = await harness.stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'checkout_42-create',
    });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a key reused with different parameters', async () => {
    await harness.stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'reused' });
    const error = await stripeErrorOf(
      harness.stripe.checkout.sessions.create(sessionParams({ client_reference_id: 'other' }), {
        idempotencyKey: 'reused',
      }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.type).toBe('StripeIdempotencyError');
    expect(error.rawType).toBe('idempotency_error');
  });

  it('does not remember a request that failed validation', async () => {
    const invalid = { ...sessionParams(), success_url: undefined };
    await stripeErrorOf(harness.stripe.checkout.sessions.create(invalid, { idempotencyKey: 'k' }));
    const session = await harness.stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'k',
    });
    expect(session.status).toBe('open');
  });
});

describe('reading a Checkout Session', () => {
  it('expands line items with their inline prices', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    const session = await harness.stripe.checkout.sessions.retrieve(created.id, {
      expand: ['line_items'],
    });

    expect(session.line_items?.object).toBe('list');
    expect(session.line_items?.data).toHaveLength(2);
    const [first] = session.line_items?.data ?? [];
    expect(first).toMatchObject({
      object: 'item',
      description: 'Fleet analytics',
      quantity: 2,
      amount_subtotal: 2500,
      amount_total: 2500,
      currency: 'eur',
      price: { object: 'price', unit_amount: 1250, currency: 'eur', type: 'one_time' },
    });
    expect(first?.price?.product).toMatch(/^prod_/);
    expect(first?.price?.unit_amount_decimal?.toString()).toBe('1250');
  });

  it('lists line items as a paginated Stripe list', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    const firstPage = await harness.stripe.checkout.sessions.listLineItems(created.id, {
      limit: 1,
    });

    expect(firstPage).toMatchObject({
      object: 'list',
      has_more: true,
      url: `/v1/checkout/sessions/${created.id}/line_items`,
    });
    expect(firstPage.data.map((item) => item.description)).toEqual(['Fleet analytics']);

    const all = await harness.stripe.checkout.sessions
      .listLineItems(created.id, { limit: 1 })
      .autoPagingToArray({ limit: 10 });
    expect(all.map((item) => item.amount_total)).toEqual([2500, 499]);
  });

  it('answers resource_missing for an unknown session', async () => {
    const error = await stripeErrorOf(harness.stripe.checkout.sessions.retrieve('cs_test_nope'));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
    expect(error.param).toBe('session');
    expect(error.message).toBe("No such checkout.session: 'cs_test_nope'");
  });
});

describe('expiring a Checkout Session', () => {
  it('expires an open session once and refuses to expire it again', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    const expired = await harness.stripe.checkout.sessions.expire(created.id);

    expect(expired.status).toBe('expired');
    expect(expired.url).toBeNull();
    const again = await stripeErrorOf(harness.stripe.checkout.sessions.expire(created.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.message).toBe('Only Checkout Sessions with a status in ["open"] can be expired.');

    await harness.emulator.flushWebhooks();
    expect(harness.receiver.events.map((event) => event.type)).toEqual([
      'checkout.session.expired',
    ]);
    expect(harness.receiver.events[0]?.request?.id).toMatch(/^req_/);
  });

  it('expires a session when the clock passes expires_at, announcing it once', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    clock += 24 * 60 * 60 * 1000 + 1000;

    const first = await harness.stripe.checkout.sessions.retrieve(created.id);
    const second = await harness.stripe.checkout.sessions.retrieve(created.id);
    await harness.emulator.expireAll();

    expect(first.status).toBe('expired');
    expect(second.status).toBe('expired');
    await harness.emulator.flushWebhooks();
    const expiredEvents = harness.receiver.events.filter(
      (event) => event.type === 'checkout.session.expired',
    );
    expect(expiredEvents).toHaveLength(1);
    expect(expiredEvents[0]?.data.object).toMatchObject({ id: created.id, status: 'expired' });
  });

  it('expires overdue sessions on expireAll without any read', async () => {
    const created = await harness.stripe.checkout.sessions.create(sessionParams());
    clock += 25 * 60 * 60 * 1000;
    await harness.emulator.expireAll();
    await harness.emulator.flushWebhooks();

    expect(harness.receiver.events.map((event) => event.data.object)).toMatchObject([
      { id: created.id, status: 'expired' },
    ]);
  });
});
