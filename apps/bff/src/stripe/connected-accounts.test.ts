import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { loadConfig } from '../config';
import { createTestApp, signIn, type TestApp } from '../testing/test-app';
import { setUpStripe } from './embedded-stripe';
import { createStripeGateway } from './stripe-gateway';

/** Pays one Eco Scheduler for a thermostat and answers what Stripe was asked to do with it. */
async function payOne(t: TestApp, key: string) {
  const admin = await signIn(t.app, 'admin@acme.example');
  const { body: session } = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', key)
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_eco_scheduler'],
      deviceIds: ['ACM-TX1-0004'],
      mode: 'test',
    })
    .expect(201);
  await t.emulator.completeSession(session.stripeSessionId, 'succeeded');
  const paid = await t.stripe.checkout.sessions.retrieve(session.stripeSessionId, {
    expand: ['payment_intent'],
  });
  return { session, intent: paid.payment_intent as Stripe.PaymentIntent };
}

describe("the demo organisation's connected account", () => {
  let embedded: TestApp;
  let realStripe: TestApp;
  // On PostgreSQL the first app of a test file also migrates and seeds the template database.
  beforeAll(async () => {
    [embedded, realStripe] = await Promise.all([
      createTestApp(),
      createTestApp({}, { embeddedEmulator: false }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([embedded.close(), realStripe.close()]);
  });

  it('receives the payment, less the platform fee, on the embedded emulator', async () => {
    const { session, intent } = await payOne(embedded, 'connected-embedded-1');
    expect(session.amounts.platformFee).toBe(75);
    expect(intent.transfer_data).toEqual({ destination: 'acct_demo_acme' });
    expect(intent.application_fee_amount).toBe(75);
  });

  it('is never sent to a Stripe other than the embedded emulator', async () => {
    const { session, intent } = await payOne(realStripe, 'connected-real-1');
    expect(session.amounts.platformFee).toBe(0);
    expect(intent.transfer_data).toBeNull();
    expect(intent.application_fee_amount).toBeNull();
  });
});

describe('which mode runs on the embedded emulator', () => {
  const config = (env: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });

  it('is test mode without keys, and no mode once real keys are set', async () => {
    const offline = await setUpStripe(config({}));
    try {
      expect(createStripeGateway(offline.credentials).runsOnEmbeddedEmulator('test')).toBe(true);
    } finally {
      await offline.emulator?.close();
    }
    const withKeys = await setUpStripe(
      config({
        STRIPE_SECRET_KEY_TEST: 'sk_test_real_looking',
        STRIPE_WEBHOOK_SECRET_TEST: 'whsec_real_looking',
        STRIPE_SECRET_KEY_LIVE: 'sk_live_real_looking',
        STRIPE_WEBHOOK_SECRET_LIVE: 'whsec_live_real_looking',
      }),
    );
    expect(withKeys.emulator).toBeUndefined();
    const gateway = createStripeGateway(withKeys.credentials);
    expect(gateway.runsOnEmbeddedEmulator('test')).toBe(false);
    expect(gateway.runsOnEmbeddedEmulator('live')).toBe(false);
  });
});
