import type { CheckoutMode, CreatedApiKey } from '@repo/schemas';
import type { signIn } from './test-app';

type Client = Awaited<ReturnType<typeof signIn>>;

/** Creates an API key through the dashboard's admin route, as an admin would. */
export async function createApiKey(
  admin: Client,
  options: { mode?: CheckoutMode; allowedOrigins?: string[]; name?: string } = {},
): Promise<CreatedApiKey> {
  const res = await admin.agent
    .post('/api/api-keys')
    .set('X-CSRF-Token', admin.csrfToken)
    .send({
      name: options.name ?? 'Shop backend',
      mode: options.mode ?? 'test',
      allowedOrigins: options.allowedOrigins ?? ['https://shop.example.com'],
    })
    .expect(201);
  return res.body as CreatedApiKey;
}
