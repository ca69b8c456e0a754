import { validate } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../testing/storefront';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { openApiPath } from './openapi';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let testKey: string;
let keyCounter = 0;

const SHOP = 'https://shop.example.com';

beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
  testKey = (await createApiKey(admin, { allowedOrigins: [SHOP] })).secret;
  // The first test app of a process migrates and seeds the template database: on PostgreSQL and a
  // busy machine, longer than a hook's default time.
}, 60_000);
afterAll(() => t.close());

/** A provider's server: plain fetch, a Bearer key, no cookie, no CSRF token. */
function v1(
  path: string,
  options: { key?: string | null; body?: unknown; idempotencyKey?: string } = {},
) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = options.key === undefined ? testKey : options.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  return fetch(`${t.baseUrl}/api/v1${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

const sessionRequest = (deviceIds: string[], extra: Record<string, unknown> = {}) => ({
  instanceId: 'mkt_eu',
  itemIds: ['item_vpn_pro', 'item_fleet_diagnostics'],
  deviceIds,
  successUrl: `${SHOP}/thanks?session={CHECKOUT_SESSION_ID}`,
  cancelUrl: `${SHOP}/basket`,
  ...extra,
});

function createSession(body: unknown, key?: string) {
  return v1('/checkout-sessions', {
    key,
    body,
    idempotencyKey: `order-${++keyCounter}-${Date.now()}`,
  });
}

async function checkoutSessionCount(): Promise<number> {
  const { count } = await t.db
    .selectFrom('checkoutSessions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return count;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
async function json<T = Record<string, any>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('API key rules', () => {
  it('answers 401 without a key and with a wrong one', async () => {
    for (const key of [null, 'mk_test_not-a-real-key-at-all-000000', 'sk_test_whatever']) {
      const res = await v1('/marketplaces/mkt_eu/items', { key });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('API_KEY_INVALID');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers 401 with a revoked key, at once', async () => {
    const key = await createApiKey(admin);
    expect((await v1('/marketplaces/mkt_eu/items', { key: key.secret })).status).toBe(200);
    await admin.agent
      .post(`/api/api-keys/${key.id}/revoke`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    const res = await v1('/marketplaces/mkt_eu/items', { key: key.secret });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('API_KEY_REVOKED');
  });

  it("keeps a key inside its organisation: another's sessions, devices and items are out of reach", async () => {
    const globex = await signIn(t.app, 'admin@globex.example');
    const globexKey = (await createApiKey(globex, { allowedOrigins: [SHOP] })).secret;
    const created = await json(await createSession(sessionRequest(['ACM-GW3-0002'])));
    expect(created.id).toMatch(/^chk_/);

    const read = await v1(`/checkout-sessions/${created.id}`, { key: globexKey });
    expect(read.status).toBe(404);
    const devices = await createSession(
      { ...sessionRequest(['ACM-GW3-0006']), itemIds: ['item_globex_lock_sync'] },
      globexKey,
    );
    expect(devices.status).toBe(422);
    expect((await json(devices)).error.details).toEqual([
      {
        path: 'deviceIds.0',
        message: 'ACM-GW3-0006: This device does not belong to your organisation.',
      },
    ]);
    const items = await createSession(sessionRequest(['GLX-GW3-0002']), globexKey);
    expect(items.status).toBe(422);
    const purchases = await v1('/purchases?deviceId=ACM-GW3-0002', { key: globexKey });
    expect((await json(purchases)).items).toEqual([]);
  });

  it('refuses a live session with a test key, and hides test sessions from a live key', async () => {
    const res = await createSession(sessionRequest(['ACM-GW3-0010'], { mode: 'live' }));
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('API_KEY_MODE_MISMATCH');

    const testSession = await json(await createSession(sessionRequest(['ACM-GW3-0010'])));
    const liveKey = (await createApiKey(admin, { mode: 'live', allowedOrigins: [SHOP] })).secret;
    expect((await v1(`/checkout-sessions/${testSession.id}`, { key: liveKey })).status).toBe(404);
    const live = await createSession(sessionRequest(['ACM-GW3-0014']), liveKey);
    expect(live.status).toBe(422);
    expect((await json(live)).error.code).toBe('MODE_NOT_CONFIGURED');
  });

  it('refuses return URLs outside the origins allowed for the key, creating nothing', async () => {
    const before = await checkoutSessionCount();
    const res = await createSession(
      sessionRequest(['ACM-GW3-0018'], {
        successUrl: 'https://evil.example.net/thanks',
        cancelUrl: 'https://shop.example.com.evil.example.net/basket',
      }),
    );
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('RETURN_URL_NOT_ALLOWED');
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'successUrl',
      'cancelUrl',
    ]);
    expect(await checkoutSessionCount()).toBe(before);
  });

  it('limits each key to its requests a minute, without slowing other keys', async () => {
    const limited = await createTestApp({ STOREFRONT_REQUESTS_PER_MINUTE: '3' });
    try {
      const limitedAdmin = await signIn(limited.app, 'admin@acme.example');
      const [busy, other] = [await createApiKey(limitedAdmin), await createApiKey(limitedAdmin)];
      const get = (key: string) =>
        fetch(`${limited.baseUrl}/api/v1/marketplaces/mkt_eu/items`, {
          headers: { Authorization: `Bearer ${key}` },
        });
      for (let i = 0; i < 3; i++) expect((await get(busy.secret)).status).toBe(200);
      const refused = await get(busy.secret);
      expect(refused.status).toBe(429);
      expect((await json(refused)).error.code).toBe('RATE_LIMITED');
      expect(refused.headers.get('ratelimit')).toMatch(/r=0/);
      expect((await get(other.secret)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('needs no session cookie or CSRF token, and ignores a dashboard session', async () => {
    const res = await admin.agent.get('/api/v1/marketplaces/mkt_eu/items');
    expect(res.status).toBe(401);
  });
});

describe('the storefront API, from item list to purchase state', () => {
  it('lists items, validates devices, sells through Stripe and reports the purchases', async () => {
    const items = await json(await v1('/marketplaces/mkt_eu/items'));
    expect(items.items.map((i: { id: string }) => i.id)).toContain('item_vpn_pro');
    expect(items.items.every((i: { listed: boolean }) => i.listed)).toBe(true);

    const check = await json(
      await v1('/devices/validate', {
        body: {
          instanceId: 'mkt_eu',
          itemIds: ['item_vpn_pro'],
          deviceIds: ['ACM-GW3-0022', 'ACM-GW3-0026', 'ACM-TX1-0004', 'NOPE-1'],
        },
      }),
    );
    expect(check.results.map((r: { status: string }) => r.status)).toEqual([
      'ok',
      'ok',
      'incompatible',
      'unknown',
    ]);

    const idempotencyKey = 'order-2026-0001';
    const request = sessionRequest(['ACM-GW3-0022', 'ACM-GW3-0026']);
    const createdRes = await v1('/checkout-sessions', { body: request, idempotencyKey });
    expect(createdRes.status).toBe(201);
    const created = await json(createdRes);
    expect(created).toMatchObject({
      status: 'open',
      phase: 'open',
      mode: 'test',
      amounts: { currency: 'eur', subtotal: 9800, total: 9800 },
      fulfilled: false,
    });
    expect(created).not.toHaveProperty('attempts');
    expect(created).not.toHaveProperty('stripeSessionId');
    const again = await json(await v1('/checkout-sessions', { body: request, idempotencyKey }));
    expect(again.id).toBe(created.id);

    const stripeSessionId = new URL(created.checkoutUrl).pathname.split('/').pop()!;
    const stripeSession = await t.stripe.checkout.sessions.retrieve(stripeSessionId);
    expect(stripeSession.success_url).toBe(request.successUrl);
    expect(stripeSession.cancel_url).toBe(request.cancelUrl);
    expect(stripeSession.metadata).toEqual({
      checkoutSessionId: created.id,
      organisationId: 'org_acme',
    });

    await t.emulator.completeSession(stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const read = await json(await v1(`/checkout-sessions/${created.id}`));
    expect(read).toMatchObject({
      status: 'complete',
      paymentStatus: 'paid',
      phase: 'active',
      fulfilled: true,
    });
    expect(read.purchases).toHaveLength(4);

    const page = await json(await v1('/purchases?deviceId=ACM-GW3-0022&limit=1'));
    expect(page.total).toBe(2);
    expect(page.items[0]).toMatchObject({
      checkoutSessionId: created.id,
      deviceId: 'ACM-GW3-0022',
      mode: 'test',
      status: 'active',
    });
    const next = await json(
      await v1(`/purchases?deviceId=ACM-GW3-0022&limit=1&cursor=${page.nextCursor}`),
    );
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
    expect(next.items[0].id).not.toBe(page.items[0].id);

    const audit = await t.db
      .selectFrom('auditEntries')
      .select(['userId', 'details'])
      .where('action', '=', 'checkout.create')
      .where('objectId', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(audit.userId).toBeNull();
    expect(JSON.parse(audit.details!).apiKeyId).toMatch(/^key_/);
  });

  it("refuses a second key a checkout for a device already in the dashboard's open checkout", async () => {
    const { body: dashboard } = await admin.agent
      .post('/api/checkout-sessions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Idempotency-Key', 'dashboard-tab-1')
      .send({
        instanceId: 'mkt_eu',
        itemIds: ['item_vpn_pro'],
        deviceIds: ['ACM-GW3-0034'],
        mode: 'test',
      })
      .expect(201);
    const otherKey = (await createApiKey(admin, { allowedOrigins: [SHOP], name: 'Second shop' }))
      .secret;
    const res = await createSession(sessionRequest(['ACM-GW3-0034']), otherKey);
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error.code).toBe('ALREADY_OWNED_OR_IN_CHECKOUT');
    expect(error.details).toEqual([
      expect.objectContaining({
        deviceId: 'ACM-GW3-0034',
        itemId: 'item_vpn_pro',
        checkoutSessionId: dashboard.id,
      }),
    ]);
  });

  it('refuses a missing Idempotency-Key and an unknown field with a clear 400', async () => {
    const missing = await v1('/checkout-sessions', { body: sessionRequest(['ACM-GW3-0030']) });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const priced = await createSession({ ...sessionRequest(['ACM-GW3-0030']), amount: 1 });
    expect(priced.status).toBe(400);
    expect((await json(priced)).error.code).toBe('VALIDATION_FAILED');
  });

  it('answers an unknown route with the one error shape', async () => {
    const res = await v1('/nothing-here');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a key', async () => {
    const res = await v1('/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const document = (await res.json()) as OpenAPIV3_1.Document;
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
    // The same check does catch a broken document.
    const broken = structuredClone(document) as unknown as { paths: Record<string, unknown> };
    broken.paths['/purchases'] = { get: { responses: 'none' } };
    expect((await validate(broken as unknown as OpenAPIV3_1.Document)).valid).toBe(false);
    expect(Object.keys(document.webhooks ?? {}).sort()).toEqual([
      'install.failed',
      'install.succeeded',
      'purchase.activated',
      'purchase.refunded',
      'rollout.completed',
      'rollout.paused',
    ]);
  });

  it("documents the session's phase, with every value it can take", async () => {
    const document = (await json(await v1('/openapi.json', { key: null }))) as OpenAPIV3_1.Document;
    const answer = document.paths?.['/checkout-sessions/{id}']?.get?.responses?.['200'] as
      OpenAPIV3_1.ResponseObject | undefined;
    const schema = answer?.content?.['application/json']?.schema as OpenAPIV3_1.SchemaObject;
    expect(schema.required).toContain('phase');
    expect((schema.properties?.phase as OpenAPIV3_1.SchemaObject).enum).toEqual([
      'open',
      'pending',
      'active',
      'failed',
      'expired',
      'cancelled',
      'refunded',
    ]);
  });

  it('describes every /api/v1 route the server answers, and no other', async () => {
    const document = (await json(await v1('/openapi.json', { key: null }))) as OpenAPIV3_1.Document;
    const documented = Object.entries(document.paths ?? {})
      .flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method} ${path}`))
      .sort();

    type Layer = {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: Layer[] };
    };
    const appStack = (t.app as unknown as { router: { stack: Layer[] } }).router.stack;
    const v1Router = appStack.find((layer) =>
      layer.handle?.stack?.some((inner) => inner.route?.path === '/openapi.json'),
    );
    const served = (v1Router?.handle?.stack ?? [])
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods).map((m) => `${m} ${openApiPath(layer.route!.path)}`)
          : [],
      )
      .sort();
    expect(served.length).toBeGreaterThanOrEqual(6);
    expect(documented).toEqual(served);
  });
});
