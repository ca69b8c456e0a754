import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Overview, OverviewSalesRow } from '@repo/schemas';
import { createPurchaseWriter, type PastSession } from '../../db/purchase-writer';
import { demoDeviceToken } from '../../db/seed';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';

type Client = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let admin: Client;
let support: Client;
let globex: Client;

const MOTION_AI = { id: 'item_motion_ai', price: 2999, release: 'rel_motion_ai_1_2_0' };
const ECO = { id: 'item_eco_scheduler', price: 1499, release: 'rel_eco_scheduler_1_0_0' };
const today = () => new Date().toISOString().slice(0, 10);

const pad = (n: number) => String(n).padStart(2, '0');
/** An instant on a day of March 2026. */
const march = (day: number, time: string) => `2026-03-${pad(day)}T${time}:00.000Z`;

/**
 * Two weeks of March in both modes, each basket bought in the last minute of its day, with
 * refunds two days later and installs that ended the next morning, some failing; and a little of
 * globex's.
 */
async function writeHistory() {
  const sessions: PastSession[] = [];
  for (let day = 1; day <= 14; day += 1) {
    const camera = `ACM-CC3-00${pad((day % 10) * 4 + 1)}`;
    const thermostat = `ACM-TX1-00${pad((day % 10) * 4 + 4)}`;
    sessions.push({
      organisationId: 'org_acme',
      instanceId: 'mkt_eu',
      mode: day % 3 === 0 ? 'test' : 'live',
      createdAt: march(day, '23:59'),
      createdBy: 'usr_acme_admin',
      currency: 'eur',
      platformFeeBps: 500,
      lines: [
        {
          deviceId: camera,
          itemId: MOTION_AI.id,
          unitAmount: MOTION_AI.price,
          refundedAt: day % 4 === 0 ? march(day + 2, '12:30') : null,
          install:
            day % 4 === 0
              ? undefined
              : {
                  releaseId: MOTION_AI.release,
                  version: '1.2.0',
                  status: day % 5 === 0 ? 'failed' : 'succeeded',
                  reason: day % 5 === 0 ? 'Checksum mismatch on the downloaded package.' : null,
                  finishedAt: march(day + 1, '09:30'),
                },
        },
        {
          deviceId: thermostat,
          itemId: ECO.id,
          unitAmount: ECO.price,
          install:
            day % 2 === 0
              ? {
                  releaseId: ECO.release,
                  version: '1.0.0',
                  status: 'failed',
                  reason: day % 6 === 0 ? null : 'Not enough free storage on the device.',
                  finishedAt: march(day + 1, '08:30'),
                }
              : undefined,
        },
      ],
    });
  }
  sessions.push({
    organisationId: 'org_globex',
    instanceId: 'mkt_eu',
    mode: 'live',
    createdAt: march(5, '10:00'),
    createdBy: 'usr_globex_admin',
    currency: 'eur',
    platformFeeBps: 0,
    lines: [{ deviceId: 'GLX-GW3-0002', itemId: 'item_globex_lock_sync', unitAmount: 1200 }],
  });
  await createPurchaseWriter(t.database)(sessions);
}

beforeAll(async () => {
  t = await createTestApp();
  [admin, support, globex] = await Promise.all([
    signIn(t.app, 'admin@acme.example'),
    signIn(t.app, 'support@acme.example'),
    signIn(t.app, 'admin@globex.example'),
  ]);
  await writeHistory();
});
afterAll(() => t.close());

const overview = async (query: string, client: Client = support): Promise<Overview> =>
  (await client.agent.get(`/api/overview${query}`).expect(200)).body;

