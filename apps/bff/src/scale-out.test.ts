import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '@repo/stripe-emulator';
import { openDatabase, type Database } from './db/database';
import { DEMO_PASSWORD } from './db/seed';
import { hashToken } from './security/tokens';
import { STRIPE_API_VERSION } from './stripe/stripe-gateway';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from './testing/test-database';

/**
 * Two BFF processes on one PostgreSQL, behind no proxy, each taking Stripe's webhooks, the return
 * page's reconcile and the outbox's work for the same payments at the same moments. However the
 * work interleaves, each device × item is bought once, holds one entitlement, and the provider
 * hears of each purchase once.
 */
const SECRET_KEY = 'sk_test_scale_out';
const WEBHOOK_SECRET = 'whsec_scale_out';
const ROUNDS = 25;
const DEVICES_PER_BASKET = 3;
const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

type Instance = { url: string; process: ChildProcess };

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('dashboard is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.process.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once('exit', resolve));
  instance.process.kill('SIGTERM');
  await exited;
}

/** The provider's endpoint: every delivery, with its event id. */
async function startProviderReceiver() {
  const events: { id: string; type: string; purchaseId: string }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const event = JSON.parse(body) as {
        id: string;
        type: string;
        data: { object: { id: string } };
      };
      events.push({ id: event.id, type: event.type, purchaseId: event.data.object.id });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    events,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe.runIf(TEST_DIALECT === 'postgres')('several instances on one PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let emulator: StripeEmulator;
  let receiver: Awaited<ReturnType<typeof startProviderReceiver>>;
  const instances: Instance[] = [];
  const stripe = () =>
    new Stripe(SECRET_KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
    });

  const deviceIds = Array.from(
    { length: ROUNDS * DEVICES_PER_BASKET },
    (_, i) => `ACM-TX9-${String(i + 1).padStart(4, '0')}`,
  );

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = await openDatabase(testDatabase.target);
    // Thermostats of their own, so that every round buys for devices nobody owns yet.
    await database.db
      .insertInto('devices')
      .values(
        deviceIds.map((id) => ({
          id,
          organisationId: 'org_acme',
          name: `Scale-out thermostat ${id}`,
          model: 'thermo-x1',
          firmwareVersion: '2.4.0',
          tokenHash: hashToken(randomBytes(16).toString('hex')),
          lastSeenAt: null,
          createdAt: new Date().toISOString(),
        })),
      )
      .execute();
    emulator = await startStripeEmulator({ port: 0 });
    receiver = await startProviderReceiver();
    const env = {
      ...testDatabase.env,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      PUBLIC_URL: 'http://localhost:5999',
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'true',
      DASHBOARD_DIST: `${testDatabase.dir}/no-dashboard`,
      STRIPE_SECRET_KEY_TEST: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET_TEST: WEBHOOK_SECRET,
      STRIPE_API_URL: emulator.url,
      WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true',
    };
    // Both start at once: migrations, the seed and the settings race too.
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
    // Stripe delivers every event to both, as a retry after a lost answer would.
    emulator.setWebhooks(
      instances.map((i) => ({ url: `${i.url}/api/webhooks/stripe/test`, secret: WEBHOOK_SECRET })),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await emulator?.close();
    await receiver?.close();
    await database?.close();
    await testDatabase?.drop();
  });

  async function signIn(instance: Instance) {
    const agent = supertest.agent(instance.url);
    const { body } = await agent.get('/api/auth/csrf').expect(200);
    const login = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', body.csrfToken as string)
      .send({ email: 'admin@acme.example', password: DEMO_PASSWORD })
      .expect(200);
    return { agent, csrfToken: login.body.csrfToken as string };
  }

  it('buys each device × item once, with one entitlement and one provider webhook, however the work races', async () => {
    const [a, b] = await Promise.all(instances.map(signIn));
    await a!.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', a!.csrfToken)
      .send({ url: receiver.url, mode: 'test', eventTypes: ['purchase.activated'] })
      .expect(201);

    const sessions: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Each round starts on the other instance, and both sign the customer back in at the end.
      const [creator, other] = round % 2 === 0 ? [a!, b!] : [b!, a!];
      const created = await creator.agent
        .post('/api/checkout-sessions')
        .set('X-CSRF-Token', creator.csrfToken)
        .set('Idempotency-Key', `scale-out-${round}`)
        .send({
          instanceId: 'mkt_eu',
          itemIds: ['item_eco_scheduler'],
          deviceIds: deviceIds.slice(round * DEVICES_PER_BASKET, (round + 1) * DEVICES_PER_BASKET),
          mode: 'test',
        })
        .expect(201);
      const id = created.body.id as string;
      sessions.push(id);

      // The customer pays: the emulator sends checkout.session.completed to both instances.
      const checkoutUrl = new URL(created.body.checkoutUrl as string);
      await fetch(`${checkoutUrl.origin}${checkoutUrl.pathname}/pay`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'outcome=succeeded',
        redirect: 'manual',
      });

      // And at the same moment: one more copy of the event to each instance, and the return
      // page reconciling with Stripe on each.
      const session = await stripe().checkout.sessions.retrieve(
        (
          await database.db
            .selectFrom('checkoutSessions')
            .select('stripeSessionId')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).stripeSessionId!,
      );
      const payload = JSON.stringify({
        id: `evt_scale_out_${round}`,
        object: 'event',
        api_version: STRIPE_API_VERSION,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: 'checkout.session.completed',
        data: { object: session },
      });
      const signature = stripe().webhooks.generateTestHeaderString({
        payload,
        secret: WEBHOOK_SECRET,
      });
      const answers = await Promise.all([
        ...instances.map((instance) =>
          fetch(`${instance.url}/api/webhooks/stripe/test`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
            body: payload,
          }),
        ),
        creator.agent.get(`/api/checkout-sessions/${id}`),
        other.agent.get(`/api/checkout-sessions/${id}`),
      ]);
      for (const answer of answers) expect(answer.status).toBe(200);
    }

    // Everything settles: every session fulfilled, every provider event delivered.
    await expect
      .poll(
        async () =>
          (
            await database.db
              .selectFrom('checkoutSessions')
              .select('id')
              .where('id', 'in', sessions)
              .where('fulfilledAt', 'is not', null)
              .execute()
          ).length,
        { timeout: 30_000, interval: 250 },
      )
      .toBe(ROUNDS);
    await expect
      .poll(
        async () =>
          (
            await database.db
              .selectFrom('webhookDeliveries')
              .select('id')
              .where('status', '!=', 'succeeded')
              .execute()
          ).length,
        { timeout: 30_000, interval: 250 },
      )
      .toBe(0);

    const purchases = await database.db
      .selectFrom('purchases')
      .select(['id', 'deviceId', 'itemId'])
      .where('deviceId', 'in', deviceIds)
      .execute();
    expect(purchases).toHaveLength(deviceIds.length);
    expect(new Set(purchases.map((p) => `${p.deviceId}|${p.itemId}`)).size).toBe(deviceIds.length);

    const entitlements = await database.db
      .selectFrom('entitlements')
      .select(['deviceId', 'purchaseId'])
      .where('deviceId', 'in', deviceIds)
      .where('status', '=', 'active')
      .execute();
    expect(entitlements).toHaveLength(deviceIds.length);
    expect(new Set(entitlements.map((e) => e.deviceId)).size).toBe(deviceIds.length);

    // One purchase.activated event per purchase, each delivered once.
    const announced = receiver.events.filter((e) => e.type === 'purchase.activated');
    expect(announced.map((e) => e.purchaseId).sort()).toEqual(purchases.map((p) => p.id).sort());
    expect(new Set(announced.map((e) => e.id)).size).toBe(announced.length);

    // Each copy of an event was recorded once; the other copies were acknowledged as duplicates.
    const raced = await database.db
      .selectFrom('webhookEvents')
      .select(['id', 'outcome'])
      .where('id', 'like', 'evt_scale_out_%')
      .execute();
    expect(raced).toHaveLength(ROUNDS);
  }, 180_000);
});
