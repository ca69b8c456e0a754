import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  installJobSchema,
  providerEventSchema,
  type InstallJob,
  type ProviderEvent,
} from '@repo/schemas';
import { openDatabase } from '../../db/database';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';
import { createProviderWebhookDispatcher } from './dispatcher';
import { SIGNATURE_HEADER, verifySignature } from './webhook-signature';

type Received = { headers: http.IncomingHttpHeaders; body: string; at: number };

/** A provider's server: answers each request with `statusFor(n)`, or never when it says 'hang'. */
async function startReceiver(statusFor: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      });
      const status = statusFor(received.length);
      if (status !== 'hang') res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
const receivers: Receiver[] = [];
let keyCounter = 0;

beforeAll(async () => {
  t = await createTestApp(
    {},
    { providerWebhooks: { retryDelaysMs: [50, 100, 200], timeoutMs: 300 } },
  );
  admin = await signIn(t.app, 'admin@acme.example');
});
afterEach(async () => {
  // Each test listens on its own endpoint; earlier ones must not receive later events.
  for (const r of receivers.splice(0)) await r.close();
  await t.db
    .updateTable('webhookEndpoints')
    .set({ disabledAt: new Date().toISOString() })
    .where('disabledAt', 'is', null)
    .execute();
});
afterAll(() => t.close());

async function receiver(statusFor?: (n: number) => number | 'hang') {
  const r = await startReceiver(statusFor);
  receivers.push(r);
  return r;
}

async function register(url: string, eventTypes = ['purchase.activated', 'purchase.refunded']) {
  const res = await admin.agent
    .post('/api/webhook-endpoints')
    .set('X-CSRF-Token', admin.csrfToken)
    .send({ url, mode: 'test', eventTypes, description: 'Shop backend' })
    .expect(201);
  return res.body as { id: string; secret: string };
}

/** Buys a paid item for fresh gateways through the dashboard and the emulator. */
async function buy(deviceIds: string[]) {
  const { body: created } = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', `webhook-test-${++keyCounter}-${Date.now()}`)
    .send({ instanceId: 'mkt_eu', itemIds: ['item_vpn_pro'], deviceIds, mode: 'test' })
    .expect(201);
  await t.emulator.completeSession(created.stripeSessionId, 'succeeded');
  await t.emulator.flushWebhooks();
  return created as { id: string };
}

/** Waits until `check` answers something truthy, and returns it. */
async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 3000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deliveriesOf = async (endpointId: string) =>
  (await admin.agent.get(`/api/webhook-endpoints/${endpointId}/deliveries`).expect(200)).body
    .items as {
    id: string;
    status: string;
    attempts: number;
    eventType: string;
    lastStatusCode: number | null;
  }[];

describe('webhook endpoints in the dashboard', () => {
  it('shows the signing secret once and never lists it', async () => {
    const created = await register('https://shop.example.com/hooks');
    expect(created.secret).toMatch(/^mkwhsec_/);
    const { body } = await admin.agent.get('/api/webhook-endpoints').expect(200);
    expect(JSON.stringify(body)).not.toContain(created.secret);
    expect(body.items[0]).toMatchObject({ id: created.id, url: 'https://shop.example.com/hooks' });
  });

  it('refuses a live endpoint without https, and an unknown event type', async () => {
    const res = await admin.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ url: 'http://shop.example.com/hooks', mode: 'live', eventTypes: ['purchase.lost'] })
      .expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'eventTypes.0',
    ]);
    const live = await admin.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({
        url: 'http://shop.example.com/hooks',
        mode: 'live',
        eventTypes: ['purchase.activated'],
      })
      .expect(400);
    expect(live.body.error.details).toEqual([
      { path: 'url', message: 'live endpoints must use https' },
    ]);
  });

  it('keeps endpoints to their organisation and to admins', async () => {
    const created = await register('https://shop.example.com/hooks');
    const globex = await signIn(t.app, 'admin@globex.example');
    await globex.agent.get(`/api/webhook-endpoints/${created.id}/deliveries`).expect(404);
    await globex.agent
      .post(`/api/webhook-endpoints/${created.id}/disable`)
      .set('X-CSRF-Token', globex.csrfToken)
      .expect(404);
    const support = await signIn(t.app, 'support@acme.example');
    await support.agent.get('/api/webhook-endpoints').expect(403);
  });
});