/** The same figures computed the slow way, from every purchase and job of the organisation. */
async function fromRawRows(organisationId: string, from: string, to: string, mode?: string) {
  const purchases = await t.db
    .selectFrom('purchases')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .execute();
  const sales = new Map<string, OverviewSalesRow>();
  const add = (p: (typeof purchases)[number], day: string, refund: boolean) => {
    if (day < from || day > to || (mode && p.mode !== mode)) return;
    const key = [day, p.mode, p.itemId, p.currency].join();
    const row = sales.get(key) ?? {
      day,
      mode: p.mode,
      itemId: p.itemId,
      currency: p.currency,
      purchases: 0,
      grossAmount: 0,
      refunds: 0,
      refundedAmount: 0,
    };
    if (refund) {
      row.refunds += 1;
      row.refundedAmount += p.amount;
    } else {
      row.purchases += 1;
      row.grossAmount += p.amount;
    }
    sales.set(key, row);
  };
  for (const p of purchases) {
    add(p, p.createdAt.slice(0, 10), false);
    if (p.refundedAt) add(p, p.refundedAt.slice(0, 10), true);
  }
  const jobs = await t.db
    .selectFrom('installJobs as j')
    .innerJoin('entitlements as e', 'e.id', 'j.entitlementId')
    .select(['j.status', 'j.finishedAt', 'j.reason', 'e.mode'])
    .where('j.organisationId', '=', organisationId)
    .execute();
  const ended = jobs.filter(
    (j) =>
      j.finishedAt &&
      j.finishedAt.slice(0, 10) >= from &&
      j.finishedAt.slice(0, 10) <= to &&
      (!mode || j.mode === mode),
  );
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    sales: [...sales.values()].sort(
      (a, b) =>
        order(a.day, b.day) ||
        order(a.mode, b.mode) ||
        order(a.itemId, b.itemId) ||
        order(a.currency, b.currency),
    ),
    succeeded: ended.filter((j) => j.status === 'succeeded').length,
    failed: ended.filter((j) => j.status === 'failed'),
  };
}

