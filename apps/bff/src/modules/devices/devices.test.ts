import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';

let t: TestApp;
let acmeSupport: Awaited<ReturnType<typeof signIn>>['agent'];
beforeAll(async () => {
  t = await createTestApp();
  ({ agent: acmeSupport } = await signIn(t.app, 'support@acme.example'));
});
afterAll(() => t.close());

describe('GET /api/devices', () => {
  it('needs a session', async () => {
    const res = await supertest(t.app).get('/api/devices').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it("lists only the organisation's own devices, with the total", async () => {
    const res = await acmeSupport.get('/api/devices?limit=100').expect(200);
    expect(res.body.total).toBe(40);
    expect(res.body.items).toHaveLength(40);
    expect(res.body.items.every((d: { id: string }) => d.id.startsWith('ACM-'))).toBe(true);
    expect(res.body.nextCursor).toBeNull();
  });

  it('never shows globex devices to acme, whatever the search', async () => {
    const res = await acmeSupport.get('/api/devices?q=GLX').expect(200);
    expect(res.body).toMatchObject({ items: [], total: 0, nextCursor: null });
  });

  it('pages with a cursor without skipping or repeating devices', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: supertest.Response = await acmeSupport
        .get('/api/devices')
        .query({ limit: 7, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
    expect(seen).toEqual([...seen].sort());
  });

  it('filters by model, firmware and tag together', async () => {
    const res = await acmeSupport
      .get('/api/devices')
      .query({ model: 'cam-c3', tag: 'site:lyon', limit: 100 })
      .expect(200);
    expect(res.body.total).toBeGreaterThan(0);
    for (const device of res.body.items) {
      expect(device.model).toBe('cam-c3');
      expect(device.tags).toContain('site:lyon');
    }
    const firmware = res.body.items[0].firmwareVersion;
    const narrowed = await acmeSupport
      .get('/api/devices')
      .query({ model: 'cam-c3', tag: 'site:lyon', firmware, limit: 100 })
      .expect(200);
    expect(
      narrowed.body.items.every((d: { firmwareVersion: string }) => d.firmwareVersion === firmware),
    ).toBe(true);
  });

  it('searches by ID prefix and by name, treating wildcards literally', async () => {
    const byId = await acmeSupport.get('/api/devices?q=ACM-CC3-000').expect(200);
    expect(byId.body.items.map((d: { id: string }) => d.id)).toEqual([
      'ACM-CC3-0001',
      'ACM-CC3-0005',
      'ACM-CC3-0009',
    ]);
    const byName = await acmeSupport.get('/api/devices?q=lyon%20camera').expect(200);
    expect(byName.body.total).toBeGreaterThan(0);
    const wildcard = await acmeSupport.get('/api/devices?q=%25').expect(200);
    expect(wildcard.body.total).toBe(0);
    const underscore = await acmeSupport.get('/api/devices?q=_').expect(200);
    expect(underscore.body.total).toBe(0);
  });

  it('searches IDs and names whatever case they are typed in', async () => {
    const byId = await acmeSupport.get('/api/devices?q=%20acm-cc3-000').expect(200);
    expect(byId.body.items.map((d: { id: string }) => d.id)).toEqual([
      'ACM-CC3-0001',
      'ACM-CC3-0005',
      'ACM-CC3-0009',
    ]);
    const lower = await acmeSupport.get('/api/devices?q=lyon%20camera').expect(200);
    const upper = await acmeSupport.get('/api/devices?q=LYON%20CAMERA').expect(200);
    expect(upper.body.total).toBe(lower.body.total);
    expect(upper.body.items).toEqual(lower.body.items);
    const ids = await acmeSupport.get('/api/devices/ids?q=acm-cc3-000').expect(200);
    expect(ids.body).toEqual({
      ids: ['ACM-CC3-0001', 'ACM-CC3-0005', 'ACM-CC3-0009'],
      total: 3,
      truncated: false,
    });
  });

  it("lists each device's tags in order", async () => {
    const res = await acmeSupport.get('/api/devices?limit=100').expect(200);
    for (const device of res.body.items as { tags: string[] }[]) {
      expect(device.tags).toHaveLength(2);
      expect(device.tags).toEqual([...device.tags].sort());
    }
  });

  it('rejects a bad limit and a forged cursor with 400 and details', async () => {
    const limit = await acmeSupport.get('/api/devices?limit=1000').expect(400);
    expect(limit.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'limit' }],
    });
    const cursor = await acmeSupport.get('/api/devices?cursor=not-a-cursor').expect(400);
    expect(cursor.body.error.code).toBe('INVALID_CURSOR');
  });

  it('offers the filter values that exist in the fleet', async () => {
    const res = await acmeSupport.get('/api/devices/facets').expect(200);
    expect(res.body.models).toEqual(['cam-c3', 'gateway-g3', 'meter-m2', 'thermo-x1']);
    expect(res.body.tags).toContain('env:lab');
    expect(res.body.firmwareVersions.indexOf('1.8.0')).toBeLessThan(
      res.body.firmwareVersions.indexOf('2.0.1'),
    );
  });
});

describe('GET /api/devices/:deviceId', () => {
  it('shows an own device', async () => {
    const res = await acmeSupport.get('/api/devices/ACM-TX1-0004').expect(200);
    expect(res.body).toMatchObject({ id: 'ACM-TX1-0004', model: 'thermo-x1' });
    expect(res.body.tags).toEqual(['env:production', expect.stringMatching(/^site:/)]);
  });

  it('finds a device whatever case its ID is typed in', async () => {
    const res = await acmeSupport.get('/api/devices/acm-Tx1-0004').expect(200);
    expect(res.body).toMatchObject({ id: 'ACM-TX1-0004', model: 'thermo-x1' });
    await acmeSupport.get('/api/devices/glx-tx1-0004').expect(404);
  });

  it('answers 404 for a globex device, exactly as for an unknown one', async () => {
    const foreign = await acmeSupport.get('/api/devices/GLX-TX1-0004').expect(404);
    const unknown = await acmeSupport.get('/api/devices/NOPE-0000').expect(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect(unknown.body.error.code).toBe(foreign.body.error.code);
  });

  it('rejects an ID that cannot be a device ID', async () => {
    const res = await acmeSupport.get('/api/devices/%20%3Cscript%3E').expect(400);
    expect(res.body.error.details[0].path).toBe('deviceId');
  });
});

describe('GET /api/devices/ids', () => {
  it('lists every matching ID of the organisation, for "select all"', async () => {
    const res = await acmeSupport
      .get('/api/devices/ids?model=cam-c3&tag=env%3Aproduction')
      .expect(200);
    expect(res.body.truncated).toBe(false);
    expect(res.body.total).toBe(res.body.ids.length);
    expect(res.body.ids.length).toBeGreaterThan(0);
    expect(res.body.ids.every((id: string) => id.startsWith('ACM-CC3-'))).toBe(true);
  });
});
