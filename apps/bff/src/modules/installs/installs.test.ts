import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextInstallStatus, eventForReport, type InstallEvent } from '@repo/domain';
import type { DeviceDetail, InstallJob, InstallStatus } from '@repo/schemas';
import { demoDeviceToken } from '../../db/seed';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';

let t: TestApp;
type Client = Awaited<ReturnType<typeof signIn>>;
let admin: Client;
let operator: Client;
let support: Client;
let globexOperator: Client;
let keyCounter = 0;

beforeAll(async () => {
  t = await createTestApp();
  [admin, operator, support, globexOperator] = await Promise.all([
    signIn(t.app, 'admin@acme.example'),
    signIn(t.app, 'operator@acme.example'),
    signIn(t.app, 'support@acme.example'),
    signIn(t.app, 'operator@globex.example'),
  ]);
});
afterAll(() => t.close());

const acme = (code: string, n: number) => `ACM-${code}-${String(n).padStart(4, '0')}`;
const ECO_1 = 'rel_eco_scheduler_1_0_0'; // thermo-x1, firmware 1.8.0 or newer
const ECO_2 = 'rel_eco_scheduler_2_0_0'; // thermo-x1, firmware 2.4.0 or newer
const INSIGHTS = 'rel_energy_insights_0_9_0'; // free; thermo-x1 and meter-m2
const DIAGNOSTICS = 'rel_fleet_diagnostics_2_2_0'; // free; every model

