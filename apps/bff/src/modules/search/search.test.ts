import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEARCH_RESULTS_LIMIT,
  type CreatedApiKey,
  type DeviceSearchResult,
  type SearchResponse,
  type SearchResult,
} from '@repo/schemas';
import { createPurchaseWriter } from '../../db/purchase-writer';
import { createApiKey } from '../../testing/storefront';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';
import { createSearchRepo } from './search.repo';
import { createSearchService } from './search.service';

type Client = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let admin: Client;
let support: Client;
let globex: Client;
let key: CreatedApiKey;
const made = {
  checkoutId: '',
  stripeSessionId: '',
  paymentIntentId: '',
  purchaseId: '',
  installJobId: '',
};

const CAMERA = 'ACM-CC3-0005';

/**
 * A camera that was refunded Night Vision, bought Motion AI live (installed), and
 * bought Fleet Diagnostics in test mode today through the real checkout; an install queued; an
 * API key.
 */
async function writeHistory() {
  await createPurchaseWriter(t.database)([
    {
      organisationId: 'org_acme',
      instanceId: 'mkt_eu',
      mode: 'live',
      createdAt: '2026-02-01T10:00:00.000Z',
      createdBy: 'usr_acme_admin',
      currency: 'eur',
      platformFeeBps: 500,
      lines: [
        {
          deviceId: CAMERA,
          itemId: 'item_motion_ai',
          unitAmount: 2999,
          install: {
            releaseId: 'rel_motion_ai_1_2_0',
            version: '1.2.0',
            status: 'succeeded',
            finishedAt: '2026-02-02T08:00:00.000Z',
          },
        },
      ],
    },
    {
      organisationId: 'org_acme',
      instanceId: 'mkt_eu',
      mode: 'live',
      createdAt: '2026-01-20T10:00:00.000Z',
      createdBy: 'usr_acme_admin',
      currency: 'eur',
      platformFeeBps: 500,
      lines: [
        {
          deviceId: CAMERA,
          itemId: 'item_night_vision',
          unitAmount: 1999,
          refundedAt: '2026-02-03T08:00:00.000Z',
        },
      ],
    },
  ]);
  const checkout = await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', 'search-1')
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_motion_ai'],
      deviceIds: ['ACM-CC3-0009'],
      mode: 'test',
    })
    .expect(201);
  made.checkoutId = checkout.body.id;
  made.stripeSessionId = checkout.body.stripeSessionId;
  await t.emulator.completeSession(made.stripeSessionId, 'succeeded');
  await t.emulator.flushWebhooks();
  const session = await t.db
    .selectFrom('checkoutSessions')
    .select('stripePaymentIntentId')
    .where('id', '=', made.checkoutId)
    .executeTakeFirstOrThrow();
  made.paymentIntentId = session.stripePaymentIntentId!;
  made.purchaseId = (
    await t.db
      .selectFrom('purchases')
      .select('id')
      .where('checkoutSessionId', '=', made.checkoutId)
      .executeTakeFirstOrThrow()
  ).id;
  await admin.agent
    .post('/api/checkout-sessions')
    .set('X-CSRF-Token', admin.csrfToken)
    .set('Idempotency-Key', 'search-2')
    .send({
      instanceId: 'mkt_eu',
      itemIds: ['item_fleet_diagnostics'],
      deviceIds: [CAMERA],
      mode: 'test',
    })
    .expect(201);
  const job = await admin.agent
    .post('/api/installs')
    .set('X-CSRF-Token', admin.csrfToken)
    .send({ deviceId: 'ACM-CC3-0009', releaseId: 'rel_motion_ai_1_2_0' })
    .expect(201);
  made.installJobId = job.body.id;
  key = await createApiKey(admin, { name: 'Web shop' });
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

const search = async (q: string, client: Client = support): Promise<SearchResponse> =>
  (await client.agent.get('/api/search').query({ q }).expect(200)).body;
const results = async (q: string, client?: Client) => (await search(q, client)).results;
const summary = (r: SearchResult) => [r.kind, r.id, r.matchedOn];
const device = (r: SearchResult | undefined) => {
  expect(r?.kind).toBe('device');
  return r as DeviceSearchResult;
};

