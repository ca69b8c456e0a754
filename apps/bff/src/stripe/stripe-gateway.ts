import Stripe from 'stripe';
import type { CheckoutMode } from '@repo/schemas';
import { AppError } from '../http/errors';

/** Pinned, so that a new SDK cannot change the shape of what Stripe sends us. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type ModeCredentials = {
  secretKey: string;
  webhookSecret: string;
  /** A Stripe-compatible server to talk to instead of Stripe (the embedded emulator, a mock). */
  apiUrl?: string;
  /** The product's own embedded emulator, which plays the demo data's connected accounts too. */
  embeddedEmulator?: boolean;
};

export type StripeGateway = {
  /** The SDK client of a mode, or a clear refusal when that mode has no key. */
  client(mode: CheckoutMode): Stripe;
  webhookSecret(mode: CheckoutMode): string | undefined;
  isConfigured(mode: CheckoutMode): boolean;
  runsOnEmbeddedEmulator(mode: CheckoutMode): boolean;
};

function sdkOptions(apiUrl: string | undefined): Stripe.StripeConfig {
  const base: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'device-marketplace-dashboard' },
  };
  if (!apiUrl) return base;
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    ...base,
    host: url.hostname,
    port: Number(url.port || (protocol === 'http' ? 80 : 443)),
    protocol,
  };
}

export function createStripeGateway(
  credentials: Partial<Record<CheckoutMode, ModeCredentials>>,
): StripeGateway {
  const clients = new Map<CheckoutMode, Stripe>();
  for (const mode of ['test', 'live'] as const) {
    const c = credentials[mode];
    if (c) clients.set(mode, new Stripe(c.secretKey, sdkOptions(c.apiUrl)));
  }
  return {
    client(mode) {
      const client = clients.get(mode);
      if (!client) {
        throw new AppError(
          422,
          'MODE_NOT_CONFIGURED',
          mode === 'live'
            ? 'Live mode is not set up: set STRIPE_SECRET_KEY_LIVE and STRIPE_WEBHOOK_SECRET_LIVE on the server and restart it. Until then, use test mode.'
            : 'Test mode is not set up: set STRIPE_SECRET_KEY_TEST and STRIPE_WEBHOOK_SECRET_TEST on the server and restart it.',
        );
      }
      return client;
    },
    webhookSecret: (mode) => credentials[mode]?.webhookSecret,
    isConfigured: (mode) => clients.has(mode),
    runsOnEmbeddedEmulator: (mode) => credentials[mode]?.embeddedEmulator === true,
  };
}
