import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { signWebhookPayload } from '@repo/stripe-emulator';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';
import { createCheckoutRepo } from './checkout.repo';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let keyCounter = 0;

// On PostgreSQL the first app of a test file also migrates and seeds the template database.
beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
}, 60_000);
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.setWebhooks([
    { url: `${t.baseUrl}/api/webhooks/stripe/test`, secret: TEST_WEBHOOK_SECRET },
  ]);
});

/** A paid product for each model (acme's device n is of model n mod 4); each test takes its own. */
const PAID = {
  CC3: { first: 1, itemId: 'item_motion_ai', itemName: 'Motion AI' },
  GW3: { first: 2, itemId: 'item_vpn_pro', itemName: 'Gateway VPN Pro' },
  TX1: { first: 4, itemId: 'item_eco_scheduler', itemName: 'Eco Scheduler' },
} as const;
type Code = keyof typeof PAID;
const taken: Record<Code, number> = { CC3: 0, GW3: 0, TX1: 0 };
let turn = 0;
function fresh(code: Code = (['CC3', 'GW3', 'TX1'] as const)[turn++ % 3]!) {
  const { first, ...item } = PAID[code];
  const n = first + 4 * taken[code]++;
  if (n > 40) throw new Error('out of test devices');
  return { deviceId: `ACM-${code}-${String(n).padStart(4, '0')}`, ...item };
}
const basket = (deviceIds: string[], itemIds: string[]) => ({
  instanceId: 'mkt_eu',
  itemIds,
  deviceIds,
  mode: 'test',
});

function create(body: object, key = `duplicate-${++keyCounter}`) {
  return admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', key)
    .send(body);
}
const cancel = (id: string) =>
  admin.agent.post(`/api/checkout-sessions/${id}/cancel`).set('X-CSRF-Token', admin.csrfToken);

/** How many rows a query reads. */
const count = async (query: { execute(): Promise<unknown[]> }) => (await query.execute()).length;
const activeEntitlements = (deviceId: string, itemId: string, app = t) =>
  count(
    app.db
      .selectFrom('entitlements')
      .select('id')
      .where('deviceId', '=', deviceId)
      .where('itemId', '=', itemId)
      .where('status', '=', 'active'),
  );
const checkoutSessions = () => count(t.db.selectFrom('checkoutSessions').select('id'));
/** The first purchase of a session (the only one, for a basket of one device and one item). */
const purchaseIn = async (checkoutSessionId: string, app = t) =>
  (
    await app.db
      .selectFrom('purchases')
      .select('id')
      .where('checkoutSessionId', '=', checkoutSessionId)
      .executeTakeFirstOrThrow()
  ).id;
const refundOf = (purchaseId: string, app = t) =>
  app.db
    .selectFrom('refunds')
    .select(['status', 'stripeRefundId'])
    .where('purchaseId', '=', purchaseId)
    .executeTakeFirst();
const sessionOf = (checkoutSessionId: string, app = t) =>
  app.db
    .selectFrom('checkoutSessions')
    .select(['status', 'stripePaymentIntentId'])
    .where('id', '=', checkoutSessionId)
    .executeTakeFirstOrThrow();
/** Our record says the page expired a second ago, whatever Stripe thinks. */
const expireStored = (checkoutSessionId: string, app = t) =>
  app.db
    .updateTable('checkoutSessions')
    .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
    .where('id', '=', checkoutSessionId)
    .execute();

function pauseWebhooks() {
  t.emulator.setWebhooks([{ url: 'http://127.0.0.1:9/unreachable', secret: TEST_WEBHOOK_SECRET }]);
}

async function completedEventOf(stripeSessionId: string): Promise<Stripe.Event> {
  const ids = [...new Set(t.emulator.deliveries().map((d) => d.eventId))];
  const events = await Promise.all(ids.map((id) => t.stripe.events.retrieve(id)));
  return events.find(
    (e) =>
      e.type === 'checkout.session.completed' &&
      (e.data.object as { id: string }).id === stripeSessionId,
  )!;
}

function deliver(event: Stripe.Event) {
  const payload = JSON.stringify(event);
  return fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Stripe-Signature': signWebhookPayload(payload, TEST_WEBHOOK_SECRET),
    },
    body: payload,
  });
}

