import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { sql } from 'kysely';
import { signWebhookPayload } from '@repo/stripe-emulator';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';
import { createPurchasesRepo } from '../purchases/purchases.repo';

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

const ids = (code: string, numbers: number[]) =>
  numbers.map((n) => `ACM-${code}-${String(n).padStart(4, '0')}`);
const range = (from: number, step: number, to: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/**
 * Fresh devices for each test, with a paid and a free product that fit them, so that no test
 * trips over another's entitlements. Some thermostats are kept for tests that name them.
 */
const pools = [
  {
    devices: ids('TX1', [12, 16, 20, 24, 36, 40]),
    itemIds: ['item_eco_scheduler', 'item_energy_insights'],
  },
  { devices: ids('MM2', range(3, 4, 39)), itemIds: ['item_tariff_sync', 'item_energy_insights'] },
  { devices: ids('CC3', range(1, 4, 37)), itemIds: ['item_motion_ai', 'item_fleet_diagnostics'] },
  { devices: ids('GW3', range(2, 4, 38)), itemIds: ['item_vpn_pro', 'item_fleet_diagnostics'] },
];
let nextPool = 0;
function freshBasket(n = 1) {
  for (let tries = 0; tries < pools.length; tries += 1) {
    const pool = pools[nextPool++ % pools.length]!;
    if (pool.devices.length >= n) {
      const deviceIds = pool.devices.splice(0, n);
      return {
        instanceId: 'mkt_eu',
        itemIds: pool.itemIds,
        deviceIds,
        mode: 'test',
        paidItemId: pool.itemIds[0]!,
      };
    }
  }
  throw new Error('out of test devices');
}
const body = ({ paidItemId: _, ...rest }: ReturnType<typeof freshBasket>) => rest;

const basket = (deviceIds: string[], extra: Record<string, unknown> = {}) => ({
  instanceId: 'mkt_eu',
  itemIds: ['item_eco_scheduler', 'item_energy_insights'],
  deviceIds,
  mode: 'test',
  ...extra,
});

function create(body: object, key = `key-${++keyCounter}-${Date.now()}`, who = admin) {
  return who.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', who.csrfToken)
    .set('Idempotency-Key', key)
    .send(body);
}

/** How many rows a query reads. */
const count = async (query: { execute(): Promise<unknown[]> }) => (await query.execute()).length;
const purchasesOf = (id: string) =>
  count(t.db.selectFrom('purchases').select('id').where('checkoutSessionId', '=', id));
const activeEntitlements = (deviceId: string, itemId: string) =>
  count(
    t.db
      .selectFrom('entitlements')
      .select('id')
      .where('deviceId', '=', deviceId)
      .where('itemId', '=', itemId)
      .where('status', '=', 'active'),
  );
const fulfilledAttempts = (checkoutSessionId: string) =>
  count(
    t.db
      .selectFrom('checkoutAttempts')
      .select('id')
      .where('checkoutSessionId', '=', checkoutSessionId)
      .where('kind', '=', 'fulfilled'),
  );
const checkoutSessions = () => count(t.db.selectFrom('checkoutSessions').select('id'));
const webhookEvents = (...ids: string[]) =>
  count(t.db.selectFrom('webhookEvents').select('id').where('id', 'in', ids));
/** The first purchase (by id) that matches. */
const purchaseWhere = (where: {
  id?: string;
  checkoutSessionId?: string;
  deviceId?: string;
  itemId?: string;
}) =>
  t.db
    .selectFrom('purchases')
    .select(['id', 'status', 'amount'])
    .$if(where.id !== undefined, (q) => q.where('id', '=', where.id!))
    .$if(where.checkoutSessionId !== undefined, (q) =>
      q.where('checkoutSessionId', '=', where.checkoutSessionId!),
    )
    .$if(where.deviceId !== undefined, (q) => q.where('deviceId', '=', where.deviceId!))
    .$if(where.itemId !== undefined, (q) => q.where('itemId', '=', where.itemId!))
    .orderBy('id')
    .executeTakeFirstOrThrow();
const paymentIntentOf = async (checkoutSessionId: string) =>
  (
    await t.db
      .selectFrom('checkoutSessions')
      .select('stripePaymentIntentId')
      .where('id', '=', checkoutSessionId)
      .executeTakeFirstOrThrow()
  ).stripePaymentIntentId!;

/** Every purchase written from here on fails, as a full disk would make it. */
async function breakPurchaseInserts() {
  if (t.database.dialect === 'postgres') {
    await sql`CREATE FUNCTION break_purchases() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$`.execute(t.db);
    await sql`CREATE TRIGGER break_purchases BEFORE INSERT ON purchases
      FOR EACH ROW EXECUTE FUNCTION break_purchases()`.execute(t.db);
  } else {
    await sql`CREATE TRIGGER break_purchases BEFORE INSERT ON purchases
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`.execute(t.db);
  }
}

async function repairPurchaseInserts() {
  if (t.database.dialect === 'postgres') {
    await sql`DROP TRIGGER break_purchases ON purchases`.execute(t.db);
    await sql`DROP FUNCTION break_purchases()`.execute(t.db);
  } else {
    await sql`DROP TRIGGER break_purchases`.execute(t.db);
  }
}

/** Pays on the emulator's hosted page and waits for the webhook to land. */
async function pay(
  stripeSessionId: string,
  outcome: 'succeeded' | 'declined' | 'delayed' = 'succeeded',
) {
  await t.emulator.completeSession(stripeSessionId, outcome);
  await t.emulator.flushWebhooks();
}

/** Events the emulator sent for a Stripe session, newest last (webhooks paused meanwhile). */
async function eventsFor(stripeSessionId: string): Promise<Stripe.Event[]> {
  const ids = t.emulator
    .deliveries()
    .map((d) => d.eventId)
    .filter((id, i, all) => all.indexOf(id) === i);
  const events = await Promise.all(ids.map((id) => t.stripe.events.retrieve(id)));
  return events.filter((e) => {
    const object = e.data.object as { id?: string; metadata?: Record<string, string> };
    return object.id === stripeSessionId || object.metadata?.stripeSessionId === stripeSessionId;
  });
}

function deliver(event: Stripe.Event, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  return fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Stripe-Signature': signWebhookPayload(
        payload,
        options.secret ?? TEST_WEBHOOK_SECRET,
        options.timestamp,
      ),
    },
    body: payload,
  });
}

