import { randomBytes } from 'node:crypto';
import { startStripeEmulator, type StripeEmulator } from '@repo/stripe-emulator';
import type { CheckoutMode } from '@repo/schemas';
import type { Config } from '../config';
import type { ModeCredentials } from './stripe-gateway';

export type StripeSetup = {
  credentials: Partial<Record<CheckoutMode, ModeCredentials>>;
  /** Present when test mode runs on the embedded emulator. */
  emulator?: StripeEmulator;
  /** Points the emulator's webhooks at the BFF once the BFF knows its own port. */
  connectWebhooks(bffOrigin: string): void;
};

/**
 * Real keys where they are set. Test mode without a key runs on the embedded emulator, so that
 * the product works offline on one machine; live mode without a key stays off.
 */
export async function setUpStripe(config: Config): Promise<StripeSetup> {
  const credentials: StripeSetup['credentials'] = {};
  for (const mode of ['test', 'live'] as const) {
    const { secretKey, webhookSecret } = config.stripe[mode];
    if (secretKey && webhookSecret)
      credentials[mode] = { secretKey, webhookSecret, apiUrl: config.stripe.apiUrl };
  }
  if (credentials.test) return { credentials, connectWebhooks: () => {} };

  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const emulator = await startStripeEmulator({
    port: config.stripe.emulatorPort,
    host: '127.0.0.1',
  });
  credentials.test = {
    secretKey: 'sk_test_embedded_emulator',
    webhookSecret,
    apiUrl: emulator.url,
    embeddedEmulator: true,
  };
  return {
    credentials,
    emulator,
    connectWebhooks: (bffOrigin) =>
      emulator.setWebhooks([
        { url: `${bffOrigin}/api/webhooks/stripe/test`, secret: webhookSecret },
      ]),
  };
}
