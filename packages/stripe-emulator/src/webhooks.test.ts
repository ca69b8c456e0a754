import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStripeEmulator } from './emulator';
import {
  sessionParams,
  startHarness,
  startWebhookReceiver,
  stripeClient,
  webhookSecret,
  type Harness,
} from './test-support';
import { signWebhookPayload } from './webhook-signature';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function harnessFor(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const harness = await startHarness(options);
  cleanups.push(() => harness.close());
  return harness;
}

describe('signWebhookPayload', () => {
  it('produces the header the SDK generates and verifies', async () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
    const stripe = new Stripe('sk_test_x');
    const expected = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: webhookSecret,
      timestamp: 1_700_000_000,
    });

    expect(signWebhookPayload(payload, webhookSecret, 1_700_000_000)).toBe(expected);
    const header = signWebhookPayload(payload, webhookSecret);
    expect(stripe.webhooks.constructEvent(payload, header, webhookSecret).id).toBe('evt_1');
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe('webhook delivery', () => {
  it('sends events signed so that stripe.webhooks.constructEvent accepts them', async () => {
    const harness = await harnessFor();
    const session = await harness.stripe.checkout.sessions.create(sessionParams());
    await harness.emulator.completeSession(session.id, 'succeeded');
    await harness.emulator.flushWebhooks();

    expect(harness.receiver.rejections).toEqual([]);
    expect(harness.receiver.received[0]?.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    const [event] = harness.receiver.events;
    expect(event).toMatchObject({
      object: 'event',
      type: 'checkout.session.completed',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { id: session.id, status: 'complete', payment_status: 'paid' } },
    });
    expect(event?.id).toMatch(/^evt_/);
    expect(event?.api_version).toBe(harness.stripe.getApiField('version'));
    expect(harness.emulator.deliveries()).toEqual([
      {
        eventId: event?.id,
        type: 'checkout.session.completed',
        url: harness.receiver.url,
        status: 200,
        attempt: 1,
      },
    ]);
  });

  it('retries after a 500, signing the retry afresh, and records every attempt', async () => {
    const harness = await harnessFor({
      statusFor: (requestNumber) => (requestNumber === 1 ? 500 : 200),
    });
    const session = await harness.stripe.checkout.sessions.create(sessionParams());
    await harness.stripe.checkout.sessions.expire(session.id);

    await vi.waitFor(() => expect(harness.receiver.events).toHaveLength(1), { timeout: 2000 });
    await harness.emulator.flushWebhooks();
    const [first, retry] = harness.receiver.received;
    expect(retry?.body).toBe(first?.body);
    expect(
      harness.emulator.deliveries().map(({ status, attempt }) => ({ status, attempt })),
    ).toEqual([
      { status: 500, attempt: 1 },
      { status: 200, attempt: 2 },
    ]);
  });

  it('retries an unreachable endpoint and gives up after the configured delays', async () => {
    const unreachable = await startWebhookReceiver();
    await unreachable.close();
    const emulator = await startStripeEmulator({
      webhooks: [{ url: unreachable.url, secret: webhookSecret }],
      webhookRetryDelaysMs: [5, 5],
    });
    cleanups.push(() => emulator.close());
    const session = await stripeClient(emulator).checkout.sessions.create(sessionParams());
    await stripeClient(emulator).checkout.sessions.expire(session.id);

    await vi.waitFor(() => expect(emulator.deliveries()).toHaveLength(3), { timeout: 2000 });
    expect(emulator.deliveries().map(({ status, attempt }) => [status, attempt])).toEqual([
      [null, 1],
      [null, 2],
      [null, 3],
    ]);
  });

  it('cancels pending retries on close', async () => {
    const harness = await harnessFor({
      statusFor: () => 503,
      webhookRetryDelaysMs: [60_000],
    });
    const session = await harness.stripe.checkout.sessions.create(sessionParams());
    await harness.stripe.checkout.sessions.expire(session.id);
    await harness.emulator.flushWebhooks();
    expect(harness.emulator.deliveries()).toHaveLength(1);

    const started = Date.now();
    await harness.emulator.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(harness.emulator.deliveries()).toHaveLength(1);
  });

  it('sends later events to endpoints set after start', async () => {
    const emulator = await startStripeEmulator();
    cleanups.push(() => emulator.close());
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    emulator.setWebhooks([{ url: receiver.url, secret: webhookSecret }]);

    const session = await stripeClient(emulator).checkout.sessions.create(sessionParams());
    await emulator.completeSession(session.id, 'succeeded');
    await emulator.flushWebhooks();

    expect(receiver.events.map((event) => event.type)).toEqual(['checkout.session.completed']);
  });
});
