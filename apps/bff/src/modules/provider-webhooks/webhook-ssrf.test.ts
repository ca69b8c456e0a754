import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installJobSchema } from '@repo/schemas';
import { isPublicAddress } from '../../security/public-address';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { createProviderWebhookDispatcher } from './dispatcher';

/** Written so that each one leads to this machine or a private network. */
const REFUSED_HOSTS = [
  // IPv6 forms that embed an IPv4 loopback or private address
  '[::127.0.0.1]',
  '[::7f00:1]',
  '[::ffff:7f00:1]',
  '[::ffff:127.0.0.1]',
  '[0:0:0:0:0:ffff:7f00:1]',
  '[::ffff:0:7f00:1]',
  '[64:ff9b::7f00:1]',
  '[64:ff9b::10.0.0.1]',
  '[64:ff9b:1::a00:1]',
  '[2002:7f00:0001::]',
  '[2002:c0a8:0101::1]',
  '[2001:0:4136:e378:8000:63bf:80ff:fffe]',
  // IPv6 ranges of their own
  '[::]',
  '[::1]',
  '[fe80::1]',
  '[fc00::1]',
  '[fd12:3456:789a::1]',
  '[fec0::1]',
  '[ff02::1]',
  '[2001:db8::1]',
  // IPv4 in odd spellings, and the private ranges
  '2130706433',
  '0x7f.1',
  '127.1',
  '017700000001',
  '0177.0.0.1',
  '0.0.0.0',
  '0',
  '10.1',
  '192.168.1.1',
  '172.16.0.1',
  '100.64.0.1',
  '169.254.169.254',
  '224.0.0.1',
  '255.255.255.255',
];

/** What a resolver could answer for a name, each of which must stop the delivery. */
const REFUSED_RESOLVED = [
  '127.0.0.1',
  '10.0.0.7',
  '::1',
  '::',
  '::7f00:1',
  '::ffff:7f00:1',
  '64:ff9b::7f00:1',
  '2002:7f00:1::',
  '2001:0:4136:e378:8000:63bf:80ff:fffe',
  'fe80::1',
  'fd00::1',
  'ff02::1',
];

const job = installJobSchema.parse({
  id: 'job_ssrf',
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

const NOT_PUBLIC = 'The endpoint is not on a public internet address.';

/** Records that `finished` finished, in a transaction of its own, as the installs service does. */
const recordInstallFinished = (app: TestApp, finished: typeof job) =>
  app.database.transaction(() =>
    app.services.providerEvents.installFinished({
      organisationId: 'org_acme',
      mode: 'test',
      job: finished,
    }),
  );

/** Each delivery's endpoint address, status and last error. */
const deliveryOutcomes = (app: TestApp, { enabledOnly = false } = {}) =>
  app.db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
    .select(['e.url', 'd.status', 'd.lastError'])
    .$if(enabledOnly, (q) => q.where('e.disabledAt', 'is', null))
    .execute();

describe('the public-address check', () => {
  it.each(REFUSED_RESOLVED)('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])(
    'accepts the public address %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('webhook endpoints on odd addresses', () => {
  let strict: TestApp;
  let loose: TestApp;
  let receiver: http.Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    strict = await createTestApp({ WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'false' });
    // Where endpoints get registered without the check, to see what delivery does with them.
    loose = await createTestApp();
    receiver = http.createServer((req, res) => {
      received.push(req.url ?? '');
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await strict.close();
    await loose.close();
  });

  it('refuses each at registration with 422 and stores nothing', async () => {
    const admin = await signIn(strict.app, 'admin@acme.example');
    for (const host of REFUSED_HOSTS) {
      const res = await admin.agent
        .post('/api/webhook-endpoints')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({
          url: `http://${host}:${port}/hooks`,
          mode: 'test',
          eventTypes: ['install.succeeded'],
        });
      expect(res.status, host).toBe(422);
      expect(res.body.error.code, host).toBe('WEBHOOK_URL_NOT_PUBLIC');
    }
    expect(await strict.db.selectFrom('webhookEndpoints').select('id').execute()).toEqual([]);
    // A public address is still taken (no connection is made when registering an address).
    await admin.agent
      .post('/api/webhook-endpoints')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({
        url: 'https://[2606:4700:4700::1111]/hooks',
        mode: 'test',
        eventTypes: ['install.succeeded'],
      })
      .expect(201);
  });

  it('refuses each at connect time, with a reason that names no address', async () => {
    const admin = await signIn(loose.app, 'admin@acme.example');
    for (const host of REFUSED_HOSTS) {
      await admin.agent
        .post('/api/webhook-endpoints')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({
          url: `http://${host}:${port}/hooks`,
          mode: 'test',
          eventTypes: ['install.succeeded'],
        })
        .expect(201);
    }
    await loose.providerWebhooks.stop();
    const dispatcher = createProviderWebhookDispatcher(
      loose.database,
      pino({ level: 'silent' }),
      loose.secrets,
      {
        pollIntervalMs: 50,
        retryDelaysMs: [],
        timeoutMs: 1000,
      },
    );
    try {
      dispatcher.start();
      await recordInstallFinished(loose, job);
      await dispatcher.idle();
      const outcomes = await deliveryOutcomes(loose);
      expect(outcomes).toHaveLength(REFUSED_HOSTS.length);
      for (const outcome of outcomes) {
        expect(outcome, outcome.url).toMatchObject({ status: 'failed', lastError: NOT_PUBLIC });
      }
      // The forms of 127.0.0.1 would have reached the receiver listening there.
      expect(received).toEqual([]);
    } finally {
      await dispatcher.stop();
    }
  });

  it('refuses a name that resolves to any of them, at connect time', async () => {
    const admin = await signIn(loose.app, 'admin@acme.example');
    await loose.db
      .updateTable('webhookEndpoints')
      .set({ disabledAt: new Date().toISOString() })
      .execute();
    const names = REFUSED_RESOLVED.map((_, i) => `hooks-${i}.example.com`);
    for (const name of names) {
      await admin.agent
        .post('/api/webhook-endpoints')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({
          url: `http://${name}:${port}/hooks`,
          mode: 'test',
          eventTypes: ['install.succeeded'],
        })
        .expect(201);
    }
    // Each name has a public address and one of the refused ones, as a rebinding resolver would answer.
    const lookup = ((
      hostname: string,
      options: { all?: boolean },
      callback: (...args: unknown[]) => void,
    ) => {
      const refused = REFUSED_RESOLVED[names.indexOf(hostname)]!;
      const addresses = [
        { address: '93.184.216.34', family: 4 },
        { address: refused, family: refused.includes(':') ? 6 : 4 },
      ];
      if (options.all) callback(null, addresses);
      else callback(null, addresses[1]!.address, addresses[1]!.family);
    }) as unknown as LookupFunction;
    const dispatcher = createProviderWebhookDispatcher(
      loose.database,
      pino({ level: 'silent' }),
      loose.secrets,
      {
        pollIntervalMs: 50,
        retryDelaysMs: [],
        timeoutMs: 1000,
        lookup,
      },
    );
    try {
      dispatcher.start();
      await recordInstallFinished(loose, { ...job, id: 'job_ssrf_names' });
      await dispatcher.idle();
      const outcomes = await deliveryOutcomes(loose, { enabledOnly: true });
      expect(outcomes).toHaveLength(names.length);
      for (const outcome of outcomes) {
        expect(outcome, outcome.url).toMatchObject({ status: 'failed', lastError: NOT_PUBLIC });
      }
    } finally {
      await dispatcher.stop();
    }
  });
});
