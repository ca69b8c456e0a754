import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  providerEventSchema,
  rolloutDetailSchema,
  rolloutDevicesPageSchema,
  rolloutPreviewSchema,
  type CreateRolloutRequest,
  type RolloutDetail,
  type RolloutDevice,
  type RolloutDeviceState,
} from '@repo/schemas';
import { demoDeviceToken } from '../../db/seed';
import { simulateDevices, TOLD_TO_FAIL } from '../../device-simulator/simulator';
import { STRIPE_API_VERSION } from '../../stripe/stripe-gateway';
import { createTestApp, signIn, TEST_WEBHOOK_SECRET, type TestApp } from '../../testing/test-app';

type Client = Awaited<ReturnType<typeof signIn>>;
let t: TestApp;
let admin: Client;
let operator: Client;
let support: Client;
let globexAdmin: Client;
let keyCounter = 0;
const received: string[] = [];
let receiver: http.Server;

beforeAll(async () => {
  t = await createTestApp();
  [admin, operator, support, globexAdmin] = await Promise.all([
    signIn(t.app, 'admin@acme.example'),
    signIn(t.app, 'operator@acme.example'),
    signIn(t.app, 'support@acme.example'),
    signIn(t.app, 'admin@globex.example'),
  ]);
  // The provider's server, subscribed to the rollout events.
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  await post(admin, '/api/webhook-endpoints', {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
    mode: 'test',
    eventTypes: ['rollout.paused', 'rollout.completed'],
  }).expect(201);
});
afterAll(async () => {
  await t.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const acme = (code: string, n: number) => `ACM-${code}-${String(n).padStart(4, '0')}`;
const glx = (code: string, n: number) => `GLX-${code}-${String(n).padStart(4, '0')}`;
/** Every acme device, and those seeded as test devices: the lab's and the thermostats. */
const CODES = ['TX1', 'CC3', 'GW3', 'MM2'];
const ACME = Array.from({ length: 40 }, (_, i) => acme(CODES[(i + 1) % 4]!, i + 1));
const ACME_TEST_DEVICES = ACME.filter((id, i) => (i + 1) % 5 === 0 || id.includes('-TX1-'));

const post = (who: Client, path: string, body?: object) =>
  who.agent.post(path).set('X-CSRF-Token', who.csrfToken).send(body);

/** Buys items for devices in test mode: free ones at once, paid ones on the emulator. */
async function buy(deviceIds: string[], itemIds: string[], who = admin) {
  const res = await post(who, '/api/checkout-sessions', {
    instanceId: 'mkt_eu',
    itemIds,
    deviceIds,
    mode: 'test',
  })
    .set('Idempotency-Key', `rollouts-${++keyCounter}`)
    .expect(201);
  if (res.body.status !== 'complete') {
    await t.emulator.completeSession(res.body.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
  }
  await t.workers.idle();
  return res.body as { id: string };
}

const rollout = (releaseId: string, changes: Partial<CreateRolloutRequest> = {}) => ({
  name: `Rollout of ${releaseId}`,
  releaseId,
  mode: 'test' as const,
  target: { kind: 'entitled' as const },
  phases: [{ kind: 'percent' as const, value: 100 }],
  successThreshold: 1,
  errorThreshold: 0.2,
  ...changes,
});

async function create(body: object, who = operator): Promise<RolloutDetail> {
  const res = await post(who, '/api/rollouts', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return rolloutDetailSchema.parse(res.body);
}

async function act(id: string, action: string, body?: object, who = operator) {
  const res = await post(who, `/api/rollouts/${id}/${action}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await t.workers.idle();
  return rolloutDetailSchema.parse(res.body);
}

const read = async (id: string, who = operator) =>
  rolloutDetailSchema.parse((await who.agent.get(`/api/rollouts/${id}`).expect(200)).body);

async function devicesOf(
  id: string,
  query: { state?: RolloutDeviceState; phase?: number } = {},
): Promise<RolloutDevice[]> {
  const res = await operator.agent
    .get(`/api/rollouts/${id}/devices`)
    .query({ ...query, limit: 100 })
    .expect(200);
  return rolloutDevicesPageSchema.parse(res.body).items;
}

const preview = async (body: object) => {
  const res = await post(operator, '/api/rollouts/preview', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return rolloutPreviewSchema.parse(res.body);
};

/** Waits until `check` answers something truthy, and returns it. */
async function until<T>(check: () => Promise<T | false | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusIs = (id: string, status: RolloutDetail['status']) => async () => {
  const detail = await read(id);
  return detail.status === status && detail;
};

/** Plays devices through the device API until stopped. */
function play(deviceIds: string[], failDevices: string[] = []) {
  const controller = new AbortController();
  const done = simulateDevices({
    baseUrl: t.baseUrl,
    devices: deviceIds.map((id) => ({ id, token: demoDeviceToken(id) })),
    stepMs: 0,
    pollMs: 60,
    failureRate: 0,
    failDevices: new Set(failDevices),
    signal: controller.signal,
  });
  return {
    async stop() {
      controller.abort();
      return done;
    },
  };
}

function device(deviceId: string) {
  const api = supertest(t.app);
  const auth = `Bearer ${demoDeviceToken(deviceId)}`;
  return {
    next: () => api.get('/device-api/v1/jobs/next').set('Authorization', auth),
    report: (jobId: string, body: object) =>
      api.post(`/device-api/v1/jobs/${jobId}/status`).set('Authorization', auth).send(body),
  };
}

const jobOf = (id: string) =>
  t.db
    .selectFrom('installJobs')
    .select(['status', 'reason', 'rolloutId'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

const eventsReceived = (type: string) =>
  received
    .map((body) => providerEventSchema.parse(JSON.parse(body)))
    .filter((e) => e.type === type);

describe('a staged rollout through the device API', () => {
  it('stops at the error threshold with the reason, resumes, and completes', async () => {
    await buy(ACME, ['item_fleet_diagnostics']);
    const body = rollout('rel_fleet_diagnostics_2_2_0', {
      name: 'Diagnostics 2.2 to the lab',
      phases: [
        { kind: 'count', value: 2 },
        { kind: 'percent', value: 50 },
        { kind: 'percent', value: 100 },
      ],
    });

    // Test-mode entitlements count on test devices only.
    const planned = await preview(body);
    expect(planned).toMatchObject({ targeted: 40, total: ACME_TEST_DEVICES.length });
    expect(planned.phases).toEqual([
      { phase: 0, devices: 2, cumulative: 2 },
      { phase: 1, devices: 6, cumulative: 8 },
      { phase: 2, devices: 8, cumulative: 16 },
    ]);
    expect(planned.excluded.byReason).toEqual([{ reason: 'not_test_device', count: 24 }]);

    const draft = await create(body);
    expect(draft).toMatchObject({ status: 'draft', currentPhase: -1, deviceCount: 0 });
    const started = await act(draft.id, 'start');
    expect(started).toMatchObject({ status: 'running', currentPhase: 0, deviceCount: 16 });
    expect(started.progress.map((p) => [p.devices, p.counts.active, p.counts.waiting])).toEqual([
      [2, 2, 0],
      [6, 0, 6],
      [8, 0, 8],
    ]);
    const enrolled = await devicesOf(draft.id);
    expect(enrolled.map((d) => d.deviceId).sort()).toEqual([...ACME_TEST_DEVICES].sort());
    // The canary is spread by a hash, not the first IDs.
    const canary = enrolled.filter((d) => d.phase === 0);
    expect(canary.every((d) => d.installStatus === 'queued' && d.installJobId)).toBe(true);

    // Two devices of the second phase fail every install: the rollout pauses on the first.
    const failing = (await devicesOf(draft.id, { phase: 1 })).slice(0, 2).map((d) => d.deviceId);
    const fleet = play(ACME_TEST_DEVICES, failing);
    const paused = await until(statusIs(draft.id, 'paused'));
    expect(paused.currentPhase).toBe(1);
    expect(paused.pauseReason).toMatch(
      /^Paused automatically: \d+ of \d+ installs in phase 2 failed \(\d+(\.\d)? %\), above the 20 % error threshold\.$/,
    );
    const failed = await devicesOf(draft.id, { state: 'failed' });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((d) => failing.includes(d.deviceId) && d.reason === TOLD_TO_FAIL)).toBe(
      true,
    );

    // Nothing more goes out while paused: the third phase waits, queued installs stay queued.
    await new Promise((r) => setTimeout(r, 500));
    const held = await read(draft.id);
    expect(held).toMatchObject({ status: 'paused', sendingNow: false });
    expect(held.progress[2]!.counts.waiting).toBe(8);

    await act(draft.id, 'resume');
    const completed = await until(statusIs(draft.id, 'completed'), 30_000);
    await fleet.stop();
    expect(completed.counts).toMatchObject({ succeeded: 14, failed: 2, waiting: 0, active: 0 });
    expect(completed.events.map((e) => e.kind)).toEqual([
      'created',
      'started',
      'phase_started',
      'phase_started',
      'paused',
      'resumed',
      'phase_started',
      'completed',
    ]);
    expect(completed.events.find((e) => e.kind === 'paused')?.detail).toBe(paused.pauseReason);
    expect(completed.events.find((e) => e.kind === 'resumed')?.actor).toBe('operator@acme.example');

    // The provider's server heard both, with the reason.
    await t.workers.idle();
    await until(async () => eventsReceived('rollout.completed').length > 0);
    const [pausedEvent] = eventsReceived('rollout.paused');
    expect(pausedEvent?.data.object).toMatchObject({
      id: draft.id,
      pauseReason: paused.pauseReason,
    });

    // The failures tried again, as new attempts, on devices that now succeed.
    const again = play(failing);
    const retried = await act(draft.id, 'retry-failed');
    expect(retried.status).toBe('running');
    const finished = await until(statusIs(draft.id, 'completed'));
    await again.stop();
    expect(finished.counts).toMatchObject({ succeeded: 16, failed: 0 });
    expect(finished.events.map((e) => e.kind).slice(-2)).toEqual(['retried', 'completed']);
    const attempts = await devicesOf(draft.id, { phase: 1 });
    expect(
      attempts.filter((d) => failing.includes(d.deviceId)).map((d) => [d.attempt, d.installStatus]),
    ).toEqual([
      [2, 'succeeded'],
      [2, 'succeeded'],
    ]);
  }, 60_000);
});

describe('preview', () => {
  it('answers how many, each phase and who is left out with the reason, writing nothing', async () => {
    const thermostats = [4, 12, 16, 28].map((n) => acme('TX1', n)); // firmware 2.0.1 or 1.8.0
    await buy(thermostats, ['item_eco_scheduler']);
    // One of them already runs 1.0.0, installed by hand through the device API.
    const [runs] = thermostats;
    const job = (
      await post(operator, '/api/installs', {
        deviceId: runs,
        releaseId: 'rel_eco_scheduler_1_0_0',
      }).expect(201)
    ).body as { id: string };
    await device(runs!).next().expect(200);
    for (const status of ['downloading', 'installing', 'succeeded'])
      await device(runs!).report(job.id, { status }).expect(200);

    const rolloutsBefore = (await operator.agent.get('/api/rollouts').expect(200)).body.total;
    const target = { kind: 'filter', filter: { models: ['thermo-x1'] } };
    const v1 = await preview({
      releaseId: 'rel_eco_scheduler_1_0_0',
      mode: 'test',
      target,
      phases: [
        { kind: 'percent', value: 50 },
        { kind: 'percent', value: 100 },
      ],
    });
    expect(v1).toMatchObject({
      itemName: 'Eco Scheduler',
      version: '1.0.0',
      targeted: 10,
      total: 3,
    });
    expect(v1.phases).toEqual([
      { phase: 0, devices: 2, cumulative: 2 },
      { phase: 1, devices: 1, cumulative: 3 },
    ]);
    expect(v1.excluded.byReason).toEqual(
      expect.arrayContaining([
        { reason: 'not_entitled', count: 6 },
        { reason: 'already_installed', count: 1 },
      ]),
    );
    expect(v1.excluded.devices).toContainEqual({
      deviceId: runs,
      reason: 'already_installed',
      message: 'Already runs 1.0.0.',
    });
    expect(v1.excluded.devices).toContainEqual({
      deviceId: acme('TX1', 8),
      reason: 'not_entitled',
      message: 'No active test-mode entitlement to Eco Scheduler.',
    });
    expect(v1.excluded).toMatchObject({ total: 7, truncated: false });

    const v2 = await preview({ releaseId: 'rel_eco_scheduler_2_0_0', mode: 'test', target });
    expect(v2.total).toBe(0);
    expect(v2.excluded.devices).toContainEqual({
      deviceId: acme('TX1', 12),
      reason: 'firmware_too_old',
      message: 'Needs firmware 2.4.0 or newer; the device runs 1.8.0.',
    });
    // Live mode counts live entitlements only: these were bought in test mode.
    const live = await preview({ releaseId: 'rel_eco_scheduler_1_0_0', mode: 'live', target });
    expect(live.excluded.byReason).toEqual([{ reason: 'not_entitled', count: 10 }]);

    expect((await operator.agent.get('/api/rollouts').expect(200)).body.total).toBe(rolloutsBefore);
  });
});

describe('money and rollouts', () => {
  it('takes a device that becomes entitled later into the current phase, running or paused', async () => {
    await buy([acme('TX1', 8), acme('TX1', 20)], ['item_energy_insights']);
    const { id } = await create(
      rollout('rel_energy_insights_0_9_0', {
        phases: [
          { kind: 'count', value: 2 },
          { kind: 'percent', value: 100 },
        ],
      }),
    );
    await act(id, 'start');
    expect((await devicesOf(id)).map((d) => d.deviceId).sort()).toEqual([
      acme('TX1', 8),
      acme('TX1', 20),
    ]);

    // A new purchase: the thermostat joins the running phase with its install queued; the
    // meter bought with it is no test device and stays out.
    await buy([acme('TX1', 32), acme('MM2', 3)], ['item_energy_insights']);
    const joined = (await devicesOf(id)).find((d) => d.deviceId === acme('TX1', 32));
    expect(joined).toMatchObject({ phase: 0, state: 'active', installStatus: 'queued' });
    expect((await devicesOf(id)).some((d) => d.deviceId === acme('MM2', 3))).toBe(false);

    // While paused it joins too, and waits for the resume.
    await act(id, 'pause', { reason: 'Checking the canary' });
    expect((await read(id)).pauseReason).toBe(
      'Paused by operator@acme.example: Checking the canary',
    );
    await buy([acme('TX1', 40)], ['item_energy_insights']);
    expect((await devicesOf(id)).find((d) => d.deviceId === acme('TX1', 40))).toMatchObject({
      phase: 0,
      state: 'waiting',
    });
    await device(acme('TX1', 40)).next().expect(204);
    await act(id, 'resume');
    expect((await devicesOf(id)).find((d) => d.deviceId === acme('TX1', 40))?.state).toBe('active');

    const fleet = play([8, 20, 32, 40].map((n) => acme('TX1', n)));
    const done = await until(statusIs(id, 'completed'));
    await fleet.stop();
    expect(done.counts).toMatchObject({ succeeded: 4, failed: 0 });
  });

  it('removes a refunded device from its rollout and cancels its queued install', async () => {
    const [kept, refunded, other] = [8, 20, 32].map((n) => acme('TX1', n)); // firmware 2.4.0
    await buy([kept!, refunded!, other!], ['item_eco_scheduler']);
    const { id } = await create(rollout('rel_eco_scheduler_2_0_0'));
    await act(id, 'start');
    const before = await devicesOf(id);
    expect(before.map((d) => d.deviceId).sort()).toEqual([kept, refunded, other]);

    // A second rollout of the item cannot take the same devices while this one runs.
    const second = await preview({
      releaseId: 'rel_eco_scheduler_2_0_0',
      mode: 'test',
      target: { kind: 'entitled' },
    });
    expect(second.excluded.devices).toContainEqual({
      deviceId: kept,
      reason: 'in_another_rollout',
      message: 'In another running or paused rollout of Eco Scheduler.',
    });

    const purchase = (
      await admin.agent
        .get('/api/purchases')
        .query({ deviceId: refunded, itemId: 'item_eco_scheduler' })
    ).body.items[0] as { id: string };
    await post(admin, `/api/purchases/${purchase.id}/refund`).expect(200);
    await t.emulator.flushWebhooks();
    await t.workers.idle();
    const removed = (await devicesOf(id)).find((d) => d.deviceId === refunded)!;
    expect(removed).toMatchObject({
      state: 'removed',
      reason: 'The purchase was refunded.',
      installStatus: 'cancelled',
    });
    await device(refunded!).next().expect(204);

    const fleet = play([kept!, other!]);
    const done = await until(statusIs(id, 'completed'));
    await fleet.stop();
    expect(done.counts).toMatchObject({ succeeded: 2, removed: 1 });
  });

  it('revokes what a disputed charge paid for: devices leave their rollouts, queued installs end', async () => {
    const cameras = [acme('CC3', 5), acme('CC3', 25)];
    const session = await buy(cameras, ['item_motion_ai']);
    const { id } = await create(
      rollout('rel_motion_ai_1_2_0', {
        phases: [
          { kind: 'count', value: 1 },
          { kind: 'percent', value: 100 },
        ],
      }),
    );
    await act(id, 'start');
    const [first] = await devicesOf(id, { state: 'active' });
    const { stripePaymentIntentId } = await t.db
      .selectFrom('checkoutSessions')
      .select('stripePaymentIntentId')
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();

    const event = {
      id: `evt_dispute_${Date.now()}`,
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'charge.dispute.created',
      data: {
        object: {
          id: 'dp_rollouts_1',
          object: 'dispute',
          amount: 5998,
          charge: 'ch_rollouts_1',
          payment_intent: stripePaymentIntentId,
          reason: 'fraudulent',
          status: 'needs_response',
        },
      },
    };
    const payload = JSON.stringify(event);
    const answer = await fetch(`${t.baseUrl}/api/webhooks/stripe/test`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: TEST_WEBHOOK_SECRET,
        }),
      },
      body: payload,
    });
    expect(await answer.json()).toMatchObject({ outcome: 'disputed: 2 entitlement(s) revoked' });
    await t.workers.idle();

    const after = await devicesOf(id);
    expect(after.map((d) => [d.state, d.reason])).toEqual([
      ['removed', 'The payment was disputed.'],
      ['removed', 'The payment was disputed.'],
    ]);
    expect(await jobOf(first!.installJobId!)).toMatchObject({
      status: 'cancelled',
      reason: 'The payment was disputed.',
    });
    const entitlements = await t.db
      .selectFrom('entitlements')
      .select('status')
      .where('deviceId', 'in', cameras)
      .where('itemId', '=', 'item_motion_ai')
      .execute();
    expect(entitlements.map((e) => e.status)).toEqual(['revoked', 'revoked']);
    // With no device left the rollout has nothing more to do.
    expect((await read(id)).status).toBe('completed');
  });
});

describe('sending only when allowed', () => {
  it('cancels the queued and sent installs and the waiting devices when aborted', async () => {
    const globex = [glx('CC3', 5), glx('GW3', 10), glx('MM2', 15), glx('TX1', 20)]; // test devices
    await buy(globex, ['item_globex_free_logs'], globexAdmin);
    const { id } = await create(
      rollout('rel_globex_free_logs_1_0_0', {
        phases: [
          { kind: 'percent', value: 50 },
          { kind: 'percent', value: 100 },
        ],
      }),
      globexAdmin,
    );
    await act(id, 'start', undefined, globexAdmin);
    // Another organisation's rollout: not found for acme.
    await operator.agent.get(`/api/rollouts/${id}/devices`).expect(404);
    const listed = (
      await globexAdmin.agent.get(`/api/rollouts/${id}/devices`).query({ state: 'active' })
    ).body.items as RolloutDevice[];
    expect(listed).toHaveLength(2);
    // One device has fetched its job: it is sent, not yet started.
    const sent = await device(listed[0]!.deviceId).next().expect(200);

    const aborted = await act(id, 'abort', undefined, globexAdmin);
    expect(aborted).toMatchObject({ status: 'aborted' });
    expect(aborted.counts).toMatchObject({ cancelled: 4, active: 0, waiting: 0 });
    expect(await jobOf(sent.body.id)).toMatchObject({
      status: 'cancelled',
      reason: 'The rollout was aborted.',
    });
    for (const d of listed) await device(d.deviceId).next().expect(204);
    await device(listed[0]!.deviceId)
      .report(sent.body.id, { status: 'downloading', progress: 0 })
      .expect(409);
    expect(aborted.events.at(-1)).toMatchObject({ kind: 'aborted', actor: 'admin@globex.example' });
  });

  it('holds installs back outside the maintenance window, and sends them inside it', async () => {
    const meter = acme('MM2', 35); // a lab meter, firmware 1.2.0
    await buy([meter], ['item_tariff_sync']);
    // Not in the last seconds of an hour, so that the hour stays the same throughout.
    const now = new Date();
    if (now.getUTCMinutes() === 59 && now.getUTCSeconds() > 50)
      await new Promise((r) => setTimeout(r, (61 - now.getUTCSeconds()) * 1000));
    const hour = new Date().getUTCHours();
    // A window that ends where the current hour begins: the whole day but this hour.
    const { id } = await create(
      rollout('rel_tariff_sync_1_4_2', {
        maintenanceWindow: { startHour: (hour + 1) % 24, endHour: hour },
      }),
    );
    const started = await act(id, 'start');
    expect(started).toMatchObject({ status: 'running', sendingNow: false });
    await device(meter).next().expect(204);
    const [waiting] = await devicesOf(id);
    expect(waiting).toMatchObject({ state: 'active', installStatus: 'queued' });

    await t.db
      .updateTable('rollouts')
      .set({ windowStartHour: hour, windowEndHour: (hour + 1) % 24 })
      .where('id', '=', id)
      .execute();
    expect((await read(id)).sendingNow).toBe(true);
    const handed = await device(meter).next().expect(200);
    expect(handed.body).toMatchObject({ id: waiting!.installJobId, status: 'sent' });
    await act(id, 'abort');
  });
});

describe('who may do what', () => {
  it('lets support read but not act, and hides other organisations', async () => {
    const { id } = await create(
      rollout('rel_vpn_pro_3_1_0', { target: { kind: 'filter', filter: { sites: ['lyon'] } } }),
    );
    await support.agent.get('/api/rollouts').expect(200);
    await support.agent.get(`/api/rollouts/${id}`).expect(200);
    await support.agent.get(`/api/rollouts/${id}/devices`).expect(200);
    for (const action of ['start', 'pause', 'resume', 'abort', 'retry-failed'])
      await post(support, `/api/rollouts/${id}/${action}`).expect(403);
    await post(support, '/api/rollouts', rollout('rel_vpn_pro_3_1_0')).expect(403);
    await post(support, '/api/rollouts/preview', rollout('rel_vpn_pro_3_1_0')).expect(403);

    await globexAdmin.agent.get(`/api/rollouts/${id}`).expect(404);
    await globexAdmin.agent.get(`/api/rollouts/${id}/devices`).expect(404);
    await post(globexAdmin, `/api/rollouts/${id}/start`).expect(404);
    expect(
      (await globexAdmin.agent.get('/api/rollouts').expect(200)).body.items.some(
        (r: { id: string }) => r.id === id,
      ),
    ).toBe(false);
    const foreign = await post(globexAdmin, '/api/rollouts/preview', rollout('rel_vpn_pro_3_1_0'));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('RELEASE_NOT_FOUND');
    const foreignItem = await post(globexAdmin, '/api/rollouts/preview', {
      ...rollout('rel_globex_free_logs_1_0_0'),
      target: { kind: 'filter', filter: { entitledTo: { itemId: 'item_vpn_pro' } } },
    });
    expect(foreignItem.status).toBe(404);
    expect(foreignItem.body.error.details).toEqual([
      { path: 'target.filter.entitledTo.itemId', message: 'no such item', itemId: 'item_vpn_pro' },
    ]);
  });

  it('refuses bad input with the details, and actions the rollout cannot take', async () => {
    const bad = await post(operator, '/api/rollouts', {
      ...rollout('rel_vpn_pro_3_1_0'),
      phases: [{ kind: 'percent', value: 150 }],
      errorThreshold: 1,
      target: { kind: 'group' },
    }).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'errorThreshold',
      'phases.0.value',
      'target.groupId',
    ]);
    const shrinking = await post(operator, '/api/rollouts', {
      ...rollout('rel_vpn_pro_3_1_0'),
      phases: [
        { kind: 'percent', value: 50 },
        { kind: 'percent', value: 10 },
      ],
    }).expect(400);
    expect(shrinking.body.error.details).toEqual([
      { path: 'phases', message: 'Phase 2 must reach further than phase 1.' },
    ]);
    await operator.agent.get('/api/rollouts/not-a-rollout').expect(400);
    await operator.agent.get('/api/rollouts').query({ status: 'sleeping' }).expect(400);

    const { id } = await create(rollout('rel_vpn_pro_3_1_0'));
    await post(operator, `/api/rollouts/${id}/pause`, { reason: 'x', colour: 'red' }).expect(400);
    const resume = await post(operator, `/api/rollouts/${id}/resume`).expect(409);
    expect(resume.body.error).toMatchObject({
      code: 'ROLLOUT_STATE_CONFLICT',
      message: 'Only a paused rollout can be resumed; it is draft.',
    });
    // Nobody is entitled to VPN Pro yet: there is nothing to start.
    const empty = await post(operator, `/api/rollouts/${id}/start`).expect(409);
    expect(empty.body.error.message).toBe(
      'No device is entitled to this release and able to run it.',
    );
    expect((await read(id)).status).toBe('draft');
  });
});
