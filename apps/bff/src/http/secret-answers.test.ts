import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createTestApp, signIn, type TestApp } from '../testing/test-app';

describe('answers that carry a secret', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signIn(t.app, 'admin@acme.example');
  });
  afterAll(() => t.close());

  it('are never cached', async () => {
    const post = (url: string, body: object) =>
      admin.agent.post(url).set('X-CSRF-Token', admin.csrfToken).send(body);
    const link = await post('/api/payment-links', {
      instanceId: 'mkt_eu',
      itemIds: ['item_vpn_pro'],
      deviceIds: ['ACM-GW3-0002'],
      mode: 'test',
      expiresInDays: 7,
    });
    const answers = {
      'new API key': await post('/api/api-keys', {
        name: 'Shop',
        mode: 'test',
        allowedOrigins: ['https://shop.example.com'],
      }),
      'new webhook endpoint': await post('/api/webhook-endpoints', {
        url: 'https://hooks.example.com/in',
        mode: 'test',
        eventTypes: ['purchase.activated'],
      }),
      'new payment link': link,
      'payment links': await admin.agent.get('/api/payment-links'),
      'deactivated payment link': await post(`/api/payment-links/${link.body.id}/deactivate`, {}),
      'CSRF token': await supertest(t.app).get('/api/auth/csrf'),
      'sign-in': await (async () => {
        const client = supertest.agent(t.app);
        const { body } = await client.get('/api/auth/csrf');
        return client
          .post('/api/auth/login')
          .set('X-CSRF-Token', body.csrfToken)
          .send({ email: 'support@acme.example', password: 'demo-password' });
      })(),
    };
    for (const [what, res] of Object.entries(answers)) {
      expect(res.status, what).toBeLessThan(300);
      expect(res.headers['cache-control'], what).toBe('no-store');
    }
  });
});

describe('the production build', () => {
  let t: TestApp;
  let dist: string;
  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'bff-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Dashboard</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    // As if a build with source maps had been copied in.
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js.map'), '{"version":3}');
    t = await createTestApp({ DASHBOARD_DIST: dist });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it('serves no source maps, not even the SPA shell in their place', async () => {
    await supertest(t.app).get('/assets/index-abc.js').expect(200);
    for (const url of ['/assets/index-abc.js.map', '/assets/INDEX-ABC.JS.MAP', '/anything.map']) {
      const res = await supertest(t.app).get(url).set('Accept', 'text/html,*/*');
      expect(res.status, url).toBe(404);
      expect(res.text, url).not.toContain('"version":3');
      expect(res.text, url).not.toContain('<title>Dashboard');
    }
  });
});

describe('the request log', () => {
  it('keeps no payment-link token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    // The production logger, written where the test can read it.
    const logger = createLogger('info', sink);
    const t = await createTestApp({}, { logger });
    try {
      const admin = await signIn(t.app, 'admin@acme.example');
      const { body } = await admin.agent
        .post('/api/payment-links')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({
          instanceId: 'mkt_eu',
          itemIds: ['item_vpn_pro'],
          deviceIds: ['ACM-GW3-0002'],
          mode: 'test',
          expiresInDays: 7,
        })
        .expect(201);
      const token = new URL(body.url as string).pathname.split('/').pop()!;
      const browser = supertest.agent(t.app);
      await browser.get(`/pay/${token}`).expect(200);
      // Pressing pay remembers the token in a cookie; coming back from the payment page uses it.
      await browser.post(`/pay/${token}`).expect(303);
      const back = await browser.get('/pay/cancelled').expect(303);
      expect(back.headers.location).toBe(`/pay/${token}?cancelled=1`);
      await browser.get(`/PAY/${token}`).expect(200);
      const requests = lines.filter((line) => line.includes('/pay/') || line.includes('/PAY/'));
      expect(requests).toHaveLength(4);
      expect(requests.join('\n')).toContain('/pay/[redacted]');
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      await t.close();
    }
  });

  it('keeps no more of an API key pasted into the search box than its shown prefix', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const t = await createTestApp({}, { logger: createLogger('info', sink) });
    try {
      const admin = await signIn(t.app, 'admin@acme.example');
      const { body: key } = await admin.agent
        .post('/api/api-keys')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ name: 'Shop', mode: 'test', allowedOrigins: ['https://shop.example.com'] })
        .expect(201);
      const { body } = await admin.agent.get('/api/search').query({ q: key.secret }).expect(200);
      expect(body.results[0].id).toBe(key.id);
      const searches = lines.filter((line) => line.includes('/api/search'));
      expect(searches.length).toBeGreaterThan(0);
      expect(searches.join('\n')).toContain(`${key.prefix}[redacted]`);
      expect(lines.join('\n')).not.toContain(key.secret);
    } finally {
      await t.close();
    }
  });
});