describe('a second checkout for what a device already has or is paying for', () => {
  it('is refused with 409, naming the device, the item and the open checkout', async () => {
    const { deviceId, itemId, itemName } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    const before = await checkoutSessions();
    const res = await create(basket([deviceId], [itemId])).expect(409);
    expect(res.body.error).toMatchObject({
      code: 'ALREADY_OWNED_OR_IN_CHECKOUT',
      requestId: expect.any(String),
      details: [
        {
          path: 'deviceIds.0',
          deviceId,
          itemId: itemId,
          checkoutSessionId: first.id,
          message: expect.stringContaining(
            `${deviceId}: ${itemName} is in open checkout ${first.id}`,
          ),
        },
      ],
    });
    expect(await checkoutSessions()).toBe(before);
  });

  it('is refused with 409 once the device owns the item, naming the purchase', async () => {
    const { deviceId, itemId, itemName } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    await t.emulator.completeSession(first.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const purchaseId = await purchaseIn(first.id);
    const res = await create(basket([deviceId], [itemId])).expect(409);
    expect(res.body.error.details).toEqual([
      {
        path: 'deviceIds.0',
        deviceId,
        itemId: itemId,
        purchaseId,
        message: `${deviceId}: already owns ${itemName} (purchase ${purchaseId}).`,
      },
    ]);
  });

  it('names every device × item at fault in a larger basket', async () => {
    const [a, b, c] = [fresh('CC3'), fresh('CC3'), fresh('CC3')].map((d) => d.deviceId);
    const itemId = PAID.CC3.itemId;
    const { body: held } = await create(basket([a!], [itemId])).expect(201);
    await create(basket([b!], ['item_fleet_diagnostics'])).expect(201);
    const res = await create(basket([c!, a!, b!], [itemId, 'item_fleet_diagnostics'])).expect(409);
    const { id: owned } = await t.db
      .selectFrom('purchases')
      .select('id')
      .where('deviceId', '=', b!)
      .executeTakeFirstOrThrow();
    expect(
      res.body.error.details.map((d: Record<string, string>) => [
        d.path,
        d.deviceId,
        d.itemId,
        d.checkoutSessionId ?? d.purchaseId,
      ]),
    ).toEqual([
      ['deviceIds.1', a, itemId, held.id],
      ['deviceIds.2', b, 'item_fleet_diagnostics', owned],
    ]);
  });

  it('lets exactly one of two checkouts created at the same moment with different keys through', async () => {
    const { deviceId, itemId } = fresh();
    const results = await Promise.all([
      create(basket([deviceId], [itemId]), 'race-key-a'),
      create(basket([deviceId], [itemId]), 'race-key-b'),
      create(basket([deviceId], [itemId]), 'race-key-c'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.id;
    for (const loser of results.filter((r) => r.status === 409))
      expect(loser.body.error.details[0].checkoutSessionId).toBe(winner);
    expect(
      await count(
        t.db
          .selectFrom('checkoutSessionLines')
          .select('checkoutSessionId')
          .where('deviceId', '=', deviceId)
          .where('itemId', '=', itemId),
      ),
    ).toBe(1);
  });

  it('still answers the same session to the same Idempotency-Key', async () => {
    const { deviceId, itemId } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId]), 'replayed-key').expect(201);
    const { body: again } = await create(basket([deviceId], [itemId]), 'replayed-key').expect(201);
    expect(again.id).toBe(first.id);
    expect(again.stripeSessionId).toBe(first.stripeSessionId);
  });

  it('is held by the database itself: a second hold of the same line is refused', async () => {
    // What another process or instance writing to the same database meets, past any check made
    // in this one.
    const repo = createCheckoutRepo(t.database);
    const { deviceId, itemId } = fresh();
    const row = (id: string) => ({
      id,
      organisationId: 'org_acme',
      instanceId: 'mkt_eu',
      mode: 'test' as const,
      status: 'open' as const,
      paymentStatus: 'unpaid' as const,
      currency: 'eur',
      amountSubtotal: 100,
      platformFee: 0,
      amountTotal: 100,
      successUrl: 'http://localhost:5999/ok',
      cancelUrl: 'http://localhost:5999/cancel',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      idempotencyKey: `repo-${id}`,
      requestHash: 'x',
      createdBy: 'usr_acme_admin',
      createdAt: new Date().toISOString(),
      apiKeyId: null,
      paymentLinkId: null,
      allowPromotionCodes: false,
      lines: [{ itemId: itemId, deviceId, unitAmount: 100 }],
    });
    const insert = (id: string) => t.database.transaction(() => repo.insert(row(id)));
    await insert('chk_hold_test_one');
    // SQLite names the constraint's kind, PostgreSQL says "duplicate key".
    await expect(insert('chk_hold_test_two')).rejects.toThrow(/UNIQUE|PRIMARY KEY|duplicate key/);
    expect(
      await count(
        t.db.selectFrom('checkoutSessions').select('id').where('id', '=', 'chk_hold_test_two'),
      ),
    ).toBe(0);
  });

  it('shows an open checkout in the device validation, before paying', async () => {
    const { deviceId, itemId, itemName } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    const { body } = await admin.agent
      .post('/api/devices/validate')
      .set('X-CSRF-Token', admin.csrfToken)
      .send(basket([deviceId], [itemId]))
      .expect(200);
    expect(body.valid).toBe(false);
    expect(body.results).toEqual([
      {
        input: deviceId,
        deviceId,
        status: 'in_checkout',
        message: `${itemName} already in open checkout ${first.id}: continue or cancel it first.`,
        itemIds: [itemId],
        checkoutSessionId: first.id,
      },
    ]);
    // The tab that opened it goes on paying with it: its own checkout is no obstacle.
    const { body: own } = await admin.agent
      .post('/api/devices/validate')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ ...basket([deviceId], [itemId]), ownCheckoutSessionId: first.id })
      .expect(200);
    expect(own.valid).toBe(true);
    expect(own.results[0].status).toBe('ok');
  });
});

