import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../../testing/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('marketplaces', () => {
  it("lists the organisation's instances", async () => {
    const { agent } = await signIn(t.app, 'operator@acme.example');
    const res = await agent.get('/api/marketplaces').expect(200);
    expect(res.body.items).toEqual([
      { id: 'mkt_eu', name: 'Device Marketplace Europe', currency: 'eur', platformFeeBps: 500 },
    ]);
  });

  it('lists all own items in Store and only listed ones in the Store Preview', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    const all = await agent.get('/api/marketplaces/mkt_eu/items').expect(200);
    const listed = await agent.get('/api/marketplaces/mkt_eu/items?listed=true').expect(200);
    expect(all.body.items.length).toBeGreaterThan(listed.body.items.length);
    expect(listed.body.items.every((i: { listed: boolean }) => i.listed)).toBe(true);
    expect(all.body.items.some((i: { listed: boolean }) => !i.listed)).toBe(true);
    expect(all.body.items.find((i: { id: string }) => i.id === 'item_eco_scheduler')).toMatchObject(
      {
        price: { amount: 1499, currency: 'eur' },
        compatibleModels: ['thermo-x1'],
      },
    );
  });

  it("never shows another organisation's items", async () => {
    const { agent } = await signIn(t.app, 'admin@globex.example');
    const res = await agent.get('/api/marketplaces/mkt_eu/items').expect(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).not.toContain('item_eco_scheduler');
  });

  it('answers 404 for an instance the organisation is not in and 400 for a bad filter', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    await agent.get('/api/marketplaces/mkt_nowhere/items').expect(404);
    const bad = await agent.get('/api/marketplaces/mkt_eu/items?listed=maybe').expect(400);
    expect(bad.body.error.details[0].path).toBe('listed');
  });
});
