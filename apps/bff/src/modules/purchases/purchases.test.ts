import http from 'node:http';
import { parse } from 'csv-parse/sync';
import type Stripe from 'stripe';
import supertest from 'supertest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateBoundToIso, type Purchase } from '@repo/schemas';
import { createPurchaseWriter, type PastSession } from '../../db/purchase-writer';
import { newId } from '../../ids';
import { signWebhookPayload } from '@repo/stripe-emulator';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';

type Client = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let support: Client;
let admin: Client;
let globex: Client;

const ACME_ITEMS = [
  { id: 'item_eco_scheduler', price: 1499, models: ['TX1'] },
  { id: 'item_energy_insights', price: 0, models: ['TX1', 'MM2'] },
  { id: 'item_motion_ai', price: 2999, models: ['CC3'] },
  { id: 'item_fleet_diagnostics', price: 0, models: ['TX1', 'CC3', 'GW3', 'MM2'] },
];
const ACME_DEVICES = [
  'ACM-TX1-0004',
  'ACM-TX1-0008',
  'ACM-TX1-0012',
  'ACM-CC3-0001',
  'ACM-CC3-0005',
  'ACM-MM2-0003',
  'ACM-GW3-0002',
];

/**
 * Past purchases of every kind, written as fulfillment would have: both modes, refunds, several
 * days, several purchases sharing one instant (a session's lines do), and some for globex.
 */
async function writeHistory() {
  const base = Date.parse('2026-03-01T00:00:00.000Z');
  const sessions: PastSession[] = [];
  for (let n = 0; n < 60; n += 1) {
    const devices = ACME_DEVICES.filter((_, i) => (i + n) % 3 === 0);
    const lines = devices.flatMap((deviceId) =>
      ACME_ITEMS.filter(
        (item, i) => item.models.includes(deviceId.slice(4, 7)) && (i + n) % 2 === 0,
      ).map((item) => ({
        deviceId,
        itemId: item.id,
        unitAmount: item.price,
        refundedAt:
          (n + deviceId.length) % 7 === 0
            ? new Date(base + n * 9 * 3_600_000 + 60_000).toISOString()
            : null,
      })),
    );
    if (lines.length === 0) continue;
    sessions.push({
      organisationId: 'org_acme',
      instanceId: 'mkt_eu',
      mode: n % 3 === 0 ? 'live' : 'test',
      // Nine hours apart: several sessions per UTC day, and days with none.
      createdAt: new Date(base + n * 9 * 3_600_000).toISOString(),
      createdBy: 'usr_acme_admin',
      currency: 'eur',
      platformFeeBps: 500,
      lines,
    });
  }
  for (let n = 0; n < 10; n += 1) {
    sessions.push({
      organisationId: 'org_globex',
      instanceId: 'mkt_eu',
      mode: n % 2 ? 'live' : 'test',
      createdAt: new Date(base + n * 13 * 3_600_000).toISOString(),
      createdBy: 'usr_globex_admin',
      currency: 'eur',
      platformFeeBps: 0,
      lines: [
        { deviceId: 'GLX-TX1-0004', itemId: 'item_globex_heat_map', unitAmount: 800 },
        { deviceId: 'GLX-CC3-0001', itemId: 'item_globex_watch', unitAmount: 2200 },
      ],
    });
  }
  await createPurchaseWriter(t.database)(sessions);
}

beforeAll(async () => {
  t = await createTestApp();
  await writeHistory();
  [support, admin, globex] = await Promise.all([
    signIn(t.app, 'support@acme.example'),
    signIn(t.app, 'admin@acme.example'),
    signIn(t.app, 'support@globex.example'),
  ]);
  // The template database (made by the first test app of a process), a history and three
  // sign-ins: longer than a hook's default time on PostgreSQL and a busy machine.
}, 60_000);
afterAll(() => t.close());

type Filters = {
  deviceId?: string;
  deviceIdMatch?: 'exact' | 'prefix';
  itemId?: string;
  status?: 'active' | 'refunded';
  mode?: 'test' | 'live';
  from?: string;
  to?: string;
};