describe('an abandoned checkout lets its devices go', () => {
  it('when the customer cancels', async () => {
    const { deviceId, itemId } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    await cancel(first.id).expect(200);
    await create(basket([deviceId], [itemId])).expect(201);
  });

  it('when Stripe expires the page (checkout.session.expired)', async () => {
    const { deviceId, itemId } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    await t.stripe.checkout.sessions.expire(first.stripeSessionId);
    await t.emulator.flushWebhooks();
    expect((await sessionOf(first.id)).status).toBe('expired');
    await create(basket([deviceId], [itemId])).expect(201);
  });

  it('when its stored expiry has passed, even if the expiry event never came', async () => {
    const { deviceId, itemId } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    await expireStored(first.id);
    await create(basket([deviceId], [itemId])).expect(201);
  });

  it('when a delayed payment fails', async () => {
    const { deviceId, itemId } = fresh();
    const { body: first } = await create(basket([deviceId], [itemId])).expect(201);
    await t.emulator.completeSession(first.stripeSessionId, 'delayed');
    await t.emulator.flushWebhooks();
    // While the bank transfer is on its way the device stays held.
    await create(basket([deviceId], [itemId])).expect(409);
    await t.emulator.settleDelayedPayment(first.stripeSessionId, 'failed');
    await t.emulator.flushWebhooks();
    await create(basket([deviceId], [itemId])).expect(201);
  });
});

