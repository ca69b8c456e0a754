import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDeviceToken } from '../db/seed';
import { createTestApp, signIn, type TestApp } from '../testing/test-app';
import { seededDrawsOf, simulateDevices, type SimulatorOptions } from './simulator';

let t: TestApp;
let operator: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  t = await createTestApp();
  operator = await signIn(t.app, 'operator@acme.example');
  // Free diagnostics for a handful of devices, bought the way the dashboard buys them.
  const admin = await signIn(t.app, 'admin@acme.example');
  await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', 'simulator-diagnostics')
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_fleet_diagnostics'],
      deviceIds: ['ACM-CC3-0001', 'ACM-GW3-0002', 'ACM-MM2-0003', 'ACM-TX1-0004'],
      mode: 'test',
    })
    .expect(201);
});
afterAll(() => t.close());

const queue = async (deviceId: string) =>
  (
    await operator.agent
      .post('/api/installs')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ deviceId, releaseId: 'rel_fleet_diagnostics_2_2_0' })
      .expect(201)
  ).body as { id: string };
const jobOf = (id: string) =>
  t.db
    .selectFrom('installJobs')
    .select(['status', 'reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const statusOf = async (id: string) => (await jobOf(id)).status;

/** Plays devices; `lines` fills while they play, `done` settles when they stop. */
const play = (deviceIds: string[], options: Partial<SimulatorOptions> = {}) => {
  const lines: string[] = [];
  const done = simulateDevices({
    baseUrl: t.baseUrl,
    devices: deviceIds.map((id) => ({ id, token: demoDeviceToken(id) })),
    stepMs: 0,
    pollMs: 10,
    failureRate: 0,
    untilIdle: true,
    log: (line) => lines.push(line),
    ...options,
  });
  return { lines, done };
};

describe('the device simulator', () => {
  it('completes queued installs through the device API', async () => {
    const jobs = await Promise.all(['ACM-CC3-0001', 'ACM-GW3-0002'].map(queue));
    const { done, lines } = play(['ACM-CC3-0001', 'ACM-GW3-0002']);
    const summary = await done;
    expect(summary).toEqual({ succeeded: 2, failed: 0, dropped: 0 });
    expect(await Promise.all(jobs.map((j) => statusOf(j.id)))).toEqual(['succeeded', 'succeeded']);
    expect(lines).toContain('ACM-CC3-0001 · item_fleet_diagnostics 2.2.0 · downloading 50%');
    const installed = await t.db
      .selectFrom('deviceInstallations')
      .select('version')
      .where('deviceId', '=', 'ACM-GW3-0002')
      .executeTakeFirst();
    expect(installed?.version).toBe('2.2.0');
  });

  it('fails installs at the configured rate, with a reason', async () => {
    const job = await queue('ACM-MM2-0003');
    const summary = await play(['ACM-MM2-0003'], { failureRate: 1 }).done;
    expect(summary).toEqual({ succeeded: 0, failed: 1, dropped: 0 });
    const failed = await jobOf(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.reason).toMatch(/\.$/);
  });

  it('drops a job cancelled before it starts, and stops when told to', async () => {
    const job = await queue('ACM-TX1-0004');
    const controller = new AbortController();
    const running = play(['ACM-TX1-0004'], {
      stepMs: 2000,
      untilIdle: false,
      signal: controller.signal,
    });
    await expect.poll(() => statusOf(job.id), { timeout: 2000 }).toBe('sent');
    await operator.agent
      .post(`/api/installs/${job.id}/cancel`)
      .set('X-CSRF-Token', operator.csrfToken)
      .expect(200);
    const dropped =
      'ACM-TX1-0004 · item_fleet_diagnostics 2.2.0 · dropped: the job was cancelled or moved on';
    await expect.poll(() => running.lines, { timeout: 5000 }).toContain(dropped);
    controller.abort();
    expect(await running.done).toEqual({ succeeded: 0, failed: 0, dropped: 1 });
  });

  it('stops a device whose token is refused', async () => {
    const lines: string[] = [];
    const summary = await simulateDevices({
      baseUrl: t.baseUrl,
      devices: [{ id: 'ACM-TX1-0004', token: 'devtok_wrong' }],
      stepMs: 0,
      pollMs: 10,
      failureRate: 0,
      log: (line) => lines.push(line),
    });
    expect(summary).toEqual({ succeeded: 0, failed: 0, dropped: 0 });
    expect(lines).toEqual([
      'ACM-TX1-0004 · token refused; is this the seeded demo database? Stopping this device.',
    ]);
  });
});

describe('seeded failures', () => {
  const draws = (seed: number, deviceId: string, n = 5) => {
    const next = seededDrawsOf(seed, deviceId);
    return Array.from({ length: n }, next);
  };

  it('draws the same for a device on every run, and differently for other devices and seeds', () => {
    const first = draws(7, 'ACM-TX1-0004');
    expect(draws(7, 'ACM-TX1-0004')).toEqual(first);
    expect(draws(7, 'ACM-TX1-0008')).not.toEqual(first);
    expect(draws(8, 'ACM-TX1-0004')).not.toEqual(first);
    for (const draw of first) expect(draw >= 0 && draw < 1).toBe(true);
  });

  it('fails about the share asked for across a fleet', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `ACM-TX1-${String(i).padStart(4, '0')}`);
    const failing = ids.filter((id) => seededDrawsOf(42, id)() < 0.2).length;
    expect(failing).toBeGreaterThan(150);
    expect(failing).toBeLessThan(250);
  });
});