/** Buys items for devices through the real checkout: free ones at once, paid ones on the emulator. */
async function buy(deviceIds: string[], itemIds: string[]) {
  const res = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', `installs-${++keyCounter}`)
    .send({ instanceId: 'mkt_eu', itemIds, deviceIds, mode: 'test' })
    .expect(201);
  if (res.body.status !== 'complete') {
    await t.emulator.completeSession(res.body.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
  }
  return res.body as { id: string };
}

const post = (who: Client, path: string, body?: object) =>
  who.agent.post(path).set('X-CSRF-Token', who.csrfToken).send(body);
const queue = (deviceId: string, releaseId: string, who = operator) =>
  post(who, '/api/installs', { deviceId, releaseId });

function device(deviceId: string, token = demoDeviceToken(deviceId)) {
  const http = supertest(t.app);
  return {
    next: () => http.get('/device-api/v1/jobs/next').set('Authorization', `Bearer ${token}`),
    report: (jobId: string, body: object) =>
      http
        .post(`/device-api/v1/jobs/${jobId}/status`)
        .set('Authorization', `Bearer ${token}`)
        .send(body),
  };
}

const jobOf = (id: string) =>
  t.db
    .selectFrom('installJobs')
    .select(['status', 'reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const jobStatus = async (id: string): Promise<InstallStatus> => (await jobOf(id)).status;
const jobCount = async () =>
  (
    await t.db
      .selectFrom('installJobs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
  ).count;
const detail = async (deviceId: string, who = operator) =>
  (await who.agent.get(`/api/devices/${deviceId}`).expect(200)).body as DeviceDetail;

describe('device detail', () => {
  it('shows entitlements, the releases that fit and why the others do not', async () => {
    const deviceId = acme('TX1', 4); // firmware 2.0.1
    await buy([deviceId], ['item_eco_scheduler']);
    const shown = await detail(deviceId);
    expect(shown).toMatchObject({ id: deviceId, model: 'thermo-x1', firmwareVersion: '2.0.1' });
    expect(shown.entitlements).toEqual([
      expect.objectContaining({ itemId: 'item_eco_scheduler', status: 'active', mode: 'test' }),
    ]);
    const eco = shown.items.find((i) => i.itemId === 'item_eco_scheduler')!;
    expect(eco.entitled).toBe(true);
    expect(eco.installed).toBeNull();
    expect(eco.releases.map((r) => [r.version, r.compatible, r.incompatibleReason])).toEqual([
      ['2.0.0', false, 'Needs firmware 2.4.0 or newer; the device runs 2.0.1.'],
      ['1.0.0', true, null],
    ]);
  });

  it('filters the device list by active entitlement', async () => {
    const deviceId = acme('GW3', 6);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const entitled = await operator.agent
      .get('/api/devices')
      .query({ entitlement: 'active', model: 'gateway-g3', limit: 100 })
      .expect(200);
    expect(entitled.body.items.map((d: { id: string }) => d.id)).toContain(deviceId);
    const without = await operator.agent
      .get('/api/devices')
      .query({ entitlement: 'none', model: 'gateway-g3', limit: 100 })
      .expect(200);
    expect(without.body.items.map((d: { id: string }) => d.id)).not.toContain(deviceId);
    expect(entitled.body.total + without.body.total).toBe(10);
    await operator.agent.get('/api/devices').query({ entitlement: 'maybe' }).expect(400);
  });
});

describe('queueing an install', () => {
  it('queues a compatible release of an entitled item, audited, for an operator', async () => {
    const deviceId = acme('TX1', 8);
    await buy([deviceId], ['item_eco_scheduler']);
    const res = await queue(deviceId, ECO_2).expect(201);
    expect(res.body).toMatchObject({
      deviceId,
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      releaseId: ECO_2,
      version: '2.0.0',
      status: 'queued',
      attempt: 1,
      retryOf: null,
    });
    const audit = await t.db
      .selectFrom('auditEntries')
      .select('userId')
      .where('action', '=', 'install.queue')
      .where('objectId', '=', res.body.id)
      .executeTakeFirst();
    expect(audit?.userId).toBe('usr_acme_operator');
    const shown = await detail(deviceId);
    expect(shown.items.find((i) => i.itemId === 'item_eco_scheduler')?.activeInstall?.id).toBe(
      res.body.id,
    );
    expect(shown.installs[0]?.id).toBe(res.body.id);
  });

  it('refuses, with a clear reason and nothing written: no entitlement, incompatible, busy', async () => {
    const deviceId = acme('TX1', 16); // firmware 2.0.1
    const before = await jobCount();
    const noEntitlement = await queue(deviceId, ECO_1).expect(422);
    expect(noEntitlement.body.error).toMatchObject({
      code: 'NO_ACTIVE_ENTITLEMENT',
      message: expect.stringContaining('Eco Scheduler'),
    });

    await buy([deviceId], ['item_eco_scheduler']);
    const incompatible = await queue(deviceId, ECO_2).expect(422);
    expect(incompatible.body.error).toMatchObject({
      code: 'RELEASE_INCOMPATIBLE',
      message: expect.stringContaining('Needs firmware 2.4.0 or newer; the device runs 2.0.1.'),
    });
    expect(await jobCount()).toBe(before);

    await queue(deviceId, ECO_1).expect(201);
    const busy = await queue(deviceId, ECO_1).expect(409);
    expect(busy.body.error.code).toBe('INSTALL_ALREADY_ACTIVE');
    expect(await jobCount()).toBe(before + 1);
  });

  it('answers 404 for devices and releases of another organisation, and 400 for bad bodies', async () => {
    const before = await jobCount();
    const foreignDevice = await queue('GLX-TX1-0004', ECO_1).expect(404);
    expect(foreignDevice.body.error.code).toBe('DEVICE_NOT_FOUND');
    const foreignRelease = await queue(acme('TX1', 8), 'rel_globex_lock_sync_1_0_0').expect(404);
    expect(foreignRelease.body.error.code).toBe('RELEASE_NOT_FOUND');
    await queue(acme('TX1', 8), 'rel_nothing').expect(404);
    const malformed = await post(operator, '/api/installs', {
      deviceId: 'not a device id!',
      releaseId: ECO_1,
      priority: 'high',
    }).expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(malformed.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['deviceId', '(root)']),
    );
    expect(await jobCount()).toBe(before);
  });

  it('queues one release on many devices and lists the others with their reason', async () => {
    const fit = [acme('TX1', 20), acme('MM2', 11)];
    await buy(fit, ['item_energy_insights']);
    const res = await post(operator, '/api/installs/bulk', {
      releaseId: INSIGHTS,
      deviceIds: [...fit, fit[0], acme('TX1', 24), 'GLX-TX1-0004'],
    }).expect(200);
    expect(res.body.queued.map((j: InstallJob) => j.deviceId)).toEqual(fit);
    expect(res.body.refused).toEqual([
      expect.objectContaining({ deviceId: acme('TX1', 24), code: 'NO_ACTIVE_ENTITLEMENT' }),
      expect.objectContaining({ deviceId: 'GLX-TX1-0004', code: 'DEVICE_NOT_FOUND' }),
    ]);
    const again = await post(operator, '/api/installs/bulk', {
      releaseId: INSIGHTS,
      deviceIds: fit,
    }).expect(200);
    expect(again.body.queued).toEqual([]);
    expect(again.body.refused.map((r: { code: string }) => r.code)).toEqual([
      'INSTALL_ALREADY_ACTIVE',
      'INSTALL_ALREADY_ACTIVE',
    ]);
  });
});

describe('a device working through its jobs', () => {
  it('takes the job, reports progress and success, and the version is recorded as installed', async () => {
    const deviceId = acme('TX1', 28);
    const checkout = await buy([deviceId], ['item_eco_scheduler']);
    const { body: job } = await queue(deviceId, ECO_1).expect(201);
    const me = device(deviceId);

    const next = await me.next().expect(200);
    expect(next.body).toEqual({
      id: job.id,
      itemId: 'item_eco_scheduler',
      releaseId: ECO_1,
      version: '1.0.0',
      status: 'sent',
    });
    await me.next().expect(200); // asked again before starting: the same job
    await me.report(job.id, { status: 'downloading', progress: 30 }).expect(200);
    await me.report(job.id, { status: 'downloading', progress: 80 }).expect(200);
    await me.report(job.id, { status: 'installing' }).expect(200);
    const done = await me.report(job.id, { status: 'succeeded' }).expect(200);
    expect(done.body.status).toBe('succeeded');
    await me.next().expect(204);

    const shown = await detail(deviceId);
    const eco = shown.items.find((i) => i.itemId === 'item_eco_scheduler')!;
    expect(eco.installed).toMatchObject({ releaseId: ECO_1, version: '1.0.0' });
    expect(eco.activeInstall).toBeNull();
    expect(shown.installs[0]).toMatchObject({ id: job.id, status: 'succeeded', progress: 100 });
    expect(shown.lastSeenAt).not.toBeNull();

    const history = await t.db
      .selectFrom('installJobEvents')
      .select(['status', 'progress', 'actor'])
      .where('jobId', '=', job.id)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { status: 'queued', progress: null, actor: 'usr_acme_operator' },
      { status: 'sent', progress: null, actor: 'device' },
      { status: 'downloading', progress: 30, actor: 'device' },
      { status: 'downloading', progress: 80, actor: 'device' },
      { status: 'installing', progress: null, actor: 'device' },
      { status: 'succeeded', progress: null, actor: 'device' },
    ]);

    const session = await operator.agent.get(`/api/checkout-sessions/${checkout.id}`).expect(200);
    expect(session.body.purchases[0]).toMatchObject({ installedVersion: '1.0.0' });
  });

  it('keeps every state the device reports in the job history, even those that pass between two looks', async () => {
    const deviceId = acme('TX1', 12);
    await buy([deviceId], ['item_eco_scheduler']);
    const { body: job } = await queue(deviceId, ECO_1).expect(201);
    const me = device(deviceId);
    const history = async (who = support) =>
      (await who.agent.get(`/api/installs/${job.id}/events`).expect(200)).body.items as Array<{
        status: InstallStatus;
        progress: number | null;
        detail: string | null;
        createdAt: string;
      }>;
    expect((await history()).map((e) => e.status)).toEqual(['queued']);

    // Between two looks of the dashboard the device does the whole install.
    await me.next().expect(200);
    await me.report(job.id, { status: 'downloading', progress: 30 }).expect(200);
    await me.report(job.id, { status: 'downloading', progress: 60 }).expect(200);
    await me.report(job.id, { status: 'installing' }).expect(200);
    await me.report(job.id, { status: 'succeeded' }).expect(200);

    const seen = await history();
    expect(seen.map(({ status, progress }) => ({ status, progress }))).toEqual([
      { status: 'queued', progress: null },
      { status: 'sent', progress: null },
      { status: 'downloading', progress: 30 },
      { status: 'downloading', progress: 60 },
      { status: 'installing', progress: null },
      { status: 'succeeded', progress: null },
    ]);
    expect(seen.every((e) => !Number.isNaN(Date.parse(e.createdAt)))).toBe(true);
  });

  it('keeps the reason of a failed install in its history, and shows a history only to its organisation', async () => {
    const deviceId = acme('CC3', 13);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const me = device(deviceId);
    await me.next().expect(200);
    await me.report(job.id, { status: 'downloading', progress: 10 }).expect(200);
    await me.report(job.id, { status: 'failed', error: 'Checksum mismatch.' }).expect(200);

    const { body } = await operator.agent.get(`/api/installs/${job.id}/events`).expect(200);
    expect(body.items.at(-1)).toMatchObject({ status: 'failed', detail: 'Checksum mismatch.' });

    const other = await globexOperator.agent.get(`/api/installs/${job.id}/events`).expect(404);
    expect(other.body.error).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await operator.agent.get('/api/installs/not-an-id/events').expect(400);
    expect(bad.body.error.requestId).toBeTruthy();
  });

  it('answers 409 to a step the state machine does not allow, and changes nothing', async () => {
    const deviceId = acme('TX1', 32);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const me = device(deviceId);
    const early = await me.report(job.id, { status: 'downloading' }).expect(409);
    expect(early.body.error).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await jobStatus(job.id)).toBe('queued');
    await me.next().expect(200);
    await me.report(job.id, { status: 'succeeded' }).expect(409);
    expect(await jobStatus(job.id)).toBe('sent');
    await me.report(job.id, { status: 'failed', error: 'Not enough storage.' }).expect(200);
    await me.report(job.id, { status: 'installing' }).expect(409);
    await me.report(job.id, { status: 'finished' }).expect(400);
    await me.report(job.id, { status: 'failed', progress: 101 }).expect(400);
    expect(await jobStatus(job.id)).toBe('failed');
    expect((await jobOf(job.id)).reason).toBe('Not enough storage.');
  });

  it('refuses a missing or wrong token, and another device’s job', async () => {
    const deviceId = acme('CC3', 5);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const http = supertest(t.app);
    const missing = await http.get('/device-api/v1/jobs/next').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    await device(deviceId, 'devtok_wrong').next().expect(401);
    await http
      .post(`/device-api/v1/jobs/${job.id}/status`)
      .set('Cookie', 'mp.sid=whatever')
      .send({ status: 'downloading' })
      .expect(401);

    const other = device(acme('CC3', 9));
    await other.next().expect(204);
    const stolen = await other.report(job.id, { status: 'downloading' }).expect(404);
    expect(stolen.body.error.code).toBe('NOT_FOUND');
    await device('GLX-CC3-0001').report(job.id, { status: 'downloading' }).expect(404);
    expect(await jobStatus(job.id)).toBe('queued');
  });
});