/** The answer worked out the plain way: every row of the organisation, filtered in JavaScript. */
async function expected(organisationId: string, f: Filters): Promise<string[]> {
  const rows = await t.db
    .selectFrom('purchases')
    .select(['id', 'deviceId', 'itemId', 'status', 'mode', 'createdAt'])
    .where('organisationId', '=', organisationId)
    .execute();
  const from = f.from && dateBoundToIso(f.from, 'start');
  const to = f.to && dateBoundToIso(f.to, 'end');
  return rows
    .filter(
      (p) =>
        (!f.deviceId ||
          (f.deviceIdMatch === 'prefix'
            ? p.deviceId.toLowerCase().startsWith(f.deviceId.toLowerCase())
            : p.deviceId.toLowerCase() === f.deviceId.toLowerCase())) &&
        (!f.itemId || p.itemId === f.itemId) &&
        (!f.status || p.status === f.status) &&
        (!f.mode || p.mode === f.mode) &&
        (!from || p.createdAt >= from) &&
        (!to || p.createdAt <= to),
    )
    .sort((a, b) =>
      a.createdAt === b.createdAt
        ? b.id.localeCompare(a.id)
        : b.createdAt.localeCompare(a.createdAt),
    )
    .map((p) => p.id);
}

/** Every page of a filter, following the cursors; checks the total on every page. */
async function listAll(client: Client, filters: Filters, limit = 100) {
  const items: Purchase[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  do {
    const res: supertest.Response = await client.agent
      .get('/api/purchases')
      .query({ ...filters, limit, ...(cursor ? { cursor } : {}) })
      .expect(200);
    items.push(...res.body.items);
    totals.push(res.body.total);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { items, totals };
}

async function exportCsv(client: Client, filters: Filters) {
  const res = await client.agent
    .get('/api/purchases/export.csv')
    .query(filters)
    .buffer(true)
    .parse((response, done) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => done(null, text));
    })
    .expect(200);
  return { res, rows: parse(res.body as string, { columns: true }) as Record<string, string>[] };
}

