import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookPayload } from '@repo/stripe-emulator';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let keyCounter = 0;

// On PostgreSQL the first app of a test file also migrates and seeds the template database.
beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
}, 60_000);
afterAll(() => t.close());

type Purchase = {
  id: string;
  price: { amount: number };
  discount: { amount: number } | null;
  status: string;
};

async function checkout(deviceIds: string[], itemIds: string[], allowPromotionCodes = true) {
  const res = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', `promo-test-${++keyCounter}-${Date.now()}`)
    .send({ instanceId: 'mkt_eu', itemIds, deviceIds, mode: 'test', allowPromotionCodes })
    .expect(201);
  return res.body as { id: string; stripeSessionId: string; allowPromotionCodes: boolean };
}

async function read(id: string) {
  return (await admin.agent.get(`/api/checkout-sessions/${id}`).expect(200)).body as {
    amounts: { subtotal: number; total: number; currency: string };
    discount: {
      amount: { amount: number; currency: string };
      promotionCodeId: string | null;
    } | null;
    purchases: Purchase[];
    fulfilled: boolean;
  };
}

async function refund(purchaseId: string) {
  return admin.agent
    .post(`/api/purchases/${purchaseId}/refund`)
    .set('X-CSRF-Token', admin.csrfToken)
    .expect(200);
}

