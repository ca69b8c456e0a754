import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceGroupDetailSchema,
  deviceGroupSchema,
  deviceGroupsPageSchema,
  type DeviceGroup,
  type DeviceGroupFilter,
} from '@repo/schemas';
import { demoDeviceToken } from '../../db/seed';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';

type Client = Awaited<ReturnType<typeof signIn>>;
let t: TestApp;
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
const tx1 = (...ns: number[]) => ns.map((n) => acme('TX1', n));

const send = (who: Client, method: 'post' | 'patch' | 'delete', path: string, body?: object) =>
  who.agent[method](path).set('X-CSRF-Token', who.csrfToken).send(body);

async function createGroup(body: object, who = operator): Promise<DeviceGroup> {
  const res = await send(who, 'post', '/api/device-groups', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return deviceGroupSchema.parse(res.body);
}

let groupCounter = 0;
const dynamic = (filter: DeviceGroupFilter) =>
  createGroup({ name: `Filter ${++groupCounter}`, kind: 'dynamic', filter });

/** The IDs of a group's members, all pages of them. */
async function members(id: string, who = operator): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await who.agent
      .get(`/api/device-groups/${id}`)
      .query({ limit: 100, ...(cursor ? { cursor } : {}) })
      .expect(200);
    const detail = deviceGroupDetailSchema.parse(res.body);
    ids.push(...detail.members.items.map((d) => d.id));
    cursor = detail.members.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

const deviceList = async (query: Record<string, string | number>, who = operator) =>
  (
    await who.agent
      .get('/api/devices')
      .query({ limit: 100, ...query })
      .expect(200)
  ).body as {
    items: { id: string }[];
    total: number;
  };

async function buy(deviceIds: string[], itemIds: string[]) {
  const res = await send(admin, 'post', '/api/checkout-sessions', {
    instanceId: 'mkt_eu',
    itemIds,
    deviceIds,
    mode: 'test',
  })
    .set('Idempotency-Key', `groups-${++keyCounter}`)
    .expect(201);
  if (res.body.status !== 'complete') {
    await t.emulator.completeSession(res.body.stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
  }
}

/** Installs a release on a device by hand, the device reporting each step. */
async function install(deviceId: string, releaseId: string) {
  const job = await send(operator, 'post', '/api/installs', { deviceId, releaseId }).expect(201);
  const api = supertest(t.app);
  const auth = `Bearer ${demoDeviceToken(deviceId)}`;
  await api.get('/device-api/v1/jobs/next').set('Authorization', auth).expect(200);
  for (const status of ['downloading', 'installing', 'succeeded'])
    await api
      .post(`/device-api/v1/jobs/${job.body.id}/status`)
      .set('Authorization', auth)
      .send({ status })
      .expect(200);
}

describe('static groups', () => {
  it('keeps a list of devices, shown as the devices list shows them, page by page', async () => {
    const group = await createGroup({
      name: 'Berlin pilot',
      kind: 'static',
      deviceIds: ['acm-tx1-0012', 'ACM-TX1-0024', acme('CC3', 9), 'ACM-TX1-0012'],
    });
    expect(group).toMatchObject({
      name: 'Berlin pilot',
      kind: 'static',
      filter: null,
      deviceCount: 3,
      activeRolloutCount: 0,
    });
    const first = deviceGroupDetailSchema.parse(
      (await operator.agent.get(`/api/device-groups/${group.id}`).query({ limit: 2 }).expect(200))
        .body,
    );
    expect(first.members.items.map((d) => d.id)).toEqual([acme('CC3', 9), acme('TX1', 12)]);
    expect(first.members).toMatchObject({ total: 3 });
    expect(first.members.items[0]).toMatchObject({ model: 'cam-c3', tags: expect.any(Array) });
    expect(await members(group.id)).toEqual([acme('CC3', 9), ...tx1(12, 24)]);

    // The fleet list takes the group as a filter, with the other filters on top.
    const listed = await deviceList({ groupId: group.id, model: 'thermo-x1' });
    expect(listed).toMatchObject({ total: 2 });
    expect(listed.items.map((d) => d.id)).toEqual(tx1(12, 24));
    const ids = await operator.agent
      .get('/api/devices/ids')
      .query({ groupId: group.id })
      .expect(200);
    expect(ids.body).toMatchObject({ total: 3, truncated: false });
  });

  it('is listed by name, and renamed or given other devices', async () => {
    const group = await createGroup({ name: 'Zulu shelf', kind: 'static', deviceIds: tx1(4) });
    const renamed = deviceGroupSchema.parse(
      (
        await send(operator, 'patch', `/api/device-groups/${group.id}`, {
          name: 'Zulu rack',
          deviceIds: tx1(8, 16),
        }).expect(200)
      ).body,
    );
    expect(renamed).toMatchObject({ name: 'Zulu rack', deviceCount: 2 });
    expect(await members(group.id)).toEqual(tx1(8, 16));
    const page = deviceGroupsPageSchema.parse(
      (await support.agent.get('/api/device-groups').query({ q: 'zulu' }).expect(200)).body,
    );
    expect(page.items.map((g) => g.name)).toEqual(['Zulu rack']);
    const all = deviceGroupsPageSchema.parse(
      (await support.agent.get('/api/device-groups').query({ limit: 1 }).expect(200)).body,
    );
    expect(all.nextCursor).not.toBeNull();
    const next = deviceGroupsPageSchema.parse(
      (
        await support.agent
          .get('/api/device-groups')
          .query({ limit: 1, cursor: all.nextCursor! })
          .expect(200)
      ).body,
    );
    expect(next.items[0]!.name > all.items[0]!.name).toBe(true);
  });

  it('refuses devices that are not the organisation’s, a taken name and the wrong kind of change', async () => {
    const unknown = await send(operator, 'post', '/api/device-groups', {
      name: 'Mixed',
      kind: 'static',
      deviceIds: [acme('TX1', 4), 'GLX-TX1-0004', 'NOPE-1'],
    }).expect(422);
    expect(unknown.body.error.code).toBe('DEVICES_NOT_FOUND');
    expect(unknown.body.error.details.map((d: { deviceId: string }) => d.deviceId)).toEqual([
      'GLX-TX1-0004',
      'NOPE-1',
    ]);
    const group = await createGroup({ name: 'Taken', kind: 'static', deviceIds: tx1(4) });
    const taken = await send(operator, 'post', '/api/device-groups', {
      name: 'Taken',
      kind: 'dynamic',
      filter: {},
    }).expect(409);
    expect(taken.body.error.code).toBe('GROUP_NAME_TAKEN');
    const wrongKind = await send(operator, 'patch', `/api/device-groups/${group.id}`, {
      filter: { models: ['cam-c3'] },
    }).expect(422);
    expect(wrongKind.body.error.code).toBe('GROUP_KIND_MISMATCH');
    const bad = await send(operator, 'post', '/api/device-groups', {
      name: '',
      kind: 'static',
      deviceIds: [],
    }).expect(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'name',
      'deviceIds',
    ]);
    await operator.agent.get('/api/device-groups/lab').expect(400);
    await operator.agent.get('/api/devices').query({ groupId: 'lab' }).expect(400);
  });
});

describe('dynamic groups', () => {
  it('matches models, a firmware range compared as numbers, and sites', async () => {
    const group = await dynamic({
      models: ['thermo-x1'],
      firmwareMin: '1.8.0',
      firmwareMax: '2.0.1',
      sites: ['berlin'],
    });
    expect(group).toMatchObject({ kind: 'dynamic', deviceCount: 3 });
    expect(await members(group.id)).toEqual(tx1(12, 24, 36));
    // The same count before the filter is saved; support may not shape groups.
    const preview = await send(operator, 'post', '/api/device-groups/preview', {
      filter: group.filter,
    }).expect(200);
    expect(preview.body).toEqual({ deviceCount: 3 });
    await send(support, 'post', '/api/device-groups/preview', { filter: {} }).expect(403);
    const unknownItem = await send(operator, 'post', '/api/device-groups/preview', {
      filter: { entitledTo: { itemId: 'item_globex_watch' } },
    }).expect(404);
    expect(unknownItem.body.error.details[0].path).toBe('filter.entitledTo.itemId');
    const lab = await dynamic({ tags: ['env:lab', 'site:lyon'] });
    expect(await members(lab.id)).toEqual(
      [acme('CC3', 25), acme('TX1', 40), acme('GW3', 10)].sort(),
    );
    const backwards = await send(operator, 'post', '/api/device-groups', {
      name: 'Backwards',
      kind: 'dynamic',
      filter: { firmwareMin: '2.10.0', firmwareMax: '2.9.0' },
    }).expect(400);
    expect(backwards.body.error.details).toEqual([
      { path: 'filter.firmwareMax', message: 'at least firmwareMin' },
    ]);
  });

  it('follows entitlements and installed versions as they change', async () => {
    const entitled = await dynamic({ entitledTo: { itemId: 'item_eco_scheduler' } });
    const live = await dynamic({ entitledTo: { itemId: 'item_eco_scheduler', mode: 'live' } });
    const below = await dynamic({
      installed: { itemId: 'item_eco_scheduler', relation: 'below', version: '2.0.0' },
    });
    const none = await dynamic({
      models: ['thermo-x1'],
      installed: { itemId: 'item_eco_scheduler', relation: 'none' },
    });
    expect(await members(entitled.id)).toEqual([]);
    expect(await members(none.id)).toHaveLength(10);

    await buy(tx1(4, 8), ['item_eco_scheduler']);
    await install(acme('TX1', 4), 'rel_eco_scheduler_1_0_0');
    expect(await members(entitled.id)).toEqual(tx1(4, 8));
    expect(await members(live.id)).toEqual([]);
    expect(await members(below.id)).toEqual(tx1(4));
    expect(await members(none.id)).toHaveLength(9);
    const atLeast = await dynamic({
      installed: { itemId: 'item_eco_scheduler', relation: 'atLeast', version: '1.0' },
    });
    expect(await members(atLeast.id)).toEqual(tx1(4));

    // The saved filter can be replaced; what matches is read afresh.
    await send(operator, 'patch', `/api/device-groups/${entitled.id}`, {
      filter: { entitledTo: { itemId: 'item_eco_scheduler' }, firmwareMin: '2.4.0' },
    }).expect(200);
    expect(await members(entitled.id)).toEqual(tx1(8));
    const foreign = await send(operator, 'patch', `/api/device-groups/${entitled.id}`, {
      filter: { entitledTo: { itemId: 'item_globex_watch' } },
    }).expect(404);
    expect(foreign.body.error.code).toBe('ITEM_NOT_FOUND');
  });
});

describe('groups and rollouts', () => {
  it('cannot be deleted while an open rollout aims at it; a finished one keeps its name', async () => {
    await buy(tx1(20), ['item_fleet_diagnostics']);
    const group = await createGroup({ name: 'Canary rack', kind: 'static', deviceIds: tx1(20) });
    const created = await send(operator, 'post', '/api/rollouts', {
      name: 'Diagnostics to the rack',
      releaseId: 'rel_fleet_diagnostics_2_2_0',
      mode: 'test',
      target: { kind: 'group', groupId: group.id },
      phases: [{ kind: 'percent', value: 100 }],
      successThreshold: 1,
      errorThreshold: 0,
    }).expect(201);
    expect(created.body.target).toEqual({
      kind: 'group',
      groupId: group.id,
      groupName: 'Canary rack',
    });
    const inUse = await send(operator, 'delete', `/api/device-groups/${group.id}`).expect(409);
    expect(inUse.body.error.code).toBe('GROUP_IN_USE');
    const listed = (await operator.agent.get(`/api/device-groups/${group.id}`).expect(200)).body;
    expect(listed.activeRolloutCount).toBe(1);

    await send(operator, 'post', `/api/rollouts/${created.body.id}/abort`).expect(200);
    await send(operator, 'delete', `/api/device-groups/${group.id}`).expect(204);
    await operator.agent.get(`/api/device-groups/${group.id}`).expect(404);
    const kept = await operator.agent.get(`/api/rollouts/${created.body.id}`).expect(200);
    expect(kept.body.target).toEqual({ kind: 'group', groupId: null, groupName: 'Canary rack' });
  });
});

describe('who may do what', () => {
  it('lets admins and operators write and support read; other organisations see nothing', async () => {
    const group = await createGroup(
      { name: 'Admins made this', kind: 'static', deviceIds: tx1(4) },
      admin,
    );
    await support.agent.get(`/api/device-groups/${group.id}`).expect(200);
    await send(support, 'post', '/api/device-groups', {
      name: 'Nope',
      kind: 'static',
      deviceIds: tx1(4),
    }).expect(403);
    await send(support, 'patch', `/api/device-groups/${group.id}`, { name: 'Nope' }).expect(403);
    await send(support, 'delete', `/api/device-groups/${group.id}`).expect(403);

    await globexOperator.agent.get(`/api/device-groups/${group.id}`).expect(404);
    await globexOperator.agent.get('/api/devices').query({ groupId: group.id }).expect(404);
    await send(globexOperator, 'patch', `/api/device-groups/${group.id}`, { name: 'x' }).expect(
      404,
    );
    await send(globexOperator, 'delete', `/api/device-groups/${group.id}`).expect(404);
    const theirs = (await globexOperator.agent.get('/api/device-groups').expect(200)).body;
    expect(theirs.items).toEqual([]);
    await supertest(t.app).get('/api/device-groups').expect(401);
  });
});