describe('delivering events', () => {
  it('sends purchase.activated for each purchase, signed with the endpoint secret and timestamped', async () => {
    const r = await receiver();
    const endpoint = await register(r.url);
    const purchase = await buy(['ACM-GW3-0002', 'ACM-GW3-0006']);
    await until(() => r.received.length >= 2);

    const events = r.received.map((hit) => {
      const signature = String(hit.headers[SIGNATURE_HEADER.toLowerCase()]);
      expect(signature).toMatch(/^t=\d+,v1=[a-f0-9]{64}$/);
      expect(verifySignature(hit.body, signature, endpoint.secret)).toBe(true);
      expect(verifySignature(hit.body, signature, 'mkwhsec_someone_else')).toBe(false);
      expect(verifySignature(`${hit.body} `, signature, endpoint.secret)).toBe(false);
      const stale = signature.replace(/t=\d+/, `t=${Math.floor(Date.now() / 1000) - 3600}`);
      expect(verifySignature(hit.body, stale, endpoint.secret)).toBe(false);
      return providerEventSchema.parse(JSON.parse(hit.body));
    });
    expect(events.map((e) => e.type)).toEqual(['purchase.activated', 'purchase.activated']);
    expect(
      events.map((e) => (e as Extract<ProviderEvent, { type: 'purchase.activated' }>).data.object),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          deviceId: 'ACM-GW3-0002',
          checkoutSessionId: purchase.id,
          status: 'active',
        }),
        expect.objectContaining({
          deviceId: 'ACM-GW3-0006',
          checkoutSessionId: purchase.id,
          status: 'active',
        }),
      ]),
    );
    expect(r.received[0]!.headers['marketplace-event-id']).toBe(events[0]!.id);

    const listed = await until(async () => {
      const items = await deliveriesOf(endpoint.id);
      return items.every((d) => d.status === 'succeeded') && items;
    });
    expect(listed).toHaveLength(2);
  });

  it('retries a failing receiver with growing waits until it answers 2xx', async () => {
    const r = await receiver((n) => (n <= 2 ? 500 : 200));
    const endpoint = await register(r.url);
    await buy(['ACM-GW3-0010']);
    await until(() => r.received.length >= 3);
    const gaps = [r.received[1]!.at - r.received[0]!.at, r.received[2]!.at - r.received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(r.received.map((x) => x.headers['marketplace-event-id'])).toEqual(
      Array(3).fill(r.received[0]!.headers['marketplace-event-id']),
    );
    const [delivery] = await until(async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'succeeded' && items;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
    const attempts = await t.db
      .selectFrom('webhookDeliveryAttempts')
      .select('statusCode')
      .where('deliveryId', '=', delivery!.id)
      .orderBy('id')
      .execute();
    expect(attempts).toEqual([{ statusCode: 500 }, { statusCode: 500 }, { statusCode: 200 }]);
  });

  it('gives up after the last retry, and an admin can resend the failed delivery', async () => {
    let healthy = false;
    const r = await receiver(() => (healthy ? 204 : 503));
    const endpoint = await register(r.url);
    await buy(['ACM-GW3-0014']);
    const [failed] = await until(async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'failed' && items;
    });
    expect(failed).toMatchObject({ attempts: 4, lastStatusCode: 503 });
    expect(r.received).toHaveLength(4);

    healthy = true;
    const resent = await admin.agent
      .post(`/api/webhook-endpoints/${endpoint.id}/deliveries/${failed!.id}/resend`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(202);
    expect(resent.body.status).toBe('pending');
    await until(() => r.received.length === 5);
    const [after] = await until(async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'succeeded' && items;
    });
    expect(after).toMatchObject({ attempts: 5, lastStatusCode: 204 });
    const again = await admin.agent
      .post(`/api/webhook-endpoints/${endpoint.id}/deliveries/${failed!.id}/resend`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(409);
    expect(again.body.error.code).toBe('DELIVERY_NOT_FAILED');
  });

  it('never holds up a purchase: a receiver that does not answer times out and is retried', async () => {
    const r = await receiver((n) => (n === 1 ? 'hang' : 200));
    const endpoint = await register(r.url);
    const started = Date.now();
    await buy(['ACM-GW3-0018']);
    expect(Date.now() - started).toBeLessThan(1500);
    await until(() => r.received.length >= 2);
    const deliveries = await until(async () => {
      const items = await deliveriesOf(endpoint.id);
      return items[0]?.status === 'succeeded' && items;
    });
    const [row] = await t.db
      .selectFrom('webhookDeliveryAttempts')
      .select('error')
      .where('deliveryId', '=', deliveries[0]!.id)
      .orderBy('id')
      .execute();
    expect(row!.error).toMatch(/No answer within/);
  });

  it('sends purchase.refunded once a refund settles', async () => {
    const r = await receiver();
    await register(r.url, ['purchase.refunded']);
    const bought = await buy(['ACM-GW3-0022']);
    const { body: session } = await admin.agent
      .get(`/api/checkout-sessions/${bought.id}`)
      .expect(200);
    await admin.agent
      .post(`/api/purchases/${session.purchases[0].id}/refund`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    await t.emulator.flushWebhooks();
    await until(() => r.received.length >= 1);
    const event = providerEventSchema.parse(JSON.parse(r.received[0]!.body));
    expect(event).toMatchObject({
      type: 'purchase.refunded',
      data: { object: { id: session.purchases[0].id, status: 'refunded' } },
    });
    expect(r.received).toHaveLength(1);
  });

  it("sends nothing to other organisations' endpoints or to unsubscribed types", async () => {
    const r = await receiver();
    const globex = await signIn(t.app, 'admin@globex.example');
    await globex.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', globex.csrfToken)
      .send({ url: r.url, mode: 'test', eventTypes: ['purchase.activated'] })
      .expect(201);
    await register(r.url, ['install.failed']);
    await buy(['ACM-GW3-0026']);
    await t.providerWebhooks.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toHaveLength(0);
  });
});

/** A finished install, as the install jobs record it. */
const job = installJobSchema.parse({
  id: 'job_1',
  deviceId: 'ACM-GW3-0030',
  itemId: 'item_vpn_pro',
  itemName: 'Gateway VPN Pro',
  releaseId: 'rel_vpn_pro_3_1_0',
  version: '3.1.0',
  status: 'succeeded',
  attempt: 1,
  retryOf: null,
  progress: 100,
  reason: null,
  createdAt: '2026-11-21T14:00:00.000Z',
  updatedAt: '2026-11-21T14:05:00.000Z',
  finishedAt: '2026-11-21T14:05:00.000Z',
});

/** Records that `job` finished, in a transaction of its own, as the installs service does. */
const recordInstallFinished = (app: TestApp, finished: InstallJob = job) =>
  app.database.transaction(() =>
    app.services.providerEvents.installFinished({
      organisationId: 'org_acme',
      mode: 'test',
      job: finished,
    }),
  );

const providerEventCount = async () =>
  (
    await t.db
      .selectFrom('providerEvents')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
  ).count;

describe('recording provider events', () => {
  it('records nothing when the transaction it is part of rolls back', async () => {
    const r = await receiver();
    await register(r.url, ['install.succeeded']);
    const before = await providerEventCount();
    await expect(
      t.database.transaction(async () => {
        await t.services.providerEvents.installFinished({
          organisationId: 'org_acme',
          mode: 'test',
          job,
        });
        throw new Error('the install update failed');
      }),
    ).rejects.toThrow('the install update failed');
    expect(await providerEventCount()).toBe(before);
    await t.providerWebhooks.idle();
    expect(r.received).toHaveLength(0);
  });

  it('delivers install events recorded inside a transaction, with the job as their object', async () => {
    const r = await receiver();
    await register(r.url, ['install.succeeded', 'install.failed']);
    await t.database.transaction(async () => {
      await t.services.providerEvents.installFinished({
        organisationId: 'org_acme',
        mode: 'test',
        job,
      });
      await t.services.providerEvents.record({
        organisationId: 'org_acme',
        mode: 'test',
        type: 'install.failed',
        data: { object: { ...job, id: 'job_2', status: 'failed', reason: 'Disk full' } },
      });
    });
    await until(() => r.received.length >= 2);
    const types = r.received.map((x) => providerEventSchema.parse(JSON.parse(x.body)).type).sort();
    expect(types).toEqual(['install.failed', 'install.succeeded']);
  });

  it('keeps pending deliveries across a restart: a new dispatcher picks them up', async () => {
    const r = await receiver();
    await register(r.url, ['install.succeeded']);
    await t.providerWebhooks.stop();
    try {
      await recordInstallFinished(t);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(r.received).toHaveLength(0);

      const restarted = createProviderWebhookDispatcher(
        t.database,
        pino({ level: 'silent' }),
        t.secrets,
        {
          pollIntervalMs: 50,
          allowPrivateAddresses: true,
        },
      );
      restarted.start();
      await until(() => r.received.length === 1);
      await restarted.stop();
    } finally {
      t.providerWebhooks.start();
    }
  });
});

describe('dispatchers on several instances', () => {
  /** Another instance's connection to the same database, closed after the test. */
  async function otherInstance() {
    const database = await openDatabase(t.config.database);
    onCleanup.push(() => database.close());
    return database;
  }
  const onCleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of onCleanup.splice(0).reverse()) await cleanup();
    if (t.providerWebhooks.stopped) t.providerWebhooks.start();
  });

  it('send each delivery once, however many claim at the same moment', async () => {
    const r = await receiver();
    await register(r.url, ['install.succeeded']);
    await t.providerWebhooks.stop();
    const jobs = Array.from({ length: 24 }, (_, i) => ({ ...job, id: `job_race_${i}` }));
    for (const finished of jobs) await recordInstallFinished(t, finished);

    // Three instances on PostgreSQL; on SQLite, which one process serves, three in that process.
    const databases =
      TEST_DIALECT === 'postgres'
        ? [t.database, await otherInstance(), await otherInstance()]
        : [t.database, t.database, t.database];
    const dispatchers = databases.map((database) =>
      createProviderWebhookDispatcher(database, pino({ level: 'silent' }), t.secrets, {
        pollIntervalMs: 20,
        batchSize: 3,
        allowPrivateAddresses: true,
      }),
    );
    for (const dispatcher of dispatchers) {
      dispatcher.start();
      onCleanup.push(() => dispatcher.stop());
    }
    await until(() => r.received.length >= jobs.length, 10_000);
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.idle()));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const jobIds = r.received.map((hit) => JSON.parse(hit.body).data.object.id as string);
    expect(jobIds.sort()).toEqual(jobs.map((finished) => finished.id).sort());
    const attempts = await t.db
      .selectFrom('webhookDeliveries')
      .innerJoin('webhookEndpoints', 'webhookEndpoints.id', 'webhookDeliveries.endpointId')
      .select(['webhookDeliveries.status', 'webhookDeliveries.attempts'])
      .where('webhookEndpoints.url', '=', r.url)
      .execute();
    expect(attempts).toHaveLength(jobs.length);
    expect(attempts.every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
  });

  it('wake at once when any instance records an event, without waiting for their poll', async () => {
    const r = await receiver();
    await register(r.url, ['install.succeeded']);
    await t.providerWebhooks.stop();
    // On SQLite one process is the only instance: its dispatcher shares the app's handle.
    const database = TEST_DIALECT === 'postgres' ? await otherInstance() : t.database;
    const sleepy = createProviderWebhookDispatcher(database, pino({ level: 'silent' }), t.secrets, {
      pollIntervalMs: 60_000,
      allowPrivateAddresses: true,
    });
    sleepy.start();
    onCleanup.push(() => sleepy.stop());
    await sleepy.idle();
    // Let its first, empty round settle into the long wait.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const recorded = Date.now();
    await recordInstallFinished(t, { ...job, id: 'job_wake' });
    await until(() => r.received.length === 1, 5_000);
    expect(Date.now() - recorded).toBeLessThan(3_000);
  });
});

