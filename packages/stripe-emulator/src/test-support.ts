import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeEmulator, type EmulatorOptions, type StripeEmulator } from './emulator';

/** Shared by the test files: an emulator, the real SDK pointed at it, and a webhook receiver. */

export const testSecretKey = 'sk_test_emulator_suite';
export const webhookSecret = 'whsec_test_emulator_suite';

export function stripeClient(emulator: StripeEmulator, key = testSecretKey): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
}

export type ReceivedWebhook = { headers: http.IncomingHttpHeaders; body: string };

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** Events that passed `stripe.webhooks.constructEvent`, in arrival order. */
  events: Stripe.Event[];
  /** Why `constructEvent` refused a delivery; the receiver answers those with 400. */
  rejections: string[];
  close(): Promise<void>;
};

/**
 * A local endpoint that verifies every delivery with the SDK, as the product's webhook route
 * does, and answers with `statusFor(attemptNumber)` (200 by default).
 */
export async function startWebhookReceiver(
  statusFor: (requestNumber: number) => number = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const events: Stripe.Event[] = [];
  const rejections: string[] = [];
  const verifier = new Stripe(testSecretKey);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body });
      const status = statusFor(received.length);
      if (status < 200 || status >= 300) {
        response.writeHead(status).end();
        return;
      }
      try {
        const signature = String(request.headers['stripe-signature']);
        events.push(verifier.webhooks.constructEvent(body, signature, webhookSecret));
        response.writeHead(status).end();
      } catch (error) {
        rejections.push(error instanceof Error ? error.message : String(error));
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    events,
    rejections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Harness = {
  emulator: StripeEmulator;
  stripe: Stripe;
  receiver: WebhookReceiver;
  close(): Promise<void>;
};

export async function startHarness(
  options: EmulatorOptions & { statusFor?: (requestNumber: number) => number } = {},
): Promise<Harness> {
  const { statusFor, ...emulatorOptions } = options;
  const receiver = await startWebhookReceiver(statusFor);
  const emulator = await startStripeEmulator({
    webhooks: [{ url: receiver.url, secret: webhookSecret }],
    webhookRetryDelaysMs: [10, 10, 10],
    ...emulatorOptions,
  });
  return {
    emulator,
    stripe: stripeClient(emulator),
    receiver,
    close: async () => {
      await emulator.close();
      await receiver.close();
    },
  };
}

export function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      {
        price_data: {
          currency: 'eur',
          unit_amount: 1250,
          product_data: { name: 'Fleet analytics', description: 'Per-device licence' },
        },
        quantity: 2,
      },
      {
        price_data: { currency: 'eur', unit_amount: 499, product_data: { name: 'Firmware pack' } },
        quantity: 1,
      },
    ],
    success_url: 'http://localhost:3000/checkout/return?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost:3000/checkout/cancelled',
    client_reference_id: 'checkout_42',
    metadata: { checkoutSessionId: 'checkout_42', orgId: 'acme' },
    ...overrides,
  };
}

/** Posts one of the hosted page's forms the way a browser without JavaScript would. */
export function postCheckoutForm(
  emulator: StripeEmulator,
  sessionId: string,
  action: 'pay' | 'cancel' | 'settle' | 'promotion-code',
  fields: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emulator.url}/checkout/${sessionId}/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