describe('two payments that could not be prevented', () => {
  const purchasesOf = async (deviceId: string, itemId: string) => {
    const purchases = await t.db
      .selectFrom('purchases')
      .select(['id', 'status', 'amount', 'checkoutSessionId as sessionId'])
      .where('deviceId', '=', deviceId)
      .where('itemId', '=', itemId)
      .orderBy('createdAt')
      .execute();
    const entitled = new Set(
      (
        await t.db
          .selectFrom('entitlements')
          .select('purchaseId')
          .where('deviceId', '=', deviceId)
          .where('itemId', '=', itemId)
          .where('status', '=', 'active')
          .execute()
      ).map((e) => e.purchaseId),
    );
    return purchases.map((p) => ({ ...p, entitled: entitled.has(p.id) ? 1 : 0 }));
  };

  it('keeps the first and refunds the duplicate through Stripe, webhooks and return pages racing', async () => {
    const { deviceId, itemId, itemName } = fresh();
    // The provider listens for activations: a duplicate must never be announced as one.
    await admin.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ url: 'http://127.0.0.1:9/shop', mode: 'test', eventTypes: ['purchase.activated'] })
      .expect(201);
    pauseWebhooks();
    const { body: one } = await create(basket([deviceId], [itemId])).expect(201);
    // How real life gets past the holds: our record says the first page expired (its stored
    // expiry passed, so its hold no longer counts), while Stripe still took a payment on it.
    await expireStored(one.id);
    const { body: two } = await create(basket([deviceId], [itemId])).expect(201);
    await t.emulator.completeSession(one.stripeSessionId, 'succeeded');
    await t.emulator.completeSession(two.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const events = await Promise.all([
      completedEventOf(one.stripeSessionId),
      completedEventOf(two.stripeSessionId),
    ]);

    const answers = await Promise.all([
      deliver(events[0]),
      deliver(events[1]),
      admin.agent.get(`/api/checkout-sessions/${one.id}`),
      admin.agent.get(`/api/checkout-sessions/${two.id}`),
      admin.agent.get(`/api/checkout-sessions/${two.id}`),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);

    const [kept, duplicate] = (await purchasesOf(deviceId, itemId)).sort(
      (a, b) => b.entitled - a.entitled,
    );
    expect(kept!.entitled).toBe(1);
    expect(duplicate!.entitled).toBe(0);
    expect(await activeEntitlements(deviceId, itemId)).toBe(1);

    const announced = (
      await t.db
        .selectFrom('providerEvents')
        .select('payload')
        .where('type', '=', 'purchase.activated')
        .execute()
    ).map((e) => (JSON.parse(e.payload) as { data: { object: { id: string } } }).data.object.id);
    expect(announced).toContain(kept!.id);
    expect(announced).not.toContain(duplicate!.id);

    // Sent to Stripe once the webhook's transaction has committed: a partial refund of the
    // duplicate's payment, for exactly what it paid.
    await expect.poll(async () => (await refundOf(duplicate!.id))?.stripeRefundId).toMatch(/^re_/);
    const stripeRefund = await t.stripe.refunds.retrieve(
      (await refundOf(duplicate!.id))!.stripeRefundId!,
    );
    const duplicateIntent = (await sessionOf(duplicate!.sessionId)).stripePaymentIntentId;
    expect(stripeRefund).toMatchObject({
      amount: duplicate!.amount,
      payment_intent: duplicateIntent,
      metadata: { purchaseId: duplicate!.id },
    });
    const keptIntent = (await sessionOf(kept!.sessionId)).stripePaymentIntentId;
    const untouched = await t.stripe.paymentIntents.retrieve(keptIntent!, {
      expand: ['latest_charge'],
    });
    expect((untouched.latest_charge as Stripe.Charge).amount_refunded).toBe(0);

    const reason = `Refunded automatically: ${deviceId} already owned ${itemName} through purchase ${kept!.id}.`;
    const attempts = await t.db
      .selectFrom('checkoutAttempts')
      .select('detail')
      .where('checkoutSessionId', '=', duplicate!.sessionId)
      .where('kind', '=', 'refunded')
      .execute();
    expect(attempts.map((a) => a.detail)).toEqual([
      `Refund of ${duplicate!.amount} requested for duplicate purchase ${duplicate!.id}: ${deviceId} already owned ${itemName} through purchase ${kept!.id}.`,
    ]);
    const audit = await t.db
      .selectFrom('auditEntries')
      .select(['userId', 'details'])
      .where('action', '=', 'purchase.refund')
      .where('objectId', '=', duplicate!.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.userId).toBeNull();
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({
      automatic: true,
      ownerPurchaseId: kept!.id,
    });

    // The charge.refunded event went nowhere (webhooks paused): opening the purchase settles it.
    const { body: detail } = await admin.agent.get(`/api/purchases/${duplicate!.id}`).expect(200);
    expect(detail).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', reason } });
    expect((await purchasesOf(deviceId, itemId)).map((p) => [p.id, p.status])).toEqual(
      expect.arrayContaining([
        [kept!.id, 'active'],
        [duplicate!.id, 'refunded'],
      ]),
    );
    expect(await activeEntitlements(deviceId, itemId)).toBe(1);
    expect(await refundOf(kept!.id)).toBeUndefined();
  });
});