const errorCode = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;

/** Pauses automatic delivery: the test hands events to the webhook itself, in its own order. */
function pauseWebhooks() {
  t.emulator.setWebhooks([{ url: 'http://127.0.0.1:9/unreachable', secret: TEST_WEBHOOK_SECRET }]);
}

describe('POST /api/checkout-sessions', () => {
  it('prices the basket from the database, with the platform fee, and opens a Stripe session', async () => {
    const res = await create(basket(['ACM-TX1-0004', 'ACM-TX1-0008'])).expect(201);
    expect(res.body).toMatchObject({
      status: 'open',
      paymentStatus: 'unpaid',
      mode: 'test',
      amounts: { currency: 'eur', subtotal: 2998, platformFee: 150, total: 2998 },
      checkoutUrl: expect.stringMatching(/^http:\/\/localhost:\d+\/checkout\/cs_test_/),
    });
    const session = await t.stripe.checkout.sessions.retrieve(res.body.stripeSessionId, {
      expand: ['line_items'],
    });
    expect(session.amount_total).toBe(2998);
    expect(session.client_reference_id).toBe(res.body.id);
    expect(session.metadata).toEqual({
      checkoutSessionId: res.body.id,
      organisationId: 'org_acme',
    });
    expect(session.success_url).toBe(
      `http://localhost:5999/checkout/${res.body.id}?stripe_session_id={CHECKOUT_SESSION_ID}`,
    );
    expect(session.line_items?.data.map((l) => [l.price?.unit_amount, l.quantity])).toEqual(
      expect.arrayContaining([
        [1499, 2],
        [0, 2],
      ]),
    );
    expect(res.body.attempts.map((a: { kind: string }) => a.kind)).toEqual(['created']);
  });

  it('refuses a price sent by the browser', async () => {
    const res = await create({ ...body(freshBasket()), amount: 1 }).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: '(root)' })]);
    expect(res.body.error.details[0].message).toMatch(/amount/);
  });

  it('returns the same session for the same Idempotency-Key, even on a double click', async () => {
    const request = body(freshBasket());
    const [first, second] = await Promise.all([
      create(request, 'double-click-1'),
      create(request, 'double-click-1'),
    ]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.stripeSessionId).toBe(first.body.stripeSessionId);
    const again = await create(request, 'double-click-1').expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(
      await count(
        t.db
          .selectFrom('checkoutSessions')
          .select('id')
          .where('idempotencyKey', '=', 'double-click-1'),
      ),
    ).toBe(1);
  });

  it('refuses an Idempotency-Key reused for another basket, and a missing one', async () => {
    await create(body(freshBasket()), 'reused-key-1').expect(201);
    const reused = await create(body(freshBasket()), 'reused-key-1').expect(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await admin.agent
      .post('/api/checkout-sessions')
      .set('X-CSRF-Token', admin.csrfToken)
      .send(body(freshBasket()))
      .expect(400);
    expect(missing.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('refuses a globex device in an acme basket and writes nothing', async () => {
    const before = await checkoutSessions();
    const res = await create(basket(['ACM-TX1-0028', 'GLX-TX1-0004'])).expect(422);
    expect(res.body.error.code).toBe('BASKET_INVALID');
    expect(res.body.error.details).toEqual([
      {
        path: 'deviceIds.1',
        message: 'GLX-TX1-0004: This device does not belong to your organisation.',
      },
    ]);
    expect(res.body.error.details[0].message).not.toMatch(/globex/i);
    expect(await checkoutSessions()).toBe(before);
  });

  it('refuses live mode when no live key is configured, saying exactly what to set', async () => {
    const before = await checkoutSessions();
    const res = await create(basket(['ACM-TX1-0028'], { mode: 'live' })).expect(422);
    expect(res.body.error.code).toBe('MODE_NOT_CONFIGURED');
    expect(res.body.error.message).toMatch(/Live mode is not set up/);
    expect(res.body.error.message).toContain('STRIPE_SECRET_KEY_LIVE');
    expect(res.body.error.message).toContain('STRIPE_WEBHOOK_SECRET_LIVE');
    expect(await checkoutSessions()).toBe(before);
  });

  it('fulfills a free basket at once, without Stripe', async () => {
    const res = await create(
      basket(['ACM-TX1-0028'], { itemIds: ['item_energy_insights', 'item_fleet_diagnostics'] }),
    ).expect(201);
    expect(res.body).toMatchObject({
      status: 'complete',
      paymentStatus: 'no_payment_required',
      fulfilled: true,
      stripeSessionId: null,
      checkoutUrl: null,
      amounts: { total: 0, platformFee: 0 },
    });
    expect(res.body.purchases).toHaveLength(2);
    expect(
      res.body.purchases.every((p: { installableVersion: string | null }) => p.installableVersion),
    ).toBe(true);
  });

  it('lets only admins buy', async () => {
    const support = await signIn(t.app, 'support@acme.example');
    const res = await create(basket(['ACM-TX1-0032']), undefined, support).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });
});

describe('paying', () => {
  it('turns a paid session into purchases and entitlements through the webhook', async () => {
    const chosen = freshBasket(2);
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId);
    expect(await purchasesOf(created.id)).toBe(4);
    for (const deviceId of chosen.deviceIds)
      expect(await activeEntitlements(deviceId, chosen.paidItemId)).toBe(1);

    const { body: view } = await admin.agent
      .get(`/api/checkout-sessions/${created.id}`)
      .expect(200);
    expect(view).toMatchObject({
      status: 'complete',
      paymentStatus: 'paid',
      fulfilled: true,
      checkoutUrl: null,
    });
    expect(view.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'paid',
      'fulfilled',
    ]);
    expect(view.purchases).toHaveLength(4);
    expect(view.purchases.map((p: { itemId: string }) => p.itemId).sort()).toEqual(
      [...chosen.itemIds, ...chosen.itemIds].sort(),
    );
  });

  it('acknowledges the same event twice and applies it once', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const first = await deliver(completed!);
    const second = await deliver(completed!);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ received: true, duplicate: true });
    expect(await purchasesOf(created.id)).toBe(2);
    expect(await webhookEvents(completed!.id)).toBe(1);
  });

  it('fulfills exactly once when the webhook and the return page arrive at the same moment', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const [hook, page, page2] = await Promise.all([
      deliver(completed!),
      admin.agent.get(`/api/checkout-sessions/${created.id}`),
      admin.agent.get(`/api/checkout-sessions/${created.id}`),
    ]);
    expect(hook.status).toBe(200);
    expect(page.body.fulfilled).toBe(true);
    expect(page2.body.fulfilled).toBe(true);
    expect(await purchasesOf(created.id)).toBe(2);
    expect(await fulfilledAttempts(created.id)).toBe(1);
  });

  it('fulfills exactly once when the same event comes twice at the same moment as the return page', async () => {
    pauseWebhooks();
    const chosen = freshBasket(2);
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const [first, second, page] = await Promise.all([
      deliver(completed!),
      deliver(completed!),
      admin.agent.get(`/api/checkout-sessions/${created.id}`),
    ]);
    expect([first.status, second.status, page.status]).toEqual([200, 200, 200]);
    const answers = [await first.json(), await second.json()] as { duplicate: boolean }[];
    // The return page may have fulfilled first; the event is recorded once all the same.
    expect(answers.filter((a) => a.duplicate)).toHaveLength(1);
    expect(page.body.fulfilled).toBe(true);

    expect(await purchasesOf(created.id)).toBe(4);
    for (const deviceId of chosen.deviceIds)
      for (const itemId of chosen.itemIds)
        expect(await activeEntitlements(deviceId, itemId)).toBe(1);
    expect(await fulfilledAttempts(created.id)).toBe(1);
    expect(await webhookEvents(completed!.id)).toBe(1);
    const { body: view } = await admin.agent
      .get(`/api/checkout-sessions/${created.id}`)
      .expect(200);
    expect(view.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'paid',
      'fulfilled',
    ]);
  });

  it('rejects a forged signature and a stale timestamp, writing nothing', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const forged = await deliver(completed!, { secret: 'whsec_someone_else' });
    expect(forged.status).toBe(400);
    expect(await errorCode(forged)).toBe('SIGNATURE_INVALID');
    const stale = await deliver(completed!, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(400);
    expect(await errorCode(stale)).toBe('SIGNATURE_STALE');
    const future = await deliver(completed!, { timestamp: Math.floor(Date.now() / 1000) + 600 });
    expect(future.status).toBe(400);
    const tampered = await fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': signWebhookPayload(JSON.stringify(completed), TEST_WEBHOOK_SECRET),
      },
      body: JSON.stringify({ ...completed, id: 'evt_tampered' }),
    });
    expect(tampered.status).toBe(400);
    expect(await webhookEvents(completed!.id, 'evt_tampered')).toBe(0);
    expect(await purchasesOf(created.id)).toBe(0);
  });

  it('answers 404 on the live webhook when live mode is off', async () => {
    const res = await fetch(`${t.baseUrl}/api/webhooks/stripe/live`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('keeps the session open after a declined card, then fulfills when a card is paid', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'declined');
    const declined = await admin.agent.get(`/api/checkout-sessions/${created.id}`).expect(200);
    expect(declined.body).toMatchObject({ status: 'open', fulfilled: false });
    expect(declined.body.checkoutUrl).toBe(created.checkoutUrl);
    await pay(created.stripeSessionId, 'succeeded');
    expect(await purchasesOf(created.id)).toBe(2);
  });

  it('waits for a delayed payment that succeeds, whatever order its events come in', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    await t.emulator.settleDelayedPayment(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const events = await eventsFor(created.stripeSessionId);
    expect(events.map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
    ]);
    // Newest first: the success lands before the completion that preceded it.
    for (const event of [...events].reverse()) expect((await deliver(event)).status).toBe(200);
    const { body: view } = await admin.agent
      .get(`/api/checkout-sessions/${created.id}`)
      .expect(200);
    expect(view).toMatchObject({ status: 'complete', paymentStatus: 'paid', fulfilled: true });
    expect(view.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'paid',
      'fulfilled',
    ]);
    expect(await purchasesOf(created.id)).toBe(2);
  });

  it('shows a delayed payment as pending, then records its failure without fulfilling', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    const pending = await admin.agent.get(`/api/checkout-sessions/${created.id}`).expect(200);
    expect(pending.body).toMatchObject({
      status: 'complete',
      paymentStatus: 'unpaid',
      fulfilled: false,
    });
    expect(pending.body.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'payment_pending',
    ]);
    await t.emulator.settleDelayedPayment(created.stripeSessionId, 'failed');
    await t.emulator.flushWebhooks();
    const failed = await admin.agent.get(`/api/checkout-sessions/${created.id}`).expect(200);
    expect(failed.body.fulfilled).toBe(false);
    expect(failed.body.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'payment_pending',
      'payment_failed',
    ]);
    expect(await purchasesOf(created.id)).toBe(0);
  });

  it('marks a session expired when Stripe expires it', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await t.stripe.checkout.sessions.expire(created.stripeSessionId);
    await t.emulator.flushWebhooks();
    const { body: view } = await admin.agent
      .get(`/api/checkout-sessions/${created.id}`)
      .expect(200);
    expect(view).toMatchObject({ status: 'expired', fulfilled: false, checkoutUrl: null });
    expect(view.attempts.map((a: { kind: string }) => a.kind)).toEqual(['created', 'expired']);
  });

  it('ignores an expiry that arrives after the payment', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const expired = {
      ...structuredClone(completed!),
      id: `${completed!.id}_late_expiry`,
      type: 'checkout.session.expired',
    } as Stripe.Event;
    (expired.data.object as Stripe.Checkout.Session).status = 'expired';
    await deliver(completed!);
    expect((await deliver(expired)).status).toBe(200);
    const { body: view } = await admin.agent
      .get(`/api/checkout-sessions/${created.id}`)
      .expect(200);
    expect(view.status).toBe('complete');
  });

  it('cancels: expires the Stripe session and keeps the record', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    const res = await admin.agent
      .post(`/api/checkout-sessions/${created.id}/cancel`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', checkoutUrl: null });
    expect((await t.stripe.checkout.sessions.retrieve(created.stripeSessionId)).status).toBe(
      'expired',
    );
    await t.emulator.flushWebhooks();
    const again = await admin.agent
      .post(`/api/checkout-sessions/${created.id}/cancel`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(again.body.status).toBe('cancelled');
    expect(again.body.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'cancelled',
    ]);
  });

  it('will not cancel a paid session', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const res = await admin.agent
      .post(`/api/checkout-sessions/${created.id}/cancel`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(409);
    expect(res.body.error.code).toBe('CHECKOUT_ALREADY_COMPLETE');
    expect(await purchasesOf(created.id)).toBe(2);
  });

  it('answers non-2xx when recording fails, so that Stripe delivers again', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await breakPurchaseInserts();
    try {
      await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
      await t.emulator.flushWebhooks();
      const [first] = t.emulator.deliveries().filter((d) => d.status === 500);
      expect(first).toBeDefined();
      expect(await webhookEvents(first!.eventId)).toBe(0);
      expect(await purchasesOf(created.id)).toBe(0);
    } finally {
      await repairPurchaseInserts();
    }
    // The emulator retries on its schedule; the retry is recorded and applied.
    await expect.poll(() => purchasesOf(created.id), { timeout: 3000 }).toBe(2);
  });
});

