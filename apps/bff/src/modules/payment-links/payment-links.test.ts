import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInSqliteFile, findStoredInClear } from '../../testing/stored-text';
import {
  createTestApp,
  signIn,
  withAuditWritesFailing,
  type TestApp,
} from '../../testing/test-app';
import { TEST_DIALECT } from '../../testing/test-database';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
});
afterAll(() => t.close());

const basket = (deviceIds: string[], extra: Record<string, unknown> = {}) => ({
  instanceId: 'mkt_eu',
  itemIds: ['item_vpn_pro', 'item_fleet_diagnostics'],
  deviceIds,
  mode: 'test',
  expiresInDays: 7,
  ...extra,
});

async function createLink(body: object) {
  const res = await admin.agent
    .post('/api/payment-links')
    .set('X-CSRF-Token', admin.csrfToken)
    .send(body)
    .expect(201);
  return res.body as { id: string; url: string; status: string; uses: number };
}

/** A visitor without any session, as whoever the link was shared with. */
const visitor = () => supertest(t.app);
const pathOf = (url: string) => new URL(url).pathname;
const tokenOf = (url: string) => pathOf(url).split('/').pop()!;

const checkoutSessionCount = async () =>
  (
    await t.db
      .selectFrom('checkoutSessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
  ).count;

/** Leaves the emulator's payment page by its cancel button, as the customer would. */
async function cancelOnPaymentPage(checkoutUrl: string): Promise<string> {
  const res = await fetch(`${checkoutUrl}/cancel`, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

/** Opens the link, presses the button, and pays on the emulator's page. */
async function payThrough(linkUrl: string) {
  await visitor().get(pathOf(linkUrl)).expect(200);
  const started = await visitor().post(pathOf(linkUrl)).expect(303);
  const stripeSessionId = new URL(started.headers.location!).pathname.split('/').pop()!;
  await t.emulator.completeSession(stripeSessionId, 'succeeded');
  await t.emulator.flushWebhooks();
  const stripeSession = await t.stripe.checkout.sessions.retrieve(stripeSessionId);
  // Where the browser lands: Stripe fills in its session id.
  const successUrl = stripeSession.success_url!.replace('{CHECKOUT_SESSION_ID}', stripeSessionId);
  return { stripeSessionId, successUrl };
}

describe('payment links in the dashboard', () => {
  it('creates a link for a valid basket, and lists it as active', async () => {
    const link = await createLink(basket(['ACM-GW3-0002']));
    expect(link).toMatchObject({ status: 'active', uses: 0, maxUses: 1, mode: 'test' });
    expect(link.url).toMatch(/^http:\/\/localhost:5999\/pay\/pl_[A-Za-z0-9_-]{24}$/);
    const { body } = await admin.agent.get('/api/payment-links').expect(200);
    expect(body.items.map((l: { id: string }) => l.id)).toContain(link.id);
    const audit = await t.db
      .selectFrom('auditEntries')
      .select('id')
      .where('action', '=', 'payment_link.create')
      .where('objectId', '=', link.id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses a basket that cannot be bought, and lets only admins make links', async () => {
    const res = await admin.agent
      .post('/api/payment-links')
      .set('X-CSRF-Token', admin.csrfToken)
      .send(basket(['GLX-GW3-0002']))
      .expect(422);
    expect(res.body.error.code).toBe('BASKET_INVALID');
    const support = await signIn(t.app, 'support@acme.example');
    await support.agent
      .post('/api/payment-links')
      .set('X-CSRF-Token', support.csrfToken)
      .send(basket(['ACM-GW3-0006']))
      .expect(403);
  });

  it('keeps a link open when its deactivation cannot be audited', async () => {
    const link = await createLink(basket(['ACM-GW3-0006']));
    await withAuditWritesFailing(t.database, async () => {
      await admin.agent
        .post(`/api/payment-links/${link.id}/deactivate`)
        .set('X-CSRF-Token', admin.csrfToken)
        .expect(500);
    });
    await visitor().get(pathOf(link.url)).expect(200);
  });

  it("answers 404 for another organisation's link", async () => {
    const link = await createLink(basket(['ACM-GW3-0006']));
    const globex = await signIn(t.app, 'admin@globex.example');
    await globex.agent
      .post(`/api/payment-links/${link.id}/deactivate`)
      .set('X-CSRF-Token', globex.csrfToken)
      .expect(404);
  });
});

describe('opening a payment link', () => {
  it('starts a fresh hosted checkout for its basket and completes a purchase', async () => {
    const link = await createLink(basket(['ACM-GW3-0010', 'ACM-GW3-0014']));
    const page = await visitor().get(pathOf(link.url)).expect(200);
    expect(page.text).toContain('Gateway VPN Pro');
    expect(page.text).toContain('€98.00');
    expect(page.text).toContain('TEST MODE');
    expect(page.headers['content-security-policy']).not.toMatch(/form-action/);

    const { successUrl } = await payThrough(link.url);
    // The way back names Stripe's session, not the link: the token stays in the link alone.
    expect(successUrl).toMatch(/^http:\/\/localhost:5999\/pay\/return\?stripe_session_id=cs_test_/);
    expect(successUrl).not.toContain(tokenOf(link.url));
    const back = await visitor()
      .get(new URL(successUrl).pathname + new URL(successUrl).search)
      .expect(200);
    expect(back.text).toContain('Payment received');
    expect(back.text).toContain('ACM-GW3-0010');

    const sessionRow = await t.db
      .selectFrom('checkoutSessions')
      .select(['id', 'createdBy'])
      .where('paymentLinkId', '=', link.id)
      .executeTakeFirstOrThrow();
    expect(sessionRow.createdBy).toBe('usr_acme_admin');
    const entitlements = await t.db
      .selectFrom('entitlements')
      .select('id')
      .where('deviceId', 'in', ['ACM-GW3-0010', 'ACM-GW3-0014'])
      .where('status', '=', 'active')
      .execute();
    expect(entitlements).toHaveLength(4);
  });

  it('keeps one payable session per link: two presses, or two visitors, pay on the same page', async () => {
    const link = await createLink(basket(['ACM-GW3-0018']));
    const [a, b] = await Promise.all([
      visitor().post(pathOf(link.url)),
      visitor().post(pathOf(link.url)),
    ]);
    expect(a.status).toBe(303);
    expect(b.headers.location).toBe(a.headers.location);
    // Someone else opens the link later, while the first page can still be paid.
    const later = await visitor().post(pathOf(link.url)).expect(303);
    expect(later.headers.location).toBe(a.headers.location);
    const sessions = async () =>
      (
        await t.db
          .selectFrom('checkoutSessions')
          .select('id')
          .where('paymentLinkId', '=', link.id)
          .execute()
      ).length;
    expect(await sessions()).toBe(1);

    // Once that session has expired, the link starts a fresh one.
    await t.stripe.checkout.sessions.expire(
      new URL(a.headers.location!).pathname.split('/').pop()!,
    );
    await t.emulator.flushWebhooks();
    const fresh = await visitor().post(pathOf(link.url)).expect(303);
    expect(fresh.headers.location).not.toBe(a.headers.location);
    expect(await sessions()).toBe(2);
  });

  it('explains that a used link is used up, and starts nothing more', async () => {
    const link = await createLink(basket(['ACM-GW3-0022']));
    await payThrough(link.url);
    const { body } = await admin.agent.get('/api/payment-links').expect(200);
    expect(body.items.find((l: { id: string }) => l.id === link.id)).toMatchObject({
      status: 'used_up',
      uses: 1,
    });
    const again = await visitor().get(pathOf(link.url)).expect(410);
    expect(again.text).toContain('already been used');
    expect(again.text).not.toContain('Continue to payment');
    const before = await checkoutSessionCount();
    await visitor().post(pathOf(link.url)).expect(410);
    expect(await checkoutSessionCount()).toBe(before);
  });

  it('explains that an expired link has expired, and starts nothing', async () => {
    const link = await createLink(basket(['ACM-GW3-0026']));
    await t.db
      .updateTable('paymentLinks')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', link.id)
      .execute();
    const page = await visitor().get(pathOf(link.url)).expect(410);
    expect(page.text).toContain('Payment link expired');
    expect(page.text).toMatch(/expired on \d+ \w+ \d{4}/);
    await visitor().post(pathOf(link.url)).type('form').send({}).expect(410);
    const { body } = await admin.agent.get('/api/payment-links').expect(200);
    expect(body.items.find((l: { id: string }) => l.id === link.id).status).toBe('expired');
  });

  it('checks the basket again when opened: devices entitled meanwhile stop the sale', async () => {
    const link = await createLink(basket(['ACM-GW3-0030']));
    await payThrough((await createLink(basket(['ACM-GW3-0030']))).url);
    const page = await visitor().get(pathOf(link.url)).expect(200);
    expect(page.text).toContain('can no longer be bought');
    expect(page.text).toContain('ACM-GW3-0030: Already owns Gateway VPN Pro');
    expect(page.text).not.toContain('Continue to payment');
    const post = await visitor().post(pathOf(link.url)).type('form').send({}).expect(409);
    expect(post.text).toContain('already own these products');
  });

  it('says plainly when a link does not exist or was turned off', async () => {
    const missing = await visitor().get('/pay/pl_AAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
    expect(missing.text).toContain('Payment link not found');
    const link = await createLink(basket(['ACM-GW3-0034']));
    await admin.agent
      .post(`/api/payment-links/${link.id}/deactivate`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    const off = await visitor().get(pathOf(link.url)).expect(410);
    expect(off.text).toContain('turned this payment link off');
  });

  it('shows the cancel return as a basket to try again', async () => {
    const link = await createLink(basket(['ACM-GW3-0038']));
    const page = await visitor()
      .get(`${pathOf(link.url)}?cancelled=1`)
      .expect(200);
    expect(page.text).toContain('Nothing was paid');
    expect(page.text).toContain('Continue to payment');
  });

  it('brings a customer who leaves the payment page back to the basket of their link', async () => {
    const link = await createLink(basket(['ACM-CC3-0001'], { itemIds: ['item_motion_ai'] }));
    const browser = supertest.agent(t.app);
    const started = await browser.post(pathOf(link.url)).expect(303);
    const cancelUrl = await cancelOnPaymentPage(started.headers.location!);
    expect(cancelUrl).toBe('http://localhost:5999/pay/cancelled');

    const back = await browser.get(pathOf(cancelUrl)).expect(303);
    expect(back.headers.location).toBe(`${pathOf(link.url)}?cancelled=1`);
    const page = await browser.get(back.headers.location!).expect(200);
    expect(page.text).toContain('Nothing was paid');
    expect(page.text).toContain('Continue to payment');

    // Another browser never pressed pay on this link: it is told what happened, and no more.
    const elsewhere = await visitor().get(pathOf(cancelUrl)).expect(200);
    expect(elsewhere.text).toContain('Payment cancelled');
    expect(elsewhere.text).not.toContain(tokenOf(link.url));
  });
});

describe("a payment link's token", () => {
  it('is stored nowhere in clear once its link has been cancelled and then paid', async () => {
    const link = await createLink(basket(['ACM-CC3-0005'], { itemIds: ['item_motion_ai'] }));
    const token = tokenOf(link.url);
    const browser = supertest.agent(t.app);
    await browser.get(pathOf(link.url)).expect(200);
    const first = await browser.post(pathOf(link.url)).expect(303);
    const cancelUrl = await cancelOnPaymentPage(first.headers.location!);
    const back = await browser.get(pathOf(cancelUrl)).expect(303);
    await browser.get(back.headers.location!).expect(200);

    const again = await browser.post(pathOf(link.url)).expect(303);
    const stripeSessionId = new URL(again.headers.location!).pathname.split('/').pop()!;
    await t.emulator.completeSession(stripeSessionId, 'succeeded');
    await t.emulator.flushWebhooks();
    const stripeSession = await t.stripe.checkout.sessions.retrieve(stripeSessionId);
    expect(stripeSession.success_url).not.toContain(token);
    expect(stripeSession.cancel_url).not.toContain(token);
    const successUrl = new URL(
      stripeSession.success_url!.replace('{CHECKOUT_SESSION_ID}', stripeSessionId),
    );
    const paid = await browser.get(successUrl.pathname + successUrl.search).expect(200);
    expect(paid.text).toContain('Payment received');
    await t.workers.idle();

    expect(await findStoredInClear(t.database, { token })).toEqual([]);
    if (TEST_DIALECT === 'sqlite') {
      expect(findInSqliteFile(t.config.databasePath, { token })).toEqual([]);
    }
    // Sealed, it still gives the dashboard the link's address.
    const { body } = await admin.agent.get('/api/payment-links').expect(200);
    expect(body.items.find((l: { id: string }) => l.id === link.id).url).toBe(link.url);
  });

  it('is not needed to see a checkout the link started, and a foreign checkout is not shown', async () => {
    const notALink = await visitor().get('/pay/return?stripe_session_id=cs_test_nope').expect(404);
    expect(notALink.text).toContain('Purchase not found');
    // A checkout made in the dashboard is no payment link's.
    const { body: created } = await admin.agent
      .post('/api/checkout-sessions')
      .set('X-CSRF-Token', admin.csrfToken)
      .set('Idempotency-Key', `payment-links-test-${Date.now()}`)
      .send({
        instanceId: 'mkt_eu',
        itemIds: ['item_motion_ai'],
        deviceIds: ['ACM-CC3-0009'],
        mode: 'test',
      })
      .expect(201);
    await visitor().get(`/pay/return?session=${created.id}`).expect(404);
    await visitor().get(`/pay/return?stripe_session_id=${created.stripeSessionId}`).expect(404);
  });
});