describe('telling the provider', () => {
  it('sends install.succeeded and install.failed to the provider’s webhook endpoint', async () => {
    const received: { type: string; data: { object: InstallJob } }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      await post(admin, '/api/webhook-endpoints', {
        url,
        mode: 'test',
        eventTypes: ['install.succeeded', 'install.failed'],
      }).expect(201);
      const [good, bad] = [acme('MM2', 31), acme('MM2', 35)];
      await buy([good, bad], ['item_energy_insights']);
      const jobs = await Promise.all([good, bad].map(async (d) => (await queue(d, INSIGHTS)).body));
      for (const [deviceId, job, outcome] of [
        [good, jobs[0], 'succeeded'],
        [bad, jobs[1], 'failed'],
      ] as const) {
        const me = device(deviceId);
        await me.next().expect(200);
        await me.report(job.id, { status: 'downloading' }).expect(200);
        await me.report(job.id, { status: outcome === 'failed' ? 'failed' : 'installing' });
        if (outcome === 'succeeded') await me.report(job.id, { status: 'succeeded' }).expect(200);
      }
      await expect.poll(() => received.length, { timeout: 5000 }).toBe(2);
      expect(
        received
          .map((event) => [event.type, event.data.object.id, event.data.object.status])
          .sort(),
      ).toEqual(
        [
          ['install.failed', jobs[1].id, 'failed'],
          ['install.succeeded', jobs[0].id, 'succeeded'],
        ].sort(),
      );
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('cancel and retry', () => {
  it('cancels from queued or sent, never once the device has started', async () => {
    const [a, b, c] = [acme('MM2', 15), acme('MM2', 19), acme('MM2', 23)];
    await buy([a, b, c], ['item_energy_insights']);
    const jobs = await Promise.all([a, b, c].map(async (d) => (await queue(d, INSIGHTS)).body));
    await device(b).next().expect(200);
    await device(c).next().expect(200);
    await device(c).report(jobs[2].id, { status: 'downloading' }).expect(200);

    const cancelled = await post(operator, `/api/installs/${jobs[0].id}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      reason: expect.stringContaining('operator@acme.example'),
    });
    await post(admin, `/api/installs/${jobs[1].id}/cancel`).expect(200);
    const late = await post(operator, `/api/installs/${jobs[2].id}/cancel`).expect(409);
    expect(late.body.error.code).toBe('INSTALL_NOT_CANCELLABLE');
    expect(await jobStatus(jobs[2].id)).toBe('downloading');
    // The device that had been sent the job learns it is off.
    await device(b).report(jobs[1].id, { status: 'downloading' }).expect(409);
    await device(b).next().expect(204);
  });

  it('retries a failed install as a new attempt and keeps the history', async () => {
    const deviceId = acme('MM2', 27);
    await buy([deviceId], ['item_energy_insights']);
    const { body: first } = await queue(deviceId, INSIGHTS).expect(201);
    await post(operator, `/api/installs/${first.id}/retry`).expect(409);
    await device(deviceId).next().expect(200);
    await device(deviceId).report(first.id, { status: 'failed', error: 'Checksum mismatch.' });

    const retried = await post(operator, `/api/installs/${first.id}/retry`).expect(201);
    expect(retried.body).toMatchObject({ status: 'queued', attempt: 2, retryOf: first.id });
    const twice = await post(operator, `/api/installs/${first.id}/retry`).expect(409);
    expect(twice.body.error.code).toBe('INSTALL_ALREADY_RETRIED');
    const shown = await detail(deviceId);
    expect(shown.installs.map((j) => [j.attempt, j.status])).toEqual([
      [2, 'queued'],
      [1, 'failed'],
    ]);
  });

  it('cancels the queued installs of a refunded item, and only those', async () => {
    const deviceId = acme('TX1', 36);
    await buy([deviceId], ['item_eco_scheduler', 'item_fleet_diagnostics']);
    const { body: eco } = await queue(deviceId, ECO_1).expect(201);
    const { body: diagnostics } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const { id: purchaseId } = await t.db
      .selectFrom('purchases')
      .select('id')
      .where('deviceId', '=', deviceId)
      .where('itemId', '=', 'item_eco_scheduler')
      .executeTakeFirstOrThrow();
    await post(admin, `/api/purchases/${purchaseId}/refund`).expect(200);
    await t.emulator.flushWebhooks();

    expect(await jobStatus(eco.id)).toBe('cancelled');
    expect(await jobStatus(diagnostics.id)).toBe('queued');
    const shown = await detail(deviceId);
    expect(shown.installs.find((j) => j.id === eco.id)?.reason).toBe('The purchase was refunded.');
    expect(shown.items.find((i) => i.itemId === 'item_eco_scheduler')?.entitled).toBe(false);
  });
});

describe('who may see and touch installs', () => {
  it('lets support read but not write, and keeps organisations apart', async () => {
    const deviceId = acme('TX1', 40);
    await buy([deviceId], ['item_energy_insights']);
    const { body: job } = await queue(deviceId, INSIGHTS, admin).expect(201);

    await queue(deviceId, INSIGHTS, support).expect(403);
    await post(support, '/api/installs/bulk', {
      releaseId: INSIGHTS,
      deviceIds: [deviceId],
    }).expect(403);
    await post(support, `/api/installs/${job.id}/cancel`).expect(403);
    await post(support, `/api/installs/${job.id}/retry`).expect(403);
    const read = await support.agent.get('/api/installs').query({ deviceId }).expect(200);
    expect(read.body.items.map((j: InstallJob) => j.id)).toEqual([job.id]);

    const globexList = await globexOperator.agent
      .get('/api/installs')
      .query({ limit: 100 })
      .expect(200);
    expect(globexList.body.items.filter((j: InstallJob) => j.deviceId.startsWith('ACM-'))).toEqual(
      [],
    );
    await post(globexOperator, `/api/installs/${job.id}/cancel`).expect(404);
    await post(globexOperator, `/api/installs/${job.id}/retry`).expect(404);
    await queue(deviceId, INSIGHTS, globexOperator).expect(404);
    await globexOperator.agent.get(`/api/devices/${deviceId}`).expect(404);
    await supertest(t.app).get('/api/installs').expect(401);
    await supertest(t.app)
      .post('/api/installs')
      .send({ deviceId, releaseId: INSIGHTS })
      .expect(403);
    expect(await jobStatus(job.id)).toBe('queued');
  });

  it('filters the installs list by status, device and item, newest first, page by page', async () => {
    const all = await operator.agent.get('/api/installs').query({ limit: 100 }).expect(200);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await operator.agent
        .get('/api/installs')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.total).toBe(all.body.total);
      seen.push(...page.body.items.map((j: InstallJob) => j.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((j: InstallJob) => j.id));

    const queued = await operator.agent
      .get('/api/installs')
      .query({ status: 'queued', limit: 100 });
    expect(queued.body.items.length).toBeGreaterThan(0);
    expect(queued.body.items.every((j: InstallJob) => j.status === 'queued')).toBe(true);
    const byItem = await operator.agent
      .get('/api/installs')
      .query({ itemId: 'item_energy_insights', status: 'cancelled', limit: 100 });
    expect(byItem.body.total).toBeGreaterThan(0);
    expect(
      byItem.body.items.every(
        (j: InstallJob) => j.itemId === 'item_energy_insights' && j.status === 'cancelled',
      ),
    ).toBe(true);
    await operator.agent.get('/api/installs').query({ status: 'lost' }).expect(400);
    await operator.agent.get('/api/installs').query({ cursor: 'nonsense' }).expect(400);
  });
});

describe('device IDs typed in any case', () => {
  it('queues, lists and shows a device whatever case its ID was typed in', async () => {
    const deviceId = acme('GW3', 14);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const typed = ` ${deviceId.toLowerCase()} `;
    const queued = await queue(typed, DIAGNOSTICS).expect(201);
    expect(queued.body.deviceId).toBe(deviceId);
    const listed = await operator.agent
      .get('/api/installs')
      .query({ deviceId: deviceId.toLowerCase() })
      .expect(200);
    expect(listed.body.items.map((j: InstallJob) => j.id)).toEqual([queued.body.id]);
    const shown = await detail('Acm-Gw3-0014');
    expect(shown.id).toBe(deviceId);
    expect(shown.installs.map((j) => j.id)).toEqual([queued.body.id]);
    const busy = await queue(deviceId.toLowerCase(), DIAGNOSTICS).expect(409);
    expect(busy.body.error.code).toBe('INSTALL_ALREADY_ACTIVE');
  });

  it('counts one device once in a bulk install, whatever case each copy was typed in', async () => {
    const deviceId = acme('GW3', 18);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const res = await post(operator, '/api/installs/bulk', {
      releaseId: DIAGNOSTICS,
      deviceIds: [deviceId.toLowerCase(), deviceId],
    }).expect(200);
    expect(res.body.queued.map((j: InstallJob) => j.deviceId)).toEqual([deviceId]);
    expect(res.body.refused).toEqual([]);
  });
});

describe('several requests at the same moment', () => {
  it('queues one job when the same install is asked for many times at once', async () => {
    const deviceId = acme('GW3', 22);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const before = await jobCount();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => queue(deviceId, DIAGNOSTICS)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body.error.code).toBe('INSTALL_ALREADY_ACTIVE');
    expect(await jobCount()).toBe(before + 1);
  });

  it('hands a job out once when a device asks for it several times at once', async () => {
    const deviceId = acme('GW3', 26);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const polls = await Promise.all(Array.from({ length: 5 }, () => device(deviceId).next()));
    for (const poll of polls) {
      expect(poll.status).toBe(200);
      expect(poll.body).toMatchObject({ id: job.id, status: 'sent' });
    }
    const { body } = await operator.agent.get(`/api/installs/${job.id}/events`).expect(200);
    expect(body.items.map((e: { status: string }) => e.status)).toEqual(['queued', 'sent']);
  });

  it('lets a cancel and a device report that arrive together take turns: one wins, the other is refused', async () => {
    const deviceId = acme('GW3', 30);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const me = device(deviceId);
    await me.next().expect(200);
    const [cancel, report] = await Promise.all([
      post(operator, `/api/installs/${job.id}/cancel`),
      me.report(job.id, { status: 'downloading', progress: 5 }),
    ]);
    expect([cancel.status, report.status].sort()).toEqual([200, 409]);
    const status = await jobStatus(job.id);
    expect(status).toBe(cancel.status === 200 ? 'cancelled' : 'downloading');
    // The loser was told the state the winner left, not the one both started from.
    const refused = cancel.status === 409 ? cancel : report;
    expect(refused.body.error.message).toContain(
      cancel.status === 409 ? 'downloading' : 'cancelled',
    );
    const { body } = await operator.agent.get(`/api/installs/${job.id}/events`).expect(200);
    expect(body.items.map((e: { status: string }) => e.status)).toEqual(['queued', 'sent', status]);
  });

  it('retries a failed install once when two retries arrive together', async () => {
    const deviceId = acme('GW3', 34);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
    const me = device(deviceId);
    await me.next().expect(200);
    await me.report(job.id, { status: 'failed', error: 'Checksum mismatch.' }).expect(200);
    const answers = await Promise.all([
      post(operator, `/api/installs/${job.id}/retry`),
      post(admin, `/api/installs/${job.id}/retry`),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('INSTALL_ALREADY_RETRIED');
    const shown = await detail(deviceId);
    expect(shown.installs.map((j) => [j.attempt, j.status])).toEqual([
      [2, 'queued'],
      [1, 'failed'],
    ]);
  });
});

describe('the install state machine through the API', () => {
  type Action =
    | { by: 'operator'; event: 'cancel' }
    | { by: 'device'; report: 'downloading' | 'installing' | 'succeeded' | 'failed' }
    | { by: 'device'; poll: true };
  const actions = fc.constantFrom<Action>(
    { by: 'operator', event: 'cancel' },
    { by: 'device', poll: true },
    { by: 'device', report: 'downloading' },
    { by: 'device', report: 'installing' },
    { by: 'device', report: 'succeeded' },
    { by: 'device', report: 'failed' },
  );

  it('from every state, every event either moves to the allowed state or is refused, changing nothing', async () => {
    const deviceId = acme('GW3', 10);
    await buy([deviceId], ['item_fleet_diagnostics']);
    const me = device(deviceId);
    const events = async (id: string) =>
      (
        await t.db
          .selectFrom('installJobEvents')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('jobId', '=', id)
          .executeTakeFirstOrThrow()
      ).count;

    await fc.assert(
      fc.asyncProperty(fc.array(actions, { minLength: 1, maxLength: 7 }), async (sequence) => {
        // Start each run from a fresh job: finish whatever the previous run left active.
        const { body: job } = await queue(deviceId, DIAGNOSTICS).expect(201);
        let status: InstallStatus = 'queued';
        for (const action of sequence) {
          const before = await events(job.id);
          let event: InstallEvent;
          let res: supertest.Response;
          if ('poll' in action) {
            event = 'send';
            res = await me.next();
            if (status !== 'queued') {
              expect(res.status === 204 || res.body.status === status).toBe(true);
              expect(await jobStatus(job.id)).toBe(status);
              continue;
            }
          } else if ('report' in action) {
            event = eventForReport(status, action.report);
            res = await me.report(job.id, { status: action.report });
          } else {
            event = 'cancel';
            res = await post(operator, `/api/installs/${job.id}/cancel`);
          }
          const allowed = nextInstallStatus(status, event);
          if (allowed) {
            expect(res.status).toBe(200);
            status = allowed;
            expect(await events(job.id)).toBe(before + 1);
          } else {
            expect(res.status).toBe(409);
            expect(await events(job.id)).toBe(before);
          }
          expect(await jobStatus(job.id)).toBe(status);
        }
        if (status === 'queued' || status === 'sent')
          await post(operator, `/api/installs/${job.id}/cancel`).expect(200);
        else if (status === 'downloading' || status === 'installing')
          await me.report(job.id, { status: 'failed' }).expect(200);
      }),
      { numRuns: 25 },
    );
  });
});