describe('events in any order', () => {
  const view = async (id: string) =>
    (await admin.agent.get(`/api/checkout-sessions/${id}`).expect(200)).body;
  const kinds = (session: { attempts: { kind: string }[] }) => session.attempts.map((a) => a.kind);

  /** A copy of a session event as Stripe would send it for the session's expiry. */
  function expiryOf(event: Stripe.Event): Stripe.Event {
    const expired = {
      ...structuredClone(event),
      id: `${event.id}_expiry`,
      type: 'checkout.session.expired',
    } as Stripe.Event;
    (expired.data.object as Stripe.Checkout.Session).status = 'expired';
    return expired;
  }

  it('a delayed payment whose failure arrives before its completion ends failed, not pending', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    await t.emulator.settleDelayedPayment(created.stripeSessionId, 'failed');
    await t.emulator.flushWebhooks();
    const events = await eventsFor(created.stripeSessionId);
    expect(events.map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
    for (const event of [...events].reverse()) expect((await deliver(event)).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'failed', status: 'complete', fulfilled: false });
    expect(kinds(session)).toEqual(['created', 'payment_failed']);
    expect(await purchasesOf(created.id)).toBe(0);
    // Asked again (the page polls, Stripe still says complete and unpaid): still failed.
    expect((await view(created.id)).phase).toBe('failed');
  });

  it('a delayed payment whose success arrives before its completion ends active', async () => {
    pauseWebhooks();
    const chosen = freshBasket();
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    await t.emulator.settleDelayedPayment(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const events = await eventsFor(created.stripeSessionId);
    for (const event of [...events].reverse()) expect((await deliver(event)).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'active', paymentStatus: 'paid', fulfilled: true });
    expect(kinds(session)).toEqual(['created', 'paid', 'fulfilled']);
    expect(await activeEntitlements(chosen.deviceIds[0]!, chosen.paidItemId)).toBe(1);
  });

  it('an expiry that arrives before a paid completion is outweighed by it: Stripe never completes an expired session', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    expect((await deliver(expiryOf(completed!))).status).toBe(200);
    expect((await deliver(completed!)).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'active', status: 'complete', fulfilled: true });
    expect(await purchasesOf(created.id)).toBe(2);
  });

  it('an expiry that arrives before an unpaid completion leaves the payment pending, not expired', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    const [completed] = await eventsFor(created.stripeSessionId);
    expect((await deliver(expiryOf(completed!))).status).toBe(200);
    expect((await deliver(completed!)).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'pending', status: 'complete', fulfilled: false });
    expect(kinds(session)).toEqual(['created', 'expired', 'payment_pending']);
  });

  it('an expiry after the completion changes nothing', async () => {
    pauseWebhooks();
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId, 'delayed');
    const [completed] = await eventsFor(created.stripeSessionId);
    expect((await deliver(completed!)).status).toBe(200);
    expect((await deliver(expiryOf(completed!))).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'pending', status: 'complete' });
    expect(kinds(session)).toEqual(['created', 'payment_pending']);
  });

  it('a refund that arrives before the completion ends refunded, its entitlements revoked', async () => {
    pauseWebhooks();
    const chosen = freshBasket();
    const [paidItem, freeItem] = chosen.itemIds as [string, string];
    const device = chosen.deviceIds[0]!;
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId);
    const [completed] = await eventsFor(created.stripeSessionId);
    const stripeSession = completed!.data.object as Stripe.Checkout.Session;
    const paymentIntent = stripeSession.payment_intent as string;
    await t.stripe.refunds.create({ payment_intent: paymentIntent });
    await t.emulator.flushWebhooks();
    const refunds = (
      await Promise.all(
        t.emulator
          .deliveries()
          .map((d) => d.eventId)
          .filter((id, i, all) => all.indexOf(id) === i)
          .map((id) => t.stripe.events.retrieve(id)),
      )
    ).filter(
      (e) =>
        e.type === 'charge.refunded' &&
        (e.data.object as Stripe.Charge).payment_intent === paymentIntent,
    );
    expect(refunds).toHaveLength(1);

    expect((await deliver(refunds[0]!)).status).toBe(200);
    expect((await deliver(completed!)).status).toBe(200);

    const session = await view(created.id);
    expect(session).toMatchObject({ phase: 'refunded', fulfilled: true });
    expect(
      session.purchases.map((p: { itemId: string; status: string }) => [p.itemId, p.status]),
    ).toEqual(
      expect.arrayContaining([
        [paidItem, 'refunded'],
        [freeItem, 'active'],
      ]),
    );
    expect(await activeEntitlements(device, paidItem)).toBe(0);
    // Nothing was paid for the free product, so nothing of it was refunded.
    expect(await activeEntitlements(device, freeItem)).toBe(1);
    expect(kinds(session)).toEqual(['created', 'paid', 'fulfilled', 'refunded']);
  });

  it('a customer who cancels after Stripe expired the page reads cancelled', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await t.stripe.checkout.sessions.expire(created.stripeSessionId);
    await t.emulator.flushWebhooks();
    expect((await view(created.id)).phase).toBe('expired');
    const cancelled = await admin.agent
      .post(`/api/checkout-sessions/${created.id}/cancel`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(cancelled.body).toMatchObject({ phase: 'cancelled', status: 'cancelled' });
  });
});

