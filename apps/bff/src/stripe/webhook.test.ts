import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLED_STRIPE_EVENT_TYPES } from '@repo/schemas';
import { pino } from 'pino';
import type Stripe from 'stripe';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../testing/test-app';
import { STRIPE_API_VERSION } from './stripe-gateway';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
const logLines: { level: number; msg: string; [key: string]: unknown }[] = [];

// On PostgreSQL the first app of a test file also migrates and seeds the template database.
beforeAll(async () => {
  t = await createTestApp(
    {},
    {
      logger: pino(
        { level: 'info' },
        { write: (line: string) => void logLines.push(JSON.parse(line)) },
      ),
    },
  );
  admin = await signIn(t.app, 'admin@acme.example');
}, 60_000);
afterAll(() => t.close());

/** A device and a paid product it can run, fresh for each session. */
const baskets = [
  ...[12, 16, 20, 24, 36, 40].map((n) => ({
    deviceId: `ACM-TX1-${String(n).padStart(4, '0')}`,
    itemId: 'item_eco_scheduler',
  })),
  ...Array.from({ length: 10 }, (_, i) => ({
    deviceId: `ACM-MM2-${String(3 + 4 * i).padStart(4, '0')}`,
    itemId: 'item_tariff_sync',
  })),
];

function createSession() {
  const { deviceId, itemId } = baskets.shift()!;
  return admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', `webhook-test-${++keyCounter}`)
    .send({ instanceId: 'mkt_eu', itemIds: [itemId], deviceIds: [deviceId], mode: 'test' })
    .expect(201);
}
let keyCounter = 0;
let eventCounter = 0;

/** One of our sessions, open at Stripe, and Stripe's session object for it once paid. */
async function paidSessionObject() {
  const { body: created } = await createSession();
  const open = await t.stripe.checkout.sessions.retrieve(created.stripeSessionId);
  const paid = { ...open, status: 'complete', payment_status: 'paid' } as Stripe.Checkout.Session;
  return { id: created.id as string, paid };
}