describe('keeping events away from private networks', () => {
  it('refuses endpoints on loopback, private and link-local addresses', async () => {
    const strict = await createTestApp({ WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'false' });
    try {
      const strictAdmin = await signIn(strict.app, 'admin@acme.example');
      for (const [url, mode] of [
        ['http://169.254.169.254/latest/meta-data/', 'test'],
        ['https://10.0.0.1:8443/hooks', 'live'],
        ['http://127.0.0.1:22/', 'test'],
        ['http://[::1]/hooks', 'test'],
        ['http://localhost:8080/hooks', 'test'],
      ]) {
        const res = await strictAdmin.agent
          .post('/api/webhook-endpoints')
          .set('X-CSRF-Token', strictAdmin.csrfToken)
          .send({ url, mode, eventTypes: ['purchase.activated'] });
        expect(res.status, url).toBe(422);
        expect(res.body.error.code).toBe('WEBHOOK_URL_NOT_PUBLIC');
      }
      expect(await strict.db.selectFrom('webhookEndpoints').select('id').execute()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('does not deliver to an endpoint whose name now leads to a private address', async () => {
    const r = await receiver();
    const endpoint = await register(r.url, ['install.succeeded']);
    await t.providerWebhooks.stop();
    const strict = createProviderWebhookDispatcher(
      t.database,
      pino({ level: 'silent' }),
      t.secrets,
      {
        pollIntervalMs: 50,
        retryDelaysMs: [],
      },
    );
    try {
      strict.start();
      await recordInstallFinished(t);
      const [delivery] = await until(async () => {
        const list = await deliveriesOf(endpoint.id);
        return list[0]?.status === 'failed' && list;
      });
      expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: null });
      const { lastError } = await t.db
        .selectFrom('webhookDeliveries')
        .select('lastError')
        .where('id', '=', delivery!.id)
        .executeTakeFirstOrThrow();
      expect(lastError).toBe('The endpoint is not on a public internet address.');
      expect(r.received).toHaveLength(0);
    } finally {
      await strict.stop();
      t.providerWebhooks.start();
    }
  });

  it('stops retrying an endpoint disabled while a delivery to it is in flight', async () => {
    const r = await receiver(() => 'hang');
    const endpoint = await register(r.url, ['install.succeeded']);
    await recordInstallFinished(t);
    await until(() => r.received.length === 1);
    await admin.agent
      .post(`/api/webhook-endpoints/${endpoint.id}/disable`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    // Past the request timeout and every retry delay of this app's dispatcher.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.received).toHaveLength(1);
    expect((await deliveriesOf(endpoint.id))[0]?.status).toBe('failed');
  });
});