describe('refunds', () => {
  it('revokes the entitlement when charge.refunded arrives, and refunds twice only once', async () => {
    const chosen = freshBasket();
    const device = chosen.deviceIds[0]!;
    const [paidItem, freeItem] = chosen.itemIds as [string, string];
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId);
    const purchaseId = (
      await purchaseWhere({
        checkoutSessionId: created.id,
        itemId: paidItem,
      })
    ).id;

    const refund = (who = admin) =>
      who.agent.post(`/api/purchases/${purchaseId}/refund`).set('X-CSRF-Token', who.csrfToken);
    const [first, second] = await Promise.all([refund(), refund()]);
    expect(first.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    await t.emulator.flushWebhooks();

    expect(await activeEntitlements(device, paidItem)).toBe(0);
    expect(await activeEntitlements(device, freeItem)).toBe(1);
    expect((await purchaseWhere({ id: purchaseId })).status).toBe('refunded');
    const paymentIntentId = await paymentIntentOf(created.id);
    const intent = await t.stripe.paymentIntents.retrieve(paymentIntentId, {
      expand: ['latest_charge'],
    });
    const price = (await purchaseWhere({ id: purchaseId })).amount;
    expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(price);
    const after = await refund().expect(200);
    expect(after.body).toMatchObject({ id: first.body.id, status: 'succeeded' });
  });

  it('lets neither support nor another organisation refund', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const purchaseId = (await purchaseWhere({ checkoutSessionId: created.id })).id;
    const support = await signIn(t.app, 'support@acme.example');
    await support.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', support.csrfToken)
      .expect(403);
    const globex = await signIn(t.app, 'admin@globex.example');
    await globex.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', globex.csrfToken)
      .expect(404);
    await globex.agent.get(`/api/checkout-sessions/${created.id}`).expect(404);
    expect(
      await count(t.db.selectFrom('refunds').select('id').where('purchaseId', '=', purchaseId)),
    ).toBe(0);
  });
});