describe('GET /api/purchases', () => {
  it('needs a session', async () => {
    await supertest(t.app).get('/api/purchases').expect(401);
  });

  it('lists the organisation’s purchases newest first, with the total', async () => {
    const { items, totals } = await listAll(support, {}, 25);
    const all = await expected('org_acme', {});
    expect(all.length).toBeGreaterThan(100);
    expect(items.map((p) => p.id)).toEqual(all);
    expect(new Set(totals)).toEqual(new Set([all.length]));
    expect(items[0]).toMatchObject({
      itemName: expect.any(String),
      price: { amount: expect.any(Number), currency: 'eur' },
      checkoutSessionId: expect.stringMatching(/^chk_/),
    });
  });

  it('answers every filter and every combination of them exactly', async () => {
    const deviceFilters: Filters[] = [
      {},
      { deviceId: 'ACM-TX1-0004' },
      { deviceId: 'acm-tx1-0004' },
      { deviceId: 'ACM-TX1', deviceIdMatch: 'prefix' },
      { deviceId: 'acm-c', deviceIdMatch: 'prefix' },
    ];
    const itemFilters: Filters[] = [{}, { itemId: 'item_eco_scheduler' }];
    const statusFilters: Filters[] = [{}, { status: 'active' }, { status: 'refunded' }];
    const modeFilters: Filters[] = [{}, { mode: 'test' }, { mode: 'live' }];
    const dateFilters: Filters[] = [
      {},
      { from: '2026-03-05' },
      { to: '2026-03-10' },
      { from: '2026-03-04', to: '2026-03-04' },
      // Exact instants: the first bound on a session's own instant, the second inside a day.
      { from: '2026-03-03T03:00:00.000Z', to: '2026-03-12T10:30:00+02:00' },
    ];
    let checked = 0;
    let nonEmpty = 0;
    for (const d of deviceFilters)
      for (const i of itemFilters)
        for (const s of statusFilters)
          for (const m of modeFilters)
            for (const r of dateFilters) {
              const filters = { ...d, ...i, ...s, ...m, ...r };
              const want = await expected('org_acme', filters);
              const { items, totals } = await listAll(support, filters);
              expect(
                items.map((p) => p.id),
                JSON.stringify(filters),
              ).toEqual(want);
              expect(totals[0], JSON.stringify(filters)).toBe(want.length);
              checked += 1;
              if (want.length > 0) nonEmpty += 1;
            }
    expect(checked).toBe(450);
    // The data must make the combinations mean something, not answer "nothing" everywhere.
    expect(nonEmpty).toBeGreaterThan(250);
  });

  it('pages without skipping or repeating rows while new purchases arrive', async () => {
    const filters: Filters = { deviceId: 'ACM-', deviceIdMatch: 'prefix' };
    const before = await expected('org_acme', filters);
    const first = await support.agent.get('/api/purchases').query({ ...filters, limit: 7 });
    const seen: string[] = first.body.items.map((p: Purchase) => p.id);
    let cursor: string | null = first.body.nextCursor;
    const write = createPurchaseWriter(t.database);
    const last = first.body.items.at(-1) as Purchase;
    let arrived = 0;
    while (cursor) {
      // New purchases between pages: one now, one at the very instant the last page ended
      // (a tie on created_at that only the id can order), and one bought through the API.
      await write([
        {
          organisationId: 'org_acme',
          instanceId: 'mkt_eu',
          mode: 'test',
          createdAt: arrived % 2 ? new Date().toISOString() : last.createdAt,
          createdBy: 'usr_acme_admin',
          currency: 'eur',
          platformFeeBps: 500,
          lines: [{ deviceId: 'ACM-TX1-0016', itemId: 'item_fleet_diagnostics', unitAmount: 0 }],
        },
      ]);
      arrived += 1;
      const res: supertest.Response = await support.agent
        .get('/api/purchases')
        .query({ ...filters, limit: 7, cursor })
        .expect(200);
      seen.push(...res.body.items.map((p: Purchase) => p.id));
      expect(res.body.total).toBe(before.length);
      cursor = res.body.nextCursor;
    }
    expect(arrived).toBeGreaterThan(5);
    expect(new Set(seen).size).toBe(seen.length);
    // Every row there was at the start, in order; a purchase that arrived with the same instant
    // as a page's end may follow it, being older by id, but nothing is lost or shown twice.
    expect(seen.filter((id) => before.includes(id))).toEqual(before);
    const fresh = await support.agent.get('/api/purchases').query(filters).expect(200);
    expect(fresh.body.total).toBe(before.length + arrived);
  });

  it('refuses bad filters with 400 and says which', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ status: 'pending' }, 'status'],
      [{ mode: 'sandbox' }, 'mode'],
      [{ deviceId: 'ACM 0004' }, 'deviceId'],
      [{ deviceIdMatch: 'fuzzy', deviceId: 'ACM' }, 'deviceIdMatch'],
      [{ from: '2026-13-01' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '2026-03-05', to: '2026-03-04' }, 'to'],
      [{ limit: '500' }, 'limit'],
      [{ device: 'ACM-TX1-0004' }, '(root)'],
    ];
    for (const [query, path] of cases) {
      const res = await support.agent.get('/api/purchases').query(query).expect(400);
      expect(res.body.error.code, JSON.stringify(query)).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const cursor = await support.agent.get('/api/purchases?cursor=forged').expect(400);
    expect(cursor.body.error.code).toBe('INVALID_CURSOR');
  });

  it('keeps the total of the first page while paging, and counts again for another filter', async () => {
    const first = await support.agent.get('/api/purchases').query({ mode: 'live', limit: 5 });
    // The same cursor with another filter: the total is the other filter's, not the carried one.
    const other = await support.agent
      .get('/api/purchases')
      .query({ mode: 'test', limit: 5, cursor: first.body.nextCursor })
      .expect(200);
    expect(other.body.total).toBe((await expected('org_acme', { mode: 'test' })).length);
  });
});

describe('organisations never see each other’s purchases', () => {
  it('by list, by id and by export', async () => {
    const acmeIds = new Set(await expected('org_acme', {}));
    const globexList = await listAll(globex, {});
    expect(globexList.items.map((p) => p.id)).toEqual(await expected('org_globex', {}));
    expect(globexList.items.some((p) => acmeIds.has(p.id))).toBe(false);
    const searched = await globex.agent
      .get('/api/purchases')
      .query({ deviceId: 'ACM-TX1-0004' })
      .expect(200);
    expect(searched.body).toMatchObject({ items: [], total: 0 });

    const acmePurchase = [...acmeIds][0]!;
    const foreign = await globex.agent.get(`/api/purchases/${acmePurchase}`).expect(404);
    const unknown = await globex.agent.get(`/api/purchases/${newId('pur')}`).expect(404);
    expect(foreign.body.error.code).toBe(unknown.body.error.code);
    expect(foreign.body.error.message).toBe(unknown.body.error.message);

    const { rows } = await exportCsv(globex, {});
    expect(rows.map((r) => r.purchase_id)).toEqual(await expected('org_globex', {}));
    const targeted = await exportCsv(globex, { deviceId: 'ACM', deviceIdMatch: 'prefix' });
    expect(targeted.rows).toEqual([]);
  });
});