describe(`GET /api/overview (${TEST_DIALECT})`, () => {
  it('answers sales per day, mode and item, refunds on their own day, as the purchases add up', async () => {
    const answer = await overview('?from=2026-03-01&to=2026-03-20');
    const expected = await fromRawRows('org_acme', '2026-03-01', '2026-03-20');
    expect(answer.sales).toEqual(expected.sales);
    expect(answer).toMatchObject({ from: '2026-03-01', to: '2026-03-20', mode: null });
    expect(answer.currencies).toEqual(['eur']);
    // A refund of the 4th counts on the 6th, not on the day it was bought.
    expect(answer.sales.find((s) => s.day === '2026-03-06' && s.refunds > 0)).toMatchObject({
      itemId: MOTION_AI.id,
      refunds: 1,
      refundedAmount: MOTION_AI.price,
    });
    const motion = answer.items.filter((i) => i.itemId === MOTION_AI.id);
    expect(motion.map((i) => [i.mode, i.purchases, i.refunds])).toEqual(
      expect.arrayContaining([
        ['live', 10, 2],
        ['test', 4, 1],
      ]),
    );
    expect(motion[0]).toMatchObject({ itemName: 'Motion AI', currency: 'eur' });
    // Most purchases first.
    const counts = answer.items.map((i) => i.purchases);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('answers installs that ended each day of the range, zeros included, and why they failed', async () => {
    const answer = await overview('?from=2026-03-01&to=2026-03-20');
    const expected = await fromRawRows('org_acme', '2026-03-01', '2026-03-20');
    expect(answer.installs.days.map((d) => d.day)).toHaveLength(20);
    expect(answer.installs.days[0]).toEqual({ day: '2026-03-01', succeeded: 0, failed: 0 });
    const sum = (key: 'succeeded' | 'failed') =>
      answer.installs.days.reduce((total, d) => total + d[key], 0);
    expect(sum('succeeded')).toBe(expected.succeeded);
    expect(sum('failed')).toBe(expected.failed.length);
    expect(answer.installs.failures.reduce((total, f) => total + f.count, 0)).toBe(
      expected.failed.length,
    );
    // Bought on the 5th at 23:59, failed on the morning of the 6th.
    expect(answer.installs.failures.filter((f) => f.day === '2026-03-06')).toEqual([
      { day: '2026-03-06', reason: 'Checksum mismatch on the downloaded package.', count: 1 },
    ]);
    expect(answer.installs.failures.filter((f) => f.day === '2026-03-07')).toEqual([
      { day: '2026-03-07', reason: null, count: 1 },
    ]);
  });

  it('narrows sales and installs to one mode: a job counts in its entitlement’s mode', async () => {
    for (const mode of ['live', 'test'] as const) {
      const answer = await overview(`?from=2026-03-01&to=2026-03-20&mode=${mode}`);
      const expected = await fromRawRows('org_acme', '2026-03-01', '2026-03-20', mode);
      expect(answer.mode).toBe(mode);
      expect(answer.sales).toEqual(expected.sales);
      expect(answer.sales.every((s) => s.mode === mode)).toBe(true);
      expect(answer.installs.days.reduce((n, d) => n + d.succeeded, 0)).toBe(expected.succeeded);
      expect(answer.installs.days.reduce((n, d) => n + d.failed, 0)).toBe(expected.failed.length);
    }
  });

  it('shows a purchase and an install made today, through checkout and the device API', async () => {
    const before = await overview(`?from=${today()}&to=${today()}`, admin);
    const bought = await admin.agent
      .post('/api/checkout-sessions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Idempotency-Key', 'overview-today')
      .send({
        instanceId: 'mkt_eu',
        itemIds: [ECO.id],
        deviceIds: ['ACM-TX1-0004'],
        mode: 'test',
      })
      .expect(201);
    await t.emulator.completeSession(bought.body.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const queued = await admin.agent
      .post('/api/installs')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ deviceId: 'ACM-TX1-0004', releaseId: ECO.release })
      .expect(201);
    const device = supertest(t.app);
    const token = `Bearer ${demoDeviceToken('ACM-TX1-0004')}`;
    await device.get('/device-api/v1/jobs/next').set('Authorization', token).expect(200);
    await device
      .post(`/device-api/v1/jobs/${queued.body.id}/status`)
      .set('Authorization', token)
      .send({ status: 'failed', error: 'Power lost while installing.' })
      .expect(200);

    const after = await overview(`?from=${today()}&to=${today()}`, admin);
    const row = after.sales.find((s) => s.itemId === ECO.id && s.mode === 'test');
    const was = before.sales.find((s) => s.itemId === ECO.id && s.mode === 'test');
    expect(row).toMatchObject({
      day: today(),
      purchases: (was?.purchases ?? 0) + 1,
      grossAmount: (was?.grossAmount ?? 0) + ECO.price,
    });
    expect(after.installs.days).toEqual([
      { day: today(), succeeded: 0, failed: before.installs.days[0]!.failed + 1 },
    ]);
    expect(after.installs.failures).toContainEqual({
      day: today(),
      reason: 'Power lost while installing.',
      count: 1,
    });
  });

  it('is read by every role, and shows an organisation only its own figures', async () => {
    const operator = await signIn(t.app, 'operator@acme.example');
    const query = '?from=2026-03-01&to=2026-03-20';
    expect(await overview(query, operator)).toEqual(await overview(query, admin));
    const theirs = await overview(query, globex);
    expect(theirs.sales).toEqual([
      {
        day: '2026-03-05',
        mode: 'live',
        itemId: 'item_globex_lock_sync',
        currency: 'eur',
        purchases: 1,
        grossAmount: 1200,
        refunds: 0,
        refundedAmount: 0,
      },
    ]);
    expect(theirs.items.map((i) => i.itemName)).toEqual(['Smart Lock Sync']);
    expect(theirs.installs.failures).toEqual([]);
    await supertest(t.app).get(`/api/overview${query}`).expect(401);
  });

  it('answers a quiet range with every day at zero', async () => {
    const answer = await overview('?from=2025-01-01&to=2025-01-03');
    expect(answer).toEqual({
      from: '2025-01-01',
      to: '2025-01-03',
      mode: null,
      currencies: [],
      sales: [],
      items: [],
      installs: {
        days: ['2025-01-01', '2025-01-02', '2025-01-03'].map((day) => ({
          day,
          succeeded: 0,
          failed: 0,
        })),
        failures: [],
      },
    });
  });

  it('refuses a bad range with 400 and says what is wrong', async () => {
    const cases: [string, string][] = [
      ['', 'from'],
      ['?from=2026-03-01', 'to'],
      ['?from=2026-03-10&to=2026-03-01', 'to'],
      ['?from=2025-01-01&to=2026-03-01', 'from'],
      ['?from=2026-02-30&to=2026-03-01', 'from'],
      ['?from=2026-03-01&to=2026-03-02&mode=both', 'mode'],
      ['?from=2026-03-01&to=2026-03-02&item=x', '(root)'],
    ];
    for (const [query, path] of cases) {
      const res = await support.agent.get(`/api/overview${query}`).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });
});
