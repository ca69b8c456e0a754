import { parse } from 'csv-parse/sync';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage, CreatedApiKey } from '@repo/schemas';
import { createApiKey } from '../../testing/storefront';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';

type Client = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let admin: Client;
let globex: Client;
let key: CreatedApiKey;
/** What the history below left, for the tests to find. */
const made = {
  dashboardCheckout: '',
  keyCheckout: '',
  linkCheckout: '',
  paymentLinkId: '',
  refundedPurchase: '',
  /** Between the first sign-in and everything after it. */
  afterSignIn: '',
};

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

async function paymentIntentOf(checkoutSessionId: string): Promise<string> {
  const row = await t.db
    .selectFrom('checkoutSessions')
    .select('stripePaymentIntentId')
    .where('id', '=', checkoutSessionId)
    .executeTakeFirstOrThrow();
  return row.stripePaymentIntentId!;
}

/**
 * An organisation's day, by every kind of actor: an admin signs in and buys, Stripe confirms the
 * payment, a refund is made at Stripe, a shop's server buys with an API key, a customer pays
 * through a payment link.
 */
async function writeHistory() {
  admin = await signIn(t.app, 'admin@acme.example');
  await pause();
  made.afterSignIn = new Date().toISOString();
  await pause();

  const checkout = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', 'audit-dashboard')
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_motion_ai'],
      deviceIds: ['ACM-CC3-0001'],
      mode: 'test',
    })
    .expect(201);
  made.dashboardCheckout = checkout.body.id;
  await t.emulator.completeSession(checkout.body.stripeSessionId, 'succeeded');
  await t.emulator.flushWebhooks();
  // Refunded from Stripe's side (its dashboard, say): charge.refunded arrives unasked.
  await t.stripe.refunds.create({ payment_intent: await paymentIntentOf(made.dashboardCheckout) });
  await t.emulator.flushWebhooks();
  made.refundedPurchase = (
    await t.db
      .selectFrom('purchases')
      .select('id')
      .where('checkoutSessionId', '=', made.dashboardCheckout)
      .executeTakeFirstOrThrow()
  ).id;

  key = await createApiKey(admin, { name: '=HYPERLINK("http://evil.example")' });
  const viaKey = await supertest(t.app)
    .post('/api/v1/checkout-sessions')
    .set('Authorization', `Bearer ${key.secret}`)
    .set('Idempotency-Key', 'audit-key')
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_fleet_diagnostics'],
      deviceIds: ['ACM-GW3-0002'],
      successUrl: 'https://shop.example.com/thanks',
      cancelUrl: 'https://shop.example.com/basket',
    })
    .expect(201);
  made.keyCheckout = viaKey.body.id;

  const link = await admin.agent
    .post('/api/payment-links')
    .set('X-CSRF-Token', admin.csrfToken)
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_vpn_pro'],
      deviceIds: ['ACM-GW3-0006'],
      mode: 'test',
      expiresInDays: 7,
    })
    .expect(201);
  made.paymentLinkId = link.body.id;
  const path = new URL(link.body.url).pathname;
  await supertest(t.app).get(path).expect(200);
  await supertest(t.app).post(path).expect(303);
  made.linkCheckout = (
    await t.db
      .selectFrom('checkoutSessions')
      .select('id')
      .where('paymentLinkId', '=', made.paymentLinkId)
      .executeTakeFirstOrThrow()
  ).id;
}

beforeAll(async () => {
  t = await createTestApp();
  await writeHistory();
  globex = await signIn(t.app, 'admin@globex.example');
});
afterAll(() => t.close());

const list = async (query: string, client: Client = admin): Promise<AuditPage> =>
  (await client.agent.get(`/api/audit${query}`).expect(200)).body;

