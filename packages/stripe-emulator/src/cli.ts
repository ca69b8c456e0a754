import { startStripeEmulator, type EmulatorOptions } from './emulator';

/**
 * Runs the emulator on its own: `PORT` (default 12111), `STRIPE_WEBHOOK_URL` and
 * `STRIPE_WEBHOOK_SECRET` (both or neither), `STRIPE_EMULATOR_PUBLIC_URL` for the hosted pages.
 */
function optionsFromEnvironment(env: NodeJS.ProcessEnv): EmulatorOptions {
  const problems: string[] = [];
  const port = Number(env.PORT ?? '12111');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be a port number, got "${env.PORT}"`);
  }
  const webhookUrl = env.STRIPE_WEBHOOK_URL;
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET;
  if ((webhookUrl === undefined) !== (webhookSecret === undefined)) {
    problems.push('STRIPE_WEBHOOK_URL and STRIPE_WEBHOOK_SECRET must be set together');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid environment:\n- ${problems.join('\n- ')}`);
  }
  return {
    port,
    ...(env.HOST === undefined ? {} : { host: env.HOST }),
    ...(env.STRIPE_EMULATOR_PUBLIC_URL === undefined
      ? {}
      : { publicUrl: env.STRIPE_EMULATOR_PUBLIC_URL }),
    webhooks:
      webhookUrl === undefined || webhookSecret === undefined
        ? []
        : [{ url: webhookUrl, secret: webhookSecret }],
  };
}

try {
  const options = optionsFromEnvironment(process.env);
  const emulator = await startStripeEmulator(options);
  console.log(`Stripe emulator listening on ${emulator.url}`);
  console.log(
    `Point the SDK at it: new Stripe('sk_test_…', { host: '${new URL(emulator.url).hostname}', port: ${emulator.port}, protocol: 'http' })`,
  );
  if (options.webhooks !== undefined && options.webhooks.length > 0) {
    console.log(
      `Sending signed webhooks to ${options.webhooks.map((endpoint) => endpoint.url).join(', ')}`,
    );
  }
  const shutdown = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