describe(`GET /api/search (${TEST_DIALECT})`, () => {
  it('finds a device by its ID in any letter case, with what it bought and what runs on it', async () => {
    const answer = await search(`  ${CAMERA.toLowerCase()} `);
    expect(answer.query).toBe(CAMERA.toLowerCase());
    const camera = device(answer.results[0]);
    expect(camera).toMatchObject({
      id: CAMERA,
      title: CAMERA,
      matchedOn: 'id',
      model: 'cam-c3',
      answer: null,
    });
    expect(camera.subtitle).toContain('cam-c3');
    // Newest first: today's free product, then February's purchase, then January's refunded one.
    expect(camera.ownership).toEqual([
      expect.objectContaining({
        itemId: 'item_fleet_diagnostics',
        mode: 'test',
        status: 'active',
        installedVersion: null,
      }),
      expect.objectContaining({
        itemId: 'item_motion_ai',
        itemName: 'Motion AI',
        mode: 'live',
        status: 'active',
        installedVersion: '1.2.0',
      }),
      expect.objectContaining({
        itemId: 'item_night_vision',
        mode: 'live',
        status: 'refunded',
        installedVersion: null,
      }),
    ]);
  });

  it('answers "did this device buy that, and is it installed?" from words of the item', async () => {
    const owned = device((await results(`${CAMERA.toLowerCase()} motion`))[0]);
    expect(owned.answer).toEqual({
      itemId: 'item_motion_ai',
      itemName: 'Motion AI',
      owned: true,
      purchase: {
        id: owned.ownership.find((o) => o.itemId === 'item_motion_ai')!.purchaseId,
        status: 'active',
        mode: 'live',
        createdAt: '2026-02-01T10:00:00.000Z',
      },
      installedVersion: '1.2.0',
    });
    const refunded = device((await results(`${CAMERA} Night vision BOOST`))[0]);
    expect(refunded.answer).toMatchObject({
      itemId: 'item_night_vision',
      owned: false,
      purchase: { status: 'refunded' },
      installedVersion: null,
    });
    const never = device((await results(`${CAMERA} item_vpn_pro`))[0]);
    expect(never.answer).toEqual({
      itemId: 'item_vpn_pro',
      itemName: 'Gateway VPN Pro',
      owned: false,
      purchase: null,
      installedVersion: null,
    });
    // Bought today, not installed yet (its install is only queued).
    const today = device((await results('acm-cc3-0009 motion ai'))[0]);
    expect(today.answer).toMatchObject({
      owned: true,
      purchase: { id: made.purchaseId, mode: 'test' },
      installedVersion: null,
    });
    expect(device((await results(`${CAMERA} no such product`))[0]).answer).toBeNull();
  });

  it('finds devices by the start of their ID, in order, at most the limit', async () => {
    const some = await results('acm-cc3-000');
    expect(some.map(summary)).toEqual([
      ['device', 'ACM-CC3-0001', 'id_prefix'],
      ['device', 'ACM-CC3-0005', 'id_prefix'],
      ['device', 'ACM-CC3-0009', 'id_prefix'],
    ]);
    const many = await results('ACM');
    expect(many).toHaveLength(SEARCH_RESULTS_LIMIT);
    expect(many.every((r) => r.kind === 'device' && r.id.startsWith('ACM-'))).toBe(true);
    // Too short to mean one device.
    expect(await results('AC')).toEqual([]);
  });

  it('finds a purchase, a checkout and an install by our ids or their start, and Stripe’s ids', async () => {
    expect((await results(made.purchaseId)).map(summary)).toEqual([
      ['purchase', made.purchaseId, 'id'],
    ]);
    expect(await results(made.purchaseId.toUpperCase())).toEqual(await results(made.purchaseId));
    const purchase = (await results(made.purchaseId.slice(0, 20)))[0];
    expect(purchase).toMatchObject({
      kind: 'purchase',
      id: made.purchaseId,
      matchedOn: 'id_prefix',
      title: 'Motion AI for ACM-CC3-0009',
      deviceId: 'ACM-CC3-0009',
      price: { amount: 2999, currency: 'eur' },
      mode: 'test',
      status: 'active',
    });

    const session = {
      kind: 'checkout_session',
      id: made.checkoutId,
      title: `Checkout ${made.checkoutId}`,
      mode: 'test',
      status: 'complete',
      paymentStatus: 'paid',
      total: { amount: 2999, currency: 'eur' },
      stripeSessionId: made.stripeSessionId,
    };
    expect(await results(made.checkoutId)).toEqual([
      expect.objectContaining({ ...session, matchedOn: 'id' }),
    ]);
    expect((await results(made.checkoutId))[0]!.subtitle).toMatch(
      /^1 device\(s\) · 1 product\(s\)/,
    );
    expect(await results(made.stripeSessionId)).toEqual([
      expect.objectContaining({ ...session, matchedOn: 'stripe_checkout_session' }),
    ]);
    expect(await results(made.paymentIntentId)).toEqual([
      expect.objectContaining({ ...session, matchedOn: 'stripe_payment_intent' }),
    ]);

    expect(await results(made.installJobId)).toEqual([
      expect.objectContaining({
        kind: 'install_job',
        id: made.installJobId,
        matchedOn: 'id',
        title: 'Motion AI 1.2.0 on ACM-CC3-0009',
        deviceId: 'ACM-CC3-0009',
        version: '1.2.0',
        status: 'queued',
        attempt: 1,
      }),
    ]);
    expect(await results('pur_ffffffffffffffffffffffffffffffff')).toEqual([]);
    expect(await results('cs_test_nothing_like_it')).toEqual([]);
  });

  it('finds items by their id or by words of their name, in any order and case', async () => {
    expect((await results('ENERGY')).map(summary)).toEqual([
      ['item', 'item_energy_insights', 'name'],
    ]);
    expect((await results('scheduler eco')).map(summary)).toEqual([
      ['item', 'item_eco_scheduler', 'name'],
    ]);
    const vpn = await results('item_vpn_pro');
    expect(vpn).toEqual([
      expect.objectContaining({
        kind: 'item',
        id: 'item_vpn_pro',
        matchedOn: 'id',
        title: 'Gateway VPN Pro',
        price: { amount: 4900, currency: 'eur' },
        listed: true,
        instanceId: 'mkt_eu',
      }),
    ]);
    // Unlisted items are the provider's own too; another organisation's are not.
    expect((await results('night')).map((r) => r.id)).toEqual(['item_night_vision']);
    expect(await results('lock sync')).toEqual([]);
    // Characters that mean something to LIKE are only themselves.
    expect(await results('%')).toEqual([]);
    expect(await results('_')).toEqual([]);
  });

  it('finds API keys by their shown prefix or the whole secret, for admins only', async () => {
    expect((await results(key.prefix, admin)).map(summary)).toEqual([
      ['api_key', key.id, 'id_prefix'],
    ]);
    expect(await results(key.secret, admin)).toEqual([
      expect.objectContaining({
        kind: 'api_key',
        id: key.id,
        matchedOn: 'id',
        name: 'Web shop',
        prefix: key.prefix,
        mode: 'test',
        revokedAt: null,
      }),
    ]);
    expect((await results('mk_test_', admin)).map((r) => r.id)).toEqual([key.id]);
    expect(await results('mk_live_', admin)).toEqual([]);
    expect(await results(key.prefix, support)).toEqual([]);
    expect(await results(key.secret, support)).toEqual([]);
  });

  it('finds nothing of another organisation, whatever id is pasted', async () => {
    const queries = [
      CAMERA,
      `${CAMERA} motion`,
      'ACM-CC3',
      made.purchaseId,
      made.checkoutId,
      made.stripeSessionId,
      made.paymentIntentId,
      made.installJobId,
      'item_motion_ai',
      'motion',
      key.prefix,
      key.secret,
    ];
    for (const q of queries) expect(await results(q, globex), q).toEqual([]);
    expect((await results('lock sync', globex)).map((r) => r.id)).toEqual([
      'item_globex_lock_sync',
    ]);
  });

  it('refuses a missing, empty or overlong query with 400 and says why', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'q'],
      [{ q: '   ' }, 'q'],
      [{ q: 'x'.repeat(201) }, 'q'],
      [{ q: 'acm', limit: '5' }, '(root)'],
    ];
    for (const [query, path] of cases) {
      const res = await support.agent.get('/api/search').query(query).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    await supertest(t.app).get('/api/search?q=acm').expect(401);
  });

  it.runIf(TEST_DIALECT === 'sqlite')(
    'reads every table through an index, never every purchase, checkout or job of the organisation',
    async () => {
      const statements: RootOperationNode[] = [];
      const recorder: KyselyPlugin = {
        transformQuery: ({ node }: PluginTransformQueryArgs) => (statements.push(node), node),
        transformResult: async ({ result }: PluginTransformResultArgs) =>
          result as QueryResult<UnknownRow>,
      };
      const db = t.db.withPlugin(recorder);
      const service = createSearchService({
        search: createSearchRepo({ ...t.database, db }),
      });
      const actor = {
        userId: 'usr_acme_admin',
        email: 'admin@acme.example',
        role: 'admin' as const,
        organisationId: 'org_acme',
      };
      for (const q of [
        `${CAMERA} motion`,
        'acm-cc3-00',
        made.purchaseId.slice(0, 12),
        made.checkoutId,
        made.stripeSessionId,
        made.paymentIntentId,
        made.installJobId,
        key.secret,
        'eco scheduler',
      ])
        await service.search(actor, q);
      expect(statements.length).toBeGreaterThan(10);
      for (const node of statements) {
        const compiled = t.db.getExecutor().compileQuery(node, { queryId: 'plan' });
        const { rows } = await t.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
        );
        // A scan, or a walk through every purchase, checkout or job of the organisation.
        const walks = rows
          .map((r) => r.detail)
          .filter(
            (detail) =>
              detail.startsWith('SCAN') || /^SEARCH [pcj] .*\(organisation_id=\?\)$/.test(detail),
          );
        expect(walks, compiled.sql).toEqual([]);
      }
    },
  );
});