/** Every entry a filter matches, page by page. */
async function all(query: string, limit = 100): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '?';
    const page: AuditPage = await list(
      `${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

describe(`GET /api/audit (${TEST_DIALECT})`, () => {
  it('lists who did what to which object, newest first, each actor as it was', async () => {
    const { items, total } = await list('?limit=100');
    expect(total).toBe(items.length);
    const order = items.map((e) => [e.createdAt, e.id] as const);
    expect(order).toEqual([...order].sort(([a, i], [b, j]) => (a === b ? j - i : a < b ? 1 : -1)));
    const find = (action: string, objectId: string) =>
      items.find((e) => e.action === action && e.objectId === objectId);

    expect(find('auth.login', 'usr_acme_admin')?.actor).toEqual({
      type: 'user',
      userId: 'usr_acme_admin',
      email: 'admin@acme.example',
    });
    expect(find('checkout.create', made.dashboardCheckout)).toMatchObject({
      actor: { type: 'user', email: 'admin@acme.example' },
      objectType: 'checkout_session',
      details: { mode: 'test', itemIds: ['item_motion_ai'], devices: 1 },
      requestId: expect.any(String),
    });
    // Stripe's confirmation and a refund made at Stripe are the marketplace's doing.
    expect(find('checkout.fulfill', made.dashboardCheckout)).toMatchObject({
      actor: { type: 'system' },
      details: { purchases: 1, duplicates: 0, paymentStatus: 'paid' },
    });
    expect(find('purchase.refund', made.refundedPurchase)).toMatchObject({
      actor: { type: 'system' },
      details: { amount: 2999, madeAtStripe: true },
    });
    expect(find('checkout.create', made.keyCheckout)?.actor).toEqual({
      type: 'api_key',
      apiKeyId: key.id,
      name: key.name,
      prefix: key.prefix,
    });
    // A free basket bought with a key is fulfilled at once, by the marketplace.
    expect(find('checkout.fulfill', made.keyCheckout)?.actor).toEqual({ type: 'system' });
    expect(find('checkout.create', made.linkCheckout)?.actor).toEqual({
      type: 'payment_link',
      paymentLinkId: made.paymentLinkId,
    });
    expect(find('payment_link.create', made.paymentLinkId)?.actor).toMatchObject({
      type: 'user',
    });
  });

  it('filters by who acted: an email in any case, a user, a key, a link, or the system', async () => {
    const everything = await all('');
    const actedBy = (type: string) => everything.filter((e) => e.actor.type === type);

    const byEmail = await all('?actor=Admin%40ACME.example');
    expect(byEmail.length).toBeGreaterThan(0);
    expect(byEmail).toEqual(actedBy('user'));
    expect(await all('?actor=usr_acme_admin')).toEqual(byEmail);
    expect(await all(`?actor=${key.id}`)).toEqual(actedBy('api_key'));
    expect(await all(`?actor=${made.paymentLinkId}`)).toEqual(actedBy('payment_link'));
    const system = await all('?actor=system');
    expect(system).toEqual(actedBy('system'));
    expect(system.map((e) => e.action).sort()).toEqual([
      'checkout.fulfill',
      'checkout.fulfill',
      'purchase.refund',
    ]);
    // Half an email, someone else's, or text that names nobody: an empty log, not an error.
    for (const nobody of ['admin%40acme', 'support%40acme.example', 'someone', 'usr_nobody'])
      expect(await list(`?actor=${nobody}`)).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  it('filters by action, object and time, and every combination of them', async () => {
    const everything = await all('');
    const refunds = await all('?action=purchase.refund');
    expect(refunds).toEqual(everything.filter((e) => e.action === 'purchase.refund'));
    const sessions = await all('?objectType=checkout_session');
    expect(sessions).toEqual(everything.filter((e) => e.objectType === 'checkout_session'));
    const one = await all(`?objectId=${made.dashboardCheckout}`);
    expect(one.map((e) => e.action)).toEqual(['checkout.fulfill', 'checkout.create']);
    expect(
      await all(`?objectId=${made.dashboardCheckout}&action=checkout.create&actor=system`),
    ).toEqual([]);

    const since = await all(`?from=${encodeURIComponent(made.afterSignIn)}`);
    expect(since).toEqual(everything.filter((e) => e.createdAt >= made.afterSignIn));
    expect(since.some((e) => e.action === 'auth.login')).toBe(false);
    const before = await all(`?to=${encodeURIComponent(made.afterSignIn)}`);
    expect(before.map((e) => e.action)).toEqual(['auth.login']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await all(`?from=${today}&to=${today}`)).toEqual(everything);
    expect(await all('?to=2020-01-01')).toEqual([]);
  });

  it('pages newest first without skipping or repeating, keeping the first page’s total', async () => {
    const everything = await all('');
    expect(everything.length).toBeGreaterThan(4);
    const first = await list('?limit=2');
    expect(first.items).toEqual(everything.slice(0, 2));
    expect(first.total).toBe(everything.length);
    // An entry written meanwhile is newer than every later page: the pages and the total hold.
    await signIn(t.app, 'admin@acme.example');
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list(`?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(page.total).toBe(everything.length);
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(everything);
    expect((await list('?limit=2')).total).toBe(everything.length + 1);
  });

  it('is for admins only', async () => {
    for (const email of ['support@acme.example', 'operator@acme.example']) {
      const client = await signIn(t.app, email);
      const res = await client.agent.get('/api/audit').expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      await client.agent.get('/api/audit/export.csv').expect(403);
    }
    await supertest(t.app).get('/api/audit').expect(401);
    await supertest(t.app).get('/api/audit/export.csv').expect(401);
  });

  it('shows an organisation only its own log: another’s ids and people find nothing', async () => {
    const theirs = await all('');
    expect(theirs.length).toBeGreaterThan(0);
    const { items } = await list('?limit=100', globex);
    expect(items.map((e) => e.objectId)).not.toContain(made.dashboardCheckout);
    expect(
      items.every((e) => e.actor.type !== 'user' || e.actor.email.endsWith('@globex.example')),
    ).toBe(true);
    for (const filter of [
      `?objectId=${made.dashboardCheckout}`,
      '?actor=admin%40acme.example',
      '?actor=usr_acme_admin',
      `?actor=${key.id}`,
      '?actor=system',
    ])
      expect((await list(filter, globex)).items).toEqual([]);
  });

  it('refuses bad filters and cursors with 400 and says which', async () => {
    const cases: [string, string][] = [
      ['?actions=auth.login', '(root)'],
      ['?action=DROP%20TABLE', 'action'],
      ['?from=2026-11-02&to=2026-11-01', 'to'],
      ['?from=yesterday', 'from'],
      ['?limit=1000', 'limit'],
      ['?cursor=not-ours', 'cursor'],
    ];
    for (const [query, path] of cases) {
      const res = await admin.agent.get(`/api/audit${query}`).expect(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const csv = await admin.agent.get('/api/audit/export.csv?action=DROP%20TABLE').expect(400);
    expect(csv.body.error.code).toBe('VALIDATION_FAILED');
    expect(csv.headers['content-disposition']).toBeUndefined();
  });
});

describe(`GET /api/audit/export.csv (${TEST_DIALECT})`, () => {
  it('is the filtered log, entry for entry, as an attachment, formulas kept as text', async () => {
    const res = await admin.agent.get('/api/audit/export.csv?actor=system').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows: Record<string, string>[] = parse(res.text, { columns: true });
    const system = await all('?actor=system');
    expect(rows.map((r) => Number(r.entry_id))).toEqual(system.map((e) => e.id));
    expect(rows[0]).toMatchObject({
      actor_type: 'system',
      actor_id: '',
      actor: '',
      action: system[0]!.action,
      created_at: system[0]!.createdAt,
    });
    expect(JSON.parse(rows[0]!.details!)).toEqual(system[0]!.details);

    const byKey: Record<string, string>[] = parse(
      (await admin.agent.get(`/api/audit/export.csv?actor=${key.id}`).expect(200)).text,
      { columns: true },
    );
    expect(byKey).toHaveLength(1);
    // A spreadsheet would run the key's name as a formula: it is kept as text.
    expect(byKey[0]).toMatchObject({
      actor_type: 'api_key',
      actor_id: key.id,
      actor: `'${key.name}`,
      object_id: made.keyCheckout,
    });
  });
});
