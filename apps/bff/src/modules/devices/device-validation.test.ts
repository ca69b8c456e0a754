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