describe('promotion codes', () => {
  it('lets the payment page take a code, and records the discount on the session and its purchases', async () => {
    const created = await checkout(
      ['ACM-TX1-0004', 'ACM-TX1-0008', 'ACM-TX1-0012'],
      ['item_eco_scheduler', 'item_energy_insights'],
    );
    expect(created.allowPromotionCodes).toBe(true);
    const stripeSession = await t.stripe.checkout.sessions.retrieve(created.stripeSessionId);
    expect(stripeSession.allow_promotion_codes).toBe(true);

    await t.emulator.applyPromotionCode(created.stripeSessionId, 'TAKE5');
    await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();

    const session = await read(created.id);
    expect(session.fulfilled).toBe(true);
    expect(session.amounts).toMatchObject({ subtotal: 4497, total: 3997 });
    expect(session.discount).toEqual({
      amount: { amount: 500, currency: 'eur' },
      promotionCodeId: 'promo_demo_take5',
    });
    const paid = session.purchases.filter((p) => p.price.amount > 0);
    // 500 over three 14.99 lines: 167 + 167 + 166; free lines take no share.
    expect(paid.map((p) => p.discount?.amount).sort()).toEqual([166, 167, 167]);
    expect(session.purchases.reduce((sum, p) => sum + p.price.amount, 0)).toBe(3997);
    expect(
      session.purchases.filter((p) => p.price.amount === 0).every((p) => p.discount === null),
    ).toBe(true);
  });

  it('shares the platform fee over the purchases so that the parts add up to what was taken', async () => {
    const created = await checkout(
      ['ACM-TX1-0016', 'ACM-TX1-0020', 'ACM-TX1-0024'],
      ['item_eco_scheduler', 'item_energy_insights'],
    );
    await t.emulator.applyPromotionCode(created.stripeSessionId, 'SPRING20');
    await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const session = (await admin.agent.get(`/api/checkout-sessions/${created.id}`).expect(200))
      .body as { amounts: { platformFee: number }; purchases: Purchase[] };
    expect(session.amounts.platformFee).toBeGreaterThan(0);
    const details = await Promise.all(
      session.purchases.map(
        async (p) =>
          (await admin.agent.get(`/api/purchases/${p.id}`).expect(200)).body as {
            fees: {
              price: { amount: number };
              platformFee: { amount: number };
              providerNet: { amount: number };
            };
          },
      ),
    );
    expect(details.reduce((sum, d) => sum + d.fees.platformFee.amount, 0)).toBe(
      session.amounts.platformFee,
    );
    for (const d of details)
      expect(d.fees.providerNet.amount).toBe(d.fees.price.amount - d.fees.platformFee.amount);
  });

  it('refunds each purchase at most what was paid for it, and all of them add up to the charge', async () => {
    const created = await checkout(
      ['ACM-GW3-0002', 'ACM-GW3-0006', 'ACM-GW3-0010'],
      ['item_vpn_pro', 'item_fleet_diagnostics'],
    );
    await t.emulator.applyPromotionCode(created.stripeSessionId, 'SPRING20');
    await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const session = await read(created.id);
    expect(session.amounts.total).toBe(11760);

    const paid = session.purchases.filter((p) => p.price.amount > 0);
    for (const purchase of paid) {
      const res = await refund(purchase.id);
      expect(res.body.amount.amount).toBe(purchase.price.amount);
      expect(res.body.amount.amount).toBeLessThan(4900);
    }
    await t.emulator.flushWebhooks();

    const stripeSession = await t.stripe.checkout.sessions.retrieve(created.stripeSessionId);
    const intent = await t.stripe.paymentIntents.retrieve(stripeSession.payment_intent as string, {
      expand: ['latest_charge'],
    });
    const charge = intent.latest_charge as { amount: number; amount_refunded: number };
    expect(charge.amount).toBe(11760);
    expect(charge.amount_refunded).toBe(charge.amount);
    const after = await read(created.id);
    expect(
      after.purchases.filter((p) => p.price.amount > 0).every((p) => p.status === 'refunded'),
    ).toBe(true);
  });

  it('fulfills with the discount when the refund is the first news of the payment', async () => {
    const created = await checkout(['ACM-GW3-0014'], ['item_vpn_pro']);
    // Webhooks paused: the test hands Stripe's refund event to the BFF itself.
    t.emulator.setWebhooks([
      { url: 'http://127.0.0.1:9/unreachable', secret: TEST_WEBHOOK_SECRET },
    ]);
    try {
      await t.emulator.applyPromotionCode(created.stripeSessionId, 'TAKE5');
      await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
      const stripeSession = await t.stripe.checkout.sessions.retrieve(created.stripeSessionId);
      await t.stripe.refunds.create({ payment_intent: stripeSession.payment_intent as string });
      await t.emulator.flushWebhooks();
    } finally {
      t.emulator.setWebhooks([
        { url: `${t.baseUrl}/api/webhooks/stripe/test`, secret: TEST_WEBHOOK_SECRET },
      ]);
    }
    const refunded = t.emulator
      .deliveries()
      .map((d) => d.eventId)
      .filter((id, i, all) => all.indexOf(id) === i);
    const events = await Promise.all(refunded.map((id) => t.stripe.events.retrieve(id)));
    const chargeRefunded = events.find(
      (e) =>
        e.type === 'charge.refunded' &&
        (e.data.object as { metadata: { checkoutSessionId?: string } }).metadata
          .checkoutSessionId === created.id,
    );
    expect(chargeRefunded).toBeDefined();
    const payload = JSON.stringify(chargeRefunded);
    const res = await fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': signWebhookPayload(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
    expect(res.status).toBe(200);
    const row = await t.db
      .selectFrom('purchases')
      .select(['amount', 'amountDiscount as discount', 'status'])
      .where('checkoutSessionId', '=', created.id)
      .executeTakeFirst();
    expect(row).toEqual({ amount: 4400, discount: 500, status: 'refunded' });
  });

  it('keeps promotion codes off unless the session allows them', async () => {
    const created = await checkout(['ACM-GW3-0018'], ['item_vpn_pro'], false);
    const stripeSession = await t.stripe.checkout.sessions.retrieve(created.stripeSessionId);
    expect(stripeSession.allow_promotion_codes).toBeNull();
    await expect(t.emulator.applyPromotionCode(created.stripeSessionId, 'TAKE5')).rejects.toThrow();
  });
});
