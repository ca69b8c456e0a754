import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let operator: Awaited<ReturnType<typeof signIn>>;

// A first app on PostgreSQL migrates and seeds the template database, then two full-cost sign-ins.
beforeAll(async () => {
  t = await createTestApp();
  [admin, operator] = await Promise.all([
    signIn(t.app, 'admin@acme.example'),
    signIn(t.app, 'operator@acme.example'),
  ]);
}, 60_000);
afterAll(() => t.close());

const DEVICE = 'ACM-TX1-0004';
const ITEM = 'item_eco_scheduler';
const RELEASE = 'rel_eco_scheduler_1_0_0'; // thermo-x1, firmware 1.8.0 or newer

const purchaseStatus = async (id: string) =>
  (
    await t.db
      .selectFrom('purchases')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).status;

describe('a refund whose charge.refunded never comes', () => {
  it('is settled from Stripe when the purchase is opened', async () => {
    const { body: session } = await admin.agent
      .post('/api/checkout-sessions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Idempotency-Key', 'reconcile-refund-1')
      .send({ instanceId: 'mkt_eu', itemIds: [ITEM], deviceIds: [DEVICE], mode: 'test' })
      .expect(201);
    await t.emulator.completeSession(session.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const { id: purchaseId } = await t.db
      .selectFrom('purchases')
      .select('id')
      .where('checkoutSessionId', '=', session.id)
      .executeTakeFirstOrThrow();
    const { body: job } = await operator.agent
      .post('/api/installs')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ deviceId: DEVICE, releaseId: RELEASE })
      .expect(201);
    expect(job.status).toBe('queued');

    // From here on Stripe's events are lost on the way.
    t.emulator.setWebhooks([
      { url: 'http://127.0.0.1:9/unreachable', secret: TEST_WEBHOOK_SECRET },
    ]);
    const { body: refund } = await admin.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(refund.status).toBe('requested');
    await t.emulator.flushWebhooks();
    expect(await purchaseStatus(purchaseId)).toBe('active');

    const { body: detail } = await admin.agent.get(`/api/purchases/${purchaseId}`).expect(200);
    expect(detail).toMatchObject({
      status: 'refunded',
      refund: { id: refund.id, status: 'succeeded', reason: null },
      entitlement: { status: 'revoked' },
      checkoutSession: { amountRefunded: detail.price.amount },
    });
    const installJob = await t.db
      .selectFrom('installJobs')
      .select('status')
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(installJob.status).toBe('cancelled');
    const active = await t.db
      .selectFrom('entitlements')
      .select('id')
      .where('deviceId', '=', DEVICE)
      .where('itemId', '=', ITEM)
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(0);

    // Opened again, nothing more happens: one refund at Stripe, one settlement.
    await admin.agent.get(`/api/purchases/${purchaseId}`).expect(200);
    const refunded = await t.db
      .selectFrom('checkoutAttempts')
      .select('id')
      .where('checkoutSessionId', '=', session.id)
      .where('kind', '=', 'refunded')
      .execute();
    expect(refunded).toHaveLength(1);
  });
});