function eventOf(type: string, object: unknown, overrides: Record<string, unknown> = {}) {
  return {
    id: `evt_webhook_test_${++eventCounter}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...overrides,
  };
}

/** Sends a payload signed with the real scheme, as Stripe would. */
function send(payload: unknown) {
  const body = JSON.stringify(payload);
  return fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Stripe-Signature': t.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: TEST_WEBHOOK_SECRET,
      }),
    },
    body,
  });
}

const recorded = (id: string) =>
  t.db
    .selectFrom('webhookEvents')
    .select(['outcome', 'error'])
    .where('id', '=', id)
    .executeTakeFirst();

async function sessionView(id: string) {
  return (await admin.agent.get(`/api/checkout-sessions/${id}`).expect(200)).body;
}

describe('a signed but malformed event', () => {
  const cases: [string, (paid: Stripe.Checkout.Session) => Record<string, unknown>, string][] = [
    ['has no data.object', () => ({ data: {} }), 'data.object'],
    ['has a null data.object', () => ({ data: { object: null } }), 'data.object'],
    [
      'has metadata that is a number',
      (paid) => ({ data: { object: { ...paid, metadata: 42 } } }),
      'data.object.metadata',
    ],
    [
      'has an unknown payment_status',
      (paid) => ({ data: { object: { ...paid, payment_status: 'sort_of' } } }),
      'data.object.payment_status',
    ],
    [
      'has an unknown status',
      (paid) => ({ data: { object: { ...paid, status: 'finished' } } }),
      'data.object.status',
    ],
    [
      'has a session id that is not a string',
      (paid) => ({ data: { object: { ...paid, id: 7 } } }),
      'data.object.id',
    ],
    [
      'carries another kind of object',
      (paid) => ({ data: { object: { ...paid, object: 'charge' } } }),
      'data.object.object',
    ],
  ];

  it.each(cases)(
    'answers 400 when it %s, records it as rejected with the reason, and changes nothing else',
    async (_name, malform, path) => {
      const { id, paid } = await paidSessionObject();
      const event = eventOf('checkout.session.completed', paid, malform(paid));
      const res = await send(event);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as {
        error: { code: string; requestId: string; details: { path: string }[] };
      };
      expect(error.code).toBe('WEBHOOK_EVENT_INVALID');
      expect(error.requestId).toBeTruthy();
      expect(error.details.map((d) => d.path)).toContain(path);
      expect(await recorded(event.id)).toMatchObject({ outcome: 'rejected' });
      expect((await recorded(event.id))!.error).toContain(path);

      const session = await sessionView(id);
      expect(session).toMatchObject({ status: 'open', phase: 'open', fulfilled: false });
      expect(session.attempts.map((a: { kind: string }) => a.kind)).toEqual(['created']);
    },
  );

  it('answers 400 for a charge.refunded whose amounts are not numbers', async () => {
    const event = eventOf('charge.refunded', {
      object: 'charge',
      id: 'ch_malformed',
      amount: 1499,
      amount_refunded: '1499',
      payment_intent: 'pi_malformed',
      metadata: {},
    });
    const res = await send(event);
    expect(res.status).toBe(400);
    expect(await recorded(event.id)).toMatchObject({ outcome: 'rejected' });
    expect((await recorded(event.id))!.error).toContain('data.object.amount_refunded');
  });

  it('answers 400 for an event without an id, and keeps a record of it', async () => {
    const { id: _id, ...event } = eventOf('checkout.session.completed', {});
    const res = await send(event);
    expect(res.status).toBe(400);
    const rejected = await t.db
      .selectFrom('webhookEvents')
      .select('id')
      .where('id', 'like', 'unidentified_%')
      .execute();
    expect(rejected).toHaveLength(1);
  });

  it('processes the same event once it comes again put right', async () => {
    const { id, paid } = await paidSessionObject();
    const broken = eventOf('checkout.session.completed', { ...paid, metadata: 42 });
    expect((await send(broken)).status).toBe(400);
    const fixed = { ...broken, data: { object: paid } };
    const res = await send(fixed);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: false, outcome: 'fulfilled' });
    expect(await recorded(broken.id)).toEqual({ outcome: 'fulfilled', error: null });
    expect((await sessionView(id)).phase).toBe('active');
    // And a refusal never overwrites what was processed.
    expect((await send(broken)).status).toBe(400);
    expect(await recorded(broken.id)).toEqual({ outcome: 'fulfilled', error: null });
  });

  it('acknowledges an event type it does not handle without reading its object', async () => {
    const res = await send(eventOf('customer.created', { object: 'customer', id: 'cus_1' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'ignored: customer.created is not handled' });
  });
});

describe('the API version of an event', () => {
  it('refuses an event in another API version with 400, records it, logs both versions, changes nothing', async () => {
    const { id, paid } = await paidSessionObject();
    const event = eventOf('checkout.session.completed', paid, { api_version: '2020-08-27' });
    logLines.length = 0;
    const res = await send(event);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('WEBHOOK_API_VERSION_MISMATCH');
    expect(error.message).toContain('2020-08-27');
    expect(error.message).toContain(STRIPE_API_VERSION);
    expect(await recorded(event.id)).toMatchObject({ outcome: 'rejected' });
    expect((await recorded(event.id))!.error).toContain('2020-08-27');

    const line = logLines.find((l) => l.level === 50 && l.eventId === event.id);
    expect(line?.msg).toContain('2020-08-27');
    expect(line?.msg).toContain(STRIPE_API_VERSION);
    expect(line).toMatchObject({ received: '2020-08-27', pinned: STRIPE_API_VERSION });

    const session = await sessionView(id);
    expect(session).toMatchObject({ phase: 'open', fulfilled: false });
  });

  it('refuses an event with no API version', async () => {
    const { paid } = await paidSessionObject();
    const event = eventOf('checkout.session.completed', paid, { api_version: null });
    const res = await send(event);
    expect(res.status).toBe(400);
    expect(await recorded(event.id)).toMatchObject({ outcome: 'rejected' });
  });

  it('accepts what the emulator sends: it renders events in the pinned version', async () => {
    const { body: created } = await createSession();
    await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const eventIds = [...new Set(t.emulator.deliveries().map((d) => d.eventId))];
    const events = await Promise.all(eventIds.map((eventId) => t.stripe.events.retrieve(eventId)));
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.api_version).toBe(STRIPE_API_VERSION);
      expect((await recorded(event.id))?.outcome).not.toBe('rejected');
    }
    expect((await sessionView(created.id)).phase).toBe('active');
  });

  it('is the version the README tells operators to set, with every event the route handles', () => {
    const readme = fs.readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const setup = readme.slice(readme.indexOf('### Setting up the webhook endpoints at Stripe'));
    expect(setup).toContain(`\`${STRIPE_API_VERSION}\``);
    for (const type of HANDLED_STRIPE_EVENT_TYPES) expect(setup).toContain(`\`${type}\``);
  });
});