describe('refunds, as the review found them', () => {
  const purchaseOf = async (checkoutSessionId: string, deviceId: string, itemId: string) =>
    (await purchaseWhere({ checkoutSessionId, deviceId, itemId })).id;
  const statusOf = async (purchaseId: string) => (await purchaseWhere({ id: purchaseId })).status;

  it('settles only what Stripe refunded: a refund that failed at Stripe stays open', async () => {
    const chosen = freshBasket(2);
    const [first, second] = chosen.deviceIds as [string, string];
    const { body: created } = await create(body(chosen)).expect(201);
    await pay(created.stripeSessionId);
    pauseWebhooks();
    const a = await purchaseOf(created.id, first, chosen.paidItemId);
    const b = await purchaseOf(created.id, second, chosen.paidItemId);

    await admin.agent
      .post(`/api/purchases/${a}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    // B's request reached us but Stripe refused it (the state a failed call leaves behind).
    await t.db
      .insertInto('refunds')
      .values({
        id: 'rfd_failed_b',
        organisationId: 'org_acme',
        purchaseId: b,
        amount: 1,
        status: 'failed',
        createdAt: new Date().toISOString(),
      })
      .execute();
    await t.emulator.flushWebhooks();
    // Each event once, however many times the emulator tried to deliver it (webhooks are paused).
    const chargeEvents = await Promise.all(
      [
        ...new Set(
          t.emulator
            .deliveries()
            .filter((d) => d.type === 'charge.refunded')
            .map((d) => d.eventId),
        ),
      ].map((id) => t.stripe.events.retrieve(id)),
    );
    const forThisSession = chargeEvents.filter(
      (e) => (e.data.object as Stripe.Charge).metadata?.checkoutSessionId === created.id,
    );
    expect(forThisSession).toHaveLength(1);
    expect((await deliver(forThisSession[0]!)).status).toBe(200);

    expect(await statusOf(a)).toBe('refunded');
    expect(await statusOf(b)).toBe('active');
    expect(await activeEntitlements(second, chosen.paidItemId)).toBe(1);
    const failed = await t.db
      .selectFrom('refunds')
      .select('status')
      .where('id', '=', 'rfd_failed_b')
      .executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
  });

  it('hands the entitlement to another paid purchase of the same device when one is refunded', async () => {
    const chosen = freshBasket(1);
    const device = chosen.deviceIds[0]!;
    const request = { ...body(chosen), itemIds: [chosen.paidItemId] };
    const { body: one } = await create(request).expect(201);
    await pay(one.stripeSessionId);
    // A second paid purchase without an entitlement and without a refund: what fulfillment left
    // when two sessions were paid before duplicates were refused and refunded automatically.
    const now = new Date().toISOString();
    const paid = await t.db
      .selectFrom('checkoutSessions')
      .selectAll()
      .where('id', '=', one.id)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('checkoutSessions')
      .values({
        ...paid,
        id: 'chk_legacy_duplicate',
        status: 'complete',
        paymentStatus: 'paid',
        idempotencyKey: 'legacy-duplicate',
        stripeSessionId: null,
        stripePaymentIntentId: null,
        checkoutUrl: null,
        createdAt: now,
        fulfilledAt: now,
      })
      .execute();
    const [bought] = await t.db
      .selectFrom('purchases')
      .selectAll()
      .where('checkoutSessionId', '=', one.id)
      .execute();
    await createPurchasesRepo(t.database).insertPurchases([
      {
        ...bought!,
        id: 'pur_legacy_duplicate',
        checkoutSessionId: 'chk_legacy_duplicate',
        status: 'active',
        createdAt: now,
        refundedAt: null,
      },
    ]);
    const two = { id: 'chk_legacy_duplicate' };
    expect(await activeEntitlements(device, chosen.paidItemId)).toBe(1);

    const firstPurchase = await purchaseOf(one.id, device, chosen.paidItemId);
    await admin.agent
      .post(`/api/purchases/${firstPurchase}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    await t.emulator.flushWebhooks();
    expect(await statusOf(firstPurchase)).toBe('refunded');
    expect(await activeEntitlements(device, chosen.paidItemId)).toBe(1);
    const holder = await t.db
      .selectFrom('entitlements')
      .select('purchaseId')
      .where('deviceId', '=', device)
      .where('itemId', '=', chosen.paidItemId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    expect(holder.purchaseId).toBe(await purchaseOf(two.id, device, chosen.paidItemId));
  });

  it('refunds the connected account its transfer and the platform its fee', async () => {
    const { body: created } = await create(body(freshBasket())).expect(201);
    await pay(created.stripeSessionId);
    const { id: purchaseId } = await t.db
      .selectFrom('purchases')
      .select('id')
      .where('checkoutSessionId', '=', created.id)
      .where('amount', '>', 0)
      .executeTakeFirstOrThrow();
    const res = await admin.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(res.body.status).toBe('requested');
    const { stripeRefundId } = await t.db
      .selectFrom('refunds')
      .select('stripeRefundId')
      .where('purchaseId', '=', purchaseId)
      .executeTakeFirstOrThrow();
    const refund = await t.stripe.refunds.retrieve(stripeRefundId!);
    expect(refund.metadata).toMatchObject({ purchaseId, checkoutSessionId: created.id });
  });
});

describe('cancelling while Stripe is unreachable', () => {
  it('answers 502 and leaves the session open rather than calling a payable page cancelled', async () => {
    const isolated = await createTestApp();
    try {
      const who = await signIn(isolated.app, 'admin@acme.example');
      const { body: created } = await who.agent
        .post('/api/checkout-sessions')
        .set('X-CSRF-Token', who.csrfToken)
        .set('Idempotency-Key', 'unreachable-cancel-1')
        .send({
          instanceId: 'mkt_eu',
          itemIds: ['item_motion_ai'],
          deviceIds: ['ACM-CC3-0001'],
          mode: 'test',
        })
        .expect(201);
      await isolated.emulator.close();
      const res = await who.agent
        .post(`/api/checkout-sessions/${created.id}/cancel`)
        .set('X-CSRF-Token', who.csrfToken)
        .expect(502);
      expect(res.body.error.code).toBe('STRIPE_UNAVAILABLE');
      expect(res.body.error.message).not.toMatch(/sk_test|ECONNREFUSED/);
      const { status } = await isolated.db
        .selectFrom('checkoutSessions')
        .select('status')
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(status).toBe('open');
    } finally {
      await isolated.close();
    }
  });
});
