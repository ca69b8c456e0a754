import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
});
afterAll(() => t.close());

const validate = (body: object) =>
  admin.agent.post('/api/devices/validate').set('X-CSRF-Token', admin.csrfToken).send(body);

describe('POST /api/devices/validate', () => {
  it('judges each typed ID on its own and says what is wrong with it', async () => {
    const res = await validate({
      instanceId: 'mkt_eu',
      itemIds: ['item_eco_scheduler'],
      deviceIds: [
        'ACM-TX1-0004',
        ' ACM-TX1-0004 ',
        'NOPE-0001',
        'GLX-TX1-0004',
        'ACM-CC3-0001',
        'bad id!',
      ],
    }).expect(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.quote).toBeNull();
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'ok',
      'duplicate',
      'unknown',
      'not_in_organisation',
      'incompatible',
      'invalid',
    ]);
    const incompatible = res.body.results[4];
    expect(incompatible).toMatchObject({
      deviceId: 'ACM-CC3-0001',
      itemIds: ['item_eco_scheduler'],
    });
    expect(incompatible.message).toBe('A cam-c3 cannot run Eco Scheduler.');
  });

  it('finds a device typed in any case, and counts one device once', async () => {
    const res = await validate({
      instanceId: 'mkt_eu',
      itemIds: ['item_eco_scheduler'],
      deviceIds: ['acm-tx1-0004', 'ACM-TX1-0004 ', 'glx-tx1-0004', 'Acm-Cc3-0001'],
    }).expect(200);
    expect(
      res.body.results.map((r: { input: string; deviceId: string; status: string }) => [
        r.input,
        r.deviceId,
        r.status,
      ]),
    ).toEqual([
      ['acm-tx1-0004', 'ACM-TX1-0004', 'ok'],
      ['ACM-TX1-0004 ', 'ACM-TX1-0004', 'duplicate'],
      ['glx-tx1-0004', 'GLX-TX1-0004', 'not_in_organisation'],
      ['Acm-Cc3-0001', 'ACM-CC3-0001', 'incompatible'],
    ]);
  });

  it('names a device × item already bought, or held by another open checkout, unless it is the caller’s own', async () => {
    const checkout = (itemIds: string[], deviceIds: string[], key: string) =>
      admin.agent
        .post('/api/checkout-sessions')
        .set('X-CSRF-Token', admin.csrfToken)
        .set('Idempotency-Key', key)
        .send({ instanceId: 'mkt_eu', itemIds, deviceIds, mode: 'test' })
        .expect(201);
    // A free item is fulfilled at once; a paid one waits on Stripe, holding its lines.
    await checkout(['item_fleet_diagnostics'], ['ACM-CC3-0013'], 'validation-owned');
    const open = await checkout(['item_motion_ai'], ['ACM-CC3-0017'], 'validation-held');

    const basket = {
      instanceId: 'mkt_eu',
      itemIds: ['item_fleet_diagnostics', 'item_motion_ai'],
      deviceIds: ['acm-cc3-0013', 'acm-cc3-0017'],
      mode: 'test',
    };
    const res = await validate(basket).expect(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.results).toEqual([
      expect.objectContaining({
        deviceId: 'ACM-CC3-0013',
        status: 'already_entitled',
        itemIds: ['item_fleet_diagnostics'],
      }),
      expect.objectContaining({
        deviceId: 'ACM-CC3-0017',
        status: 'in_checkout',
        itemIds: ['item_motion_ai'],
        checkoutSessionId: open.body.id,
      }),
    ]);
    // Without a mode nothing is owned or held yet: a first look at the basket.
    const { mode: _mode, ...firstLook } = basket;
    expect((await validate(firstLook).expect(200)).body.valid).toBe(true);
    const own = await validate({
      ...basket,
      deviceIds: ['acm-cc3-0017'],
      ownCheckoutSessionId: open.body.id,
    }).expect(200);
    expect(own.body.results[0]).toMatchObject({ deviceId: 'ACM-CC3-0017', status: 'ok' });
  });

  it('flags unknown and unlisted products, and products from another organisation as unknown', async () => {
    const res = await validate({
      instanceId: 'mkt_eu',
      itemIds: ['item_night_vision', 'item_globex_watch', 'item_motion_ai'],
      deviceIds: ['ACM-CC3-0001'],
    }).expect(200);
    expect(res.body.items.map((i: { status: string }) => i.status)).toEqual([
      'unlisted',
      'unknown',
      'ok',
    ]);
    expect(res.body.valid).toBe(false);
  });

  it('prices a valid basket from the database, with the platform fee of a connected provider', async () => {
    const res = await validate({
      instanceId: 'mkt_eu',
      itemIds: ['item_motion_ai', 'item_fleet_diagnostics'],
      deviceIds: ['ACM-CC3-0001', 'ACM-CC3-0005', 'ACM-CC3-0009'],
      mode: 'test',
    }).expect(200);
    expect(res.body.valid).toBe(true);
    expect(res.body.quote).toEqual({
      currency: 'eur',
      subtotal: 8997,
      platformFee: 450,
      total: 8997,
      lines: [
        {
          itemId: 'item_motion_ai',
          name: 'Motion AI',
          unitAmount: 2999,
          quantity: 3,
          amount: 8997,
        },
        {
          itemId: 'item_fleet_diagnostics',
          name: 'Fleet Diagnostics',
          unitAmount: 0,
          quantity: 3,
          amount: 0,
        },
      ],
    });
  });

  it('takes no platform fee from a provider without a connected account', async () => {
    const globex = await signIn(t.app, 'admin@globex.example');
    const res = await globex.agent
      .post('/api/devices/validate')
      .set('X-CSRF-Token', globex.csrfToken)
      .send({ instanceId: 'mkt_eu', itemIds: ['item_globex_watch'], deviceIds: ['GLX-CC3-0001'] })
      .expect(200);
    expect(res.body.quote).toMatchObject({ subtotal: 2200, platformFee: 0 });
  });

  it('rejects a malformed body with details, and non-admins', async () => {
    const bad = await validate({ instanceId: 'mkt_eu', itemIds: [], deviceIds: 'ACM-1' }).expect(
      400,
    );
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'deviceIds',
      'itemIds',
    ]);
    const operator = await signIn(t.app, 'operator@acme.example');
    await operator.agent
      .post('/api/devices/validate')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ instanceId: 'mkt_eu', itemIds: ['item_motion_ai'], deviceIds: ['ACM-CC3-0001'] })
      .expect(403);
  });
});