describe('GET /api/purchases/export.csv', () => {
  it('is the filtered list, row for row, as an attachment', async () => {
    for (const filters of [
      {},
      { deviceId: 'ACM-TX1', deviceIdMatch: 'prefix', status: 'active' },
      { mode: 'live', from: '2026-03-04', to: '2026-03-12' },
      { itemId: 'item_motion_ai', status: 'refunded' },
    ] satisfies Filters[]) {
      const { items } = await listAll(support, filters);
      const { res, rows } = await exportCsv(support, filters);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="purchases-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(rows).toEqual(
        items.map((p) => ({
          purchase_id: p.id,
          created_at: p.createdAt,
          device_id: p.deviceId,
          item_id: p.itemId,
          item_name: p.itemName,
          mode: p.mode,
          status: p.status,
          amount_minor_units: String(p.price.amount),
          currency: p.price.currency,
          refunded_at: p.refundedAt ?? '',
          checkout_session_id: p.checkoutSessionId,
        })),
      );
    }
  });

  it('escapes commas, quotes and line breaks, and keeps formulas as text', async () => {
    await renameItem('item_motion_ai', '=HYPERLINK("x"), "Pro"\nline');
    try {
      const { rows } = await exportCsv(support, { itemId: 'item_motion_ai' });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]!.item_name).toBe('\'=HYPERLINK("x"), "Pro"\nline');
    } finally {
      await renameItem('item_motion_ai', 'Motion AI');
    }
  });

  it('refuses bad filters before sending anything', async () => {
    const res = await support.agent.get('/api/purchases/export.csv?status=nope').expect(400);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

/** Buys through the Stripe emulator as a customer would, and waits for the webhook. */
async function buyAndPay(deviceIds: string[], itemIds: string[]) {
  const created = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', `purchases-test-${newId('key')}`)
    .send({ instanceId: 'mkt_eu', itemIds, deviceIds, mode: 'test' })
    .expect(201);
  await t.emulator.completeSession(created.body.stripeSessionId, 'succeeded');
  await t.emulator.flushWebhooks();
  const session = await admin.agent.get(`/api/checkout-sessions/${created.body.id}`).expect(200);
  return session.body as {
    id: string;
    stripeSessionId: string;
    purchases: { id: string; deviceId: string; itemId: string }[];
  };
}

async function renameItem(itemId: string, name: string) {
  await t.db.updateTable('marketplaceItems').set({ name }).where('id', '=', itemId).execute();
}

const refundsOf = async (purchaseId: string) =>
  (await t.db.selectFrom('refunds').select('id').where('purchaseId', '=', purchaseId).execute())
    .length;

const activeEntitlementsOf = async (purchaseId: string) =>
  (
    await t.db
      .selectFrom('entitlements')
      .select('id')
      .where('purchaseId', '=', purchaseId)
      .where('status', '=', 'active')
      .execute()
  ).length;

describe('GET /api/purchases/:id', () => {
  it('shows the device, item, fees, session with its attempts, Stripe ids, entitlement and installs', async () => {
    const session = await buyAndPay(
      ['ACM-TX1-0020'],
      ['item_eco_scheduler', 'item_energy_insights'],
    );
    const paid = session.purchases.find((p) => p.itemId === 'item_eco_scheduler')!;
    const res = await support.agent.get(`/api/purchases/${paid.id}`).expect(200);
    expect(res.body).toMatchObject({
      id: paid.id,
      deviceId: 'ACM-TX1-0020',
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      mode: 'test',
      status: 'active',
      refundedAt: null,
      device: { id: 'ACM-TX1-0020', model: 'thermo-x1', name: expect.any(String) },
      // A 5 % fee on €14.99 is 75 cents, all of it this purchase's: the other line is free.
      fees: {
        price: { amount: 1499, currency: 'eur' },
        platformFee: { amount: 75, currency: 'eur' },
        providerNet: { amount: 1424, currency: 'eur' },
      },
      checkoutSession: {
        id: session.id,
        status: 'complete',
        paymentStatus: 'paid',
        createdBy: 'admin@acme.example',
        amounts: { subtotal: 1499, platformFee: 75, total: 1499 },
        amountRefunded: 0,
      },
      stripe: {
        checkoutSessionId: session.stripeSessionId,
        paymentIntentId: expect.stringMatching(/^pi_/),
        refundId: null,
      },
      entitlement: { status: 'active', mode: 'test', revokedAt: null },
      refund: null,
      installs: [],
    });
    expect(res.body.checkoutSession.attempts.map((a: { kind: string }) => a.kind)).toEqual([
      'created',
      'paid',
      'fulfilled',
    ]);

    // Install jobs belong to their own module; what one leaves behind shows here, newest first.
    const { id: entitlementId } = await t.db
      .selectFrom('entitlements')
      .select('id')
      .where('purchaseId', '=', paid.id)
      .executeTakeFirstOrThrow();
    const job = {
      organisationId: 'org_acme',
      deviceId: 'ACM-TX1-0020',
      itemId: 'item_eco_scheduler',
      releaseId: 'rel_eco_scheduler_1_0_0',
      entitlementId,
      createdBy: 'usr_acme_operator',
    };
    await t.db
      .insertInto('installJobs')
      .values([
        {
          ...job,
          id: 'job_first',
          status: 'failed',
          attempt: 1,
          retryOf: null,
          progress: 40,
          reason: 'Download interrupted',
          createdAt: '2026-11-01T10:00:00.000Z',
          updatedAt: '2026-11-01T10:05:00.000Z',
          finishedAt: '2026-11-01T10:05:00.000Z',
        },
        {
          ...job,
          id: 'job_retry',
          status: 'queued',
          attempt: 2,
          retryOf: 'job_first',
          progress: null,
          reason: null,
          createdAt: '2026-11-01T11:00:00.000Z',
          updatedAt: '2026-11-01T11:00:00.000Z',
          finishedAt: null,
        },
      ])
      .execute();
    const withInstalls = await support.agent.get(`/api/purchases/${paid.id}`).expect(200);
    expect(withInstalls.body.installs).toEqual([
      expect.objectContaining({
        id: 'job_retry',
        status: 'queued',
        attempt: 2,
        retryOf: 'job_first',
        version: '1.0.0',
        itemName: 'Eco Scheduler',
      }),
      expect.objectContaining({
        id: 'job_first',
        status: 'failed',
        reason: 'Download interrupted',
        progress: 40,
      }),
    ]);
  });

  it('answers 400 for what cannot be a purchase id and 404 for an unknown one', async () => {
    const bad = await support.agent.get('/api/purchases/pur_nope').expect(400);
    expect(bad.body.error.details[0].path).toBe('id');
    await support.agent.get(`/api/purchases/${newId('pur')}`).expect(404);
  });
});

describe('POST /api/purchases/:id/refund', () => {
  it('is for admins only: support and operators can read the purchase but not refund it', async () => {
    const session = await buyAndPay(['ACM-CC3-0009'], ['item_motion_ai']);
    const purchaseId = session.purchases[0]!.id;
    const operator = await signIn(t.app, 'operator@acme.example');
    for (const who of [support, operator]) {
      await who.agent.get(`/api/purchases/${purchaseId}`).expect(200);
      const res = await who.agent
        .post(`/api/purchases/${purchaseId}/refund`)
        .set('X-CSRF-Token', who.csrfToken)
        .set('Idempotency-Key', 'not-allowed-1')
        .expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const otherOrg = await signIn(t.app, 'admin@globex.example');
    await otherOrg.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', otherOrg.csrfToken)
      .expect(404);
    expect(await refundsOf(purchaseId)).toBe(0);
    expect(await activeEntitlementsOf(purchaseId)).toBe(1);
  });

  it('refunds twice only once, through Stripe, and revokes the entitlement once', async () => {
    const session = await buyAndPay(['ACM-TX1-0024'], ['item_eco_scheduler']);
    const purchaseId = session.purchases[0]!.id;
    const refundedTotal = async () =>
      (await support.agent.get('/api/purchases?status=refunded&mode=test').expect(200)).body.total;
    const refundedBefore = await refundedTotal();
    const refund = (key: string) =>
      admin.agent
        .post(`/api/purchases/${purchaseId}/refund`)
        .set('X-CSRF-Token', admin.csrfToken)
        .set('Idempotency-Key', key);

    // A double click (same key, at once), then a second attempt with its own key.
    const [first, second] = await Promise.all([refund('attempt-one-1'), refund('attempt-one-1')]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await refund('attempt-two-2').expect(200);
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
    await t.emulator.flushWebhooks();

    expect(
      await t.db
        .selectFrom('refunds')
        .select('stripeIdempotencyKey')
        .where('purchaseId', '=', purchaseId)
        .execute(),
    ).toEqual([{ stripeIdempotencyKey: `refund-${first.body.id}-attempt-one-1` }]);
    const detail = await support.agent.get(`/api/purchases/${purchaseId}`).expect(200);
    expect(detail.body).toMatchObject({
      status: 'refunded',
      refundedAt: expect.any(String),
      entitlement: { status: 'revoked', revokedAt: expect.any(String) },
      refund: { status: 'succeeded', amount: { amount: 1499, currency: 'eur' } },
      stripe: { refundId: expect.stringMatching(/^re_/) },
      checkoutSession: { amountRefunded: 1499 },
    });
    // The counts behind broad totals followed the purchase's change of status.
    expect(await refundedTotal()).toBe(refundedBefore + 1);
    expect(refundedBefore + 1).toBe(
      (await expected('org_acme', { status: 'refunded', mode: 'test' })).length,
    );
    // Stripe itself refunded the price once, not twice.
    const intent = await t.stripe.paymentIntents.retrieve(detail.body.stripe.paymentIntentId, {
      expand: ['latest_charge'],
    });
    expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(1499);
    const stripeRefund = await t.stripe.refunds.retrieve(detail.body.stripe.refundId);
    expect(stripeRefund).toMatchObject({ amount: 1499, metadata: { purchaseId } });

    // Stripe sends charge.refunded again (or late): nothing more happens.
    const refundedEvents = t.emulator.deliveries().filter((d) => d.type === 'charge.refunded');
    expect(refundedEvents.length).toBeGreaterThan(0);
    const event = await t.stripe.events.retrieve(refundedEvents.at(-1)!.eventId);
    const payload = JSON.stringify(event);
    const replay = await send('/api/webhooks/stripe/test', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': signWebhookPayload(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
    await readAll(replay.res);
    expect(replay.res.statusCode).toBeLessThan(300);
    const refundedAttempts = await t.db
      .selectFrom('checkoutAttempts')
      .select('id')
      .where('checkoutSessionId', '=', session.id)
      .where('kind', '=', 'refunded')
      .execute();
    expect(refundedAttempts).toHaveLength(1);
    const again = await refund('attempt-three-3').expect(200);
    expect(again.body).toMatchObject({ id: first.body.id, status: 'succeeded' });
  });

  it('refuses a malformed Idempotency-Key and changes nothing', async () => {
    const session = await buyAndPay(['ACM-TX1-0028'], ['item_eco_scheduler']);
    const purchaseId = session.purchases[0]!.id;
    const res = await admin.agent
      .post(`/api/purchases/${purchaseId}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Idempotency-Key', 'bad key!')
      .expect(400);
    expect(res.body.error.details[0].path).toBe('Idempotency-Key');
    expect(await refundsOf(purchaseId)).toBe(0);
  });
});

describe('a large export', () => {
  it('streams at the pace of the client while the API keeps answering and writing', async () => {
    await createPurchaseWriter(t.database)(
      Array.from({ length: 4000 }, (_, n) => ({
        organisationId: 'org_globex',
        instanceId: 'mkt_eu',
        mode: 'test' as const,
        createdAt: new Date(Date.parse('2025-01-01T00:00:00Z') + n * 60_000).toISOString(),
        createdBy: 'usr_globex_admin',
        currency: 'eur',
        platformFeeBps: 0,
        lines: ['GLX-TX1-0004', 'GLX-TX1-0008', 'GLX-TX1-0012', 'GLX-TX1-0016', 'GLX-TX1-0020'].map(
          (deviceId) => ({ deviceId, itemId: 'item_globex_free_logs', unitAmount: 0 }),
        ),
      })),
    );
    // About 25 MB of CSV: more than the kernel's socket buffers and the client's queue hold.
    await renameItem('item_globex_free_logs', `Log Shipper ${'x'.repeat(1200)}`);
    const cookie = await signInOverHttp('support@globex.example');
    const { res } = await send('/api/purchases/export.csv', { headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const firstChunk = await firstChunkOf(res);
    expect(firstChunk.toString('utf8')).toMatch(/^purchase_id,created_at,/);
    // The export now waits for this client, with its statement open.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await globex.agent.get('/api/purchases?limit=1').expect(200);
    await buyAndPay(['ACM-TX1-0032'], ['item_energy_insights', 'item_eco_scheduler']);
    // It was waiting, not done: most of the file was still to come.
    let rest = 0;
    for await (const chunk of res) rest += (chunk as Buffer).length;
    expect(rest).toBeGreaterThan(10_000_000);

    const whole = await exportCsv(globex, {});
    expect(whole.rows).toHaveLength((await expected('org_globex', {})).length);
  });

  it('pages a device prefix that matches thousands of rows along the time index, exactly', async () => {
    const filters: Filters = { deviceId: 'glx-tx1-00', deviceIdMatch: 'prefix', mode: 'test' };
    const want = await expected('org_globex', filters);
    expect(want.length).toBeGreaterThan(2000);
    const { items, totals } = await listAll(globex, filters);
    expect(items.map((p) => p.id)).toEqual(want);
    expect(new Set(totals)).toEqual(new Set([want.length]));
  });

  it.runIf(TEST_DIALECT === 'sqlite')(
    'stops reading and lets go of its snapshot when the client leaves',
    async () => {
      const cookie = await signInOverHttp('support@globex.example');
      const { req, res } = await send('/api/purchases/export.csv', { headers: { cookie } });
      await firstChunkOf(res);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // While the export reads its snapshot, what is written after it cannot be checkpointed.
      await t.db
        .insertInto('settings')
        .values({ key: 'probe', value: '1' })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: '1' }))
        .execute();
      expect(await walFullyCheckpointed()).toBe(false);
      req.destroy();
      await expect.poll(() => walFullyCheckpointed()).toBe(true);
      await globex.agent.get('/api/purchases?limit=1').expect(200);
    },
  );

  it.runIf(TEST_DIALECT === 'postgres')(
    'stops reading and gives back its connection and snapshot when the client leaves',
    async () => {
      const cookie = await signInOverHttp('support@globex.example');
      const { req, res } = await send('/api/purchases/export.csv', { headers: { cookie } });
      await firstChunkOf(res);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The export's cursor is open on a connection of the pool, holding its snapshot.
      expect(await exportReaders()).toBe(1);
      req.destroy();
      await expect.poll(() => exportReaders()).toBe(0);
      await globex.agent.get('/api/purchases?limit=1').expect(200);
    },
  );
});

describe('the per-day counts behind broad totals', () => {
  it('match the purchases they count, after past purchases, checkouts and refunds', async () => {
    // Everything above wrote purchases by every path: the writer, fulfillment, refunds.
    const purchases = await t.db
      .selectFrom('purchases')
      .select(['organisationId', 'createdAt', 'mode', 'status', 'itemId'])
      .execute();
    const counted = new Map<string, number>();
    for (const p of purchases) {
      const key = [p.organisationId, p.createdAt.slice(0, 10), p.mode, p.status, p.itemId].join();
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
    const kept = await t.db
      .selectFrom('purchaseCounts')
      .select(['organisationId', 'day', 'mode', 'status', 'itemId', 'count'])
      .where('count', '>', 0)
      .execute();
    expect(
      new Map(
        kept.map((c) => [[c.organisationId, c.day, c.mode, c.status, c.itemId].join(), c.count]),
      ),
    ).toEqual(counted);
    expect(purchases.some((p) => p.status === 'refunded')).toBe(true);
  });

  it('and the per-day sales totals match them too: purchases on their day, refunds on theirs', async () => {
    // One more, refunded three days after it was bought.
    await createPurchaseWriter(t.database)([
      {
        organisationId: 'org_acme',
        instanceId: 'mkt_eu',
        mode: 'live',
        createdAt: '2026-02-10T23:30:00.000Z',
        createdBy: 'usr_acme_admin',
        currency: 'eur',
        platformFeeBps: 500,
        lines: [
          {
            deviceId: 'ACM-CC3-0001',
            itemId: 'item_motion_ai',
            unitAmount: 2999,
            refundedAt: '2026-02-13T08:00:00.000Z',
          },
        ],
      },
    ]);
    const purchases = await t.db
      .selectFrom('purchases')
      .select([
        'organisationId',
        'createdAt',
        'refundedAt',
        'status',
        'mode',
        'itemId',
        'currency',
        'amount',
      ])
      .execute();
    type Sales = {
      purchases: number;
      grossAmount: number;
      refunds: number;
      refundedAmount: number;
    };
    const expected = new Map<string, Sales>();
    const add = (p: (typeof purchases)[number], instant: string, change: Partial<Sales>) => {
      const key = [p.organisationId, instant.slice(0, 10), p.mode, p.itemId, p.currency].join();
      const sales = expected.get(key) ?? {
        purchases: 0,
        grossAmount: 0,
        refunds: 0,
        refundedAmount: 0,
      };
      for (const [field, value] of Object.entries(change) as [keyof Sales, number][])
        sales[field] += value;
      expected.set(key, sales);
    };
    for (const p of purchases) {
      add(p, p.createdAt, { purchases: 1, grossAmount: p.amount });
      if (p.status === 'refunded') add(p, p.refundedAt!, { refunds: 1, refundedAmount: p.amount });
    }
    const kept = await t.db.selectFrom('salesDayTotals').selectAll().execute();
    expect(
      new Map(
        kept.map((s) => [
          [s.organisationId, s.day, s.mode, s.itemId, s.currency].join(),
          {
            purchases: s.purchases,
            grossAmount: s.grossAmount,
            refunds: s.refunds,
            refundedAmount: s.refundedAmount,
          },
        ]),
      ),
    ).toEqual(expected);
    expect(
      purchases.some((p) => p.refundedAt && p.refundedAt.slice(0, 10) !== p.createdAt.slice(0, 10)),
    ).toBe(true);
  });
});

/** True when every frame of the WAL could be copied back, i.e. no reader holds an old snapshot. */
async function walFullyCheckpointed(): Promise<boolean> {
  const {
    rows: [result],
  } = await sql<{ log: number; checkpointed: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(
    t.db,
  );
  return result!.log === result!.checkpointed;
}

/**
 * Connections to this test's database that are in the middle of reading purchases with a snapshot
 * held (PostgreSQL): the export's cursor while it waits for the client.
 */
async function exportReaders(): Promise<number> {
  const { rows } = await sql<{ readers: number }>`
    SELECT count(*) AS readers FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
      AND backend_xmin IS NOT NULL AND query LIKE ${'%from "purchases" as "p"%'}`.execute(t.db);
  return rows[0]!.readers;
}

/**
 * One request on a connection of its own: a pooled keep-alive socket left idle by an earlier
 * request may be closed by the server at the very moment it is reused.
 */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ req: http.ClientRequest; res: http.IncomingMessage }>((resolve, reject) => {
    const req = http.request(
      `${t.baseUrl}${path}`,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
}

/** The first chunk of a response, leaving the rest unread (paused) for now. */
function firstChunkOf(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) =>
    res.once('data', (chunk: Buffer) => {
      res.pause();
      resolve(chunk);
    }),
  );
}

/** Signs in over plain HTTP and returns the session cookie. */
async function signInOverHttp(email: string): Promise<string> {
  const cookiesOf = (res: http.IncomingMessage) =>
    (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = await send('/api/auth/csrf');
  const { csrfToken } = JSON.parse(await readAll(csrf.res)) as { csrfToken: string };
  const login = await send('/api/auth/login', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-CSRF-Token': csrfToken,
      cookie: cookiesOf(csrf.res),
    },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  await readAll(login.res);
  expect(login.res.statusCode).toBe(200);
  return cookiesOf(login.res);
}