describe('an automatic refund that Stripe does not take at first', () => {
  // A proxy in front of the emulator that can refuse refunds, as Stripe does when it has trouble.
  let emulatorUrl = '';
  /** Which refund requests (their form-encoded body) to refuse. */
  let refusing: (body: string) => boolean = () => false;
  let refundsReachingStripe = 0;
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isRefund = req.method === 'POST' && req.url === '/v1/refunds';
      if (isRefund && refusing(Buffer.concat(chunks).toString())) {
        res.writeHead(500, { 'Content-Type': 'application/json', 'Stripe-Should-Retry': 'false' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'Try again later.' } }));
        return;
      }
      if (isRefund) refundsReachingStripe += 1;
      const forward = http.request(
        `${emulatorUrl}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(Buffer.concat(chunks));
    });
  });
  let other: TestApp;
  let otherAdmin: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    other = await createTestApp(
      {},
      {
        stripeApiUrl: (url) => {
          emulatorUrl = url;
          return proxyUrl;
        },
      },
    );
    otherAdmin = await signIn(other.app, 'admin@acme.example');
  });
  afterAll(async () => {
    await other.close();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  /** Two sessions for one device × item, both paid at Stripe, their events held back. */
  async function payTwice(deviceId: string) {
    const request = basket([deviceId], ['item_eco_scheduler']);
    const start = (key: string) =>
      otherAdmin.agent
        .post('/api/checkout-sessions')
        .set('X-CSRF-Token', otherAdmin.csrfToken)
        .set('Idempotency-Key', key)
        .send(request)
        .expect(201);
    other.emulator.setWebhooks([
      { url: 'http://127.0.0.1:9/unreachable', secret: TEST_WEBHOOK_SECRET },
    ]);
    const { body: one } = await start(`proxy-first-${deviceId}`);
    // As above: our record of the first page expired while Stripe still took a payment on it.
    await expireStored(one.id, other);
    const { body: two } = await start(`proxy-second-${deviceId}`);
    await other.emulator.completeSession(one.stripeSessionId, 'succeeded');
    await other.emulator.completeSession(two.stripeSessionId, 'succeeded');
    await other.emulator.flushWebhooks();
    const events = new Map<string, Stripe.Event>();
    for (const d of other.emulator.deliveries()) {
      const event = await other.stripe.events.retrieve(d.eventId);
      if (event.type === 'checkout.session.completed')
        events.set((event.data.object as { id: string }).id, event);
    }

    return { one, two, events };
  }

  function post(event: Stripe.Event) {
    const payload = JSON.stringify(event);
    return fetch(`${other.baseUrl}/api/webhooks/stripe/test`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': signWebhookPayload(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
  }

  it('still acknowledges the webhook, records the failure, and sends it again once, later', async () => {
    const { one, two, events } = await payTwice('ACM-TX1-0040');
    refusing = () => true;
    expect((await post(events.get(one.stripeSessionId)!)).status).toBe(200);
    expect((await post(events.get(two.stripeSessionId)!)).status).toBe(200);
    const duplicateId = await purchaseIn(two.id, other);
    await expect.poll(async () => (await refundOf(duplicateId, other))?.status).toBe('failed');
    expect(refundsReachingStripe).toBe(0);

    refusing = () => false;
    // Reading the checkout or the purchase again sends it, under the same key, once.
    await otherAdmin.agent.get(`/api/checkout-sessions/${two.id}`).expect(200);
    await otherAdmin.agent.get(`/api/purchases/${duplicateId}`).expect(200);
    const { body: detail } = await otherAdmin.agent
      .get(`/api/purchases/${duplicateId}`)
      .expect(200);
    expect(detail).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(refundsReachingStripe).toBe(1);
    const intentId = (await sessionOf(two.id, other)).stripePaymentIntentId;
    const intent = await other.stripe.paymentIntents.retrieve(intentId!, {
      expand: ['latest_charge'],
    });
    expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(1499);
  });

  it('never hands the entitlement to a duplicate whose refund is still on its way', async () => {
    const deviceId = 'ACM-TX1-0036';
    const { one, two, events } = await payTwice(deviceId);
    expect((await post(events.get(one.stripeSessionId)!)).status).toBe(200);
    const kept = await purchaseIn(one.id, other);
    // Stripe takes refunds of the kept purchase only: the duplicate's stays unsent.
    refusing = (body) => !body.includes(kept);
    try {
      expect((await post(events.get(two.stripeSessionId)!)).status).toBe(200);
      const duplicate = await purchaseIn(two.id, other);
      await expect.poll(async () => (await refundOf(duplicate, other))?.status).toBe('failed');

      await otherAdmin.agent
        .post(`/api/purchases/${kept}/refund`)
        .set('X-CSRF-Token', otherAdmin.csrfToken)
        .expect(200);
      const { body: keptDetail } = await otherAdmin.agent.get(`/api/purchases/${kept}`).expect(200);
      expect(keptDetail.status).toBe('refunded');
      expect(await activeEntitlements(deviceId, 'item_eco_scheduler', other)).toBe(0);
    } finally {
      refusing = () => false;
    }
  });
});
