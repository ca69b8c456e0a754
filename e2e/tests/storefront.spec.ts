import { expect, signIn, test, visit } from './helpers';

// Devices no other spec buys, so that the shared database never finds them already entitled.
const DEVICE = 'ACM-GW3-0002';

// A used-up payment link answers 410 Gone, and the page says so: that answer is expected here.
test.use({ expectedProblems: /410: GET .*\/pay\/pl_|status of 410/ });

test('an admin creates an API key and a payment link, and the link completes a purchase', async ({
  page,
  request,
  baseURL,
}) => {
  await signIn(page, 'admin@acme.example');
  const nav = page.getByRole('navigation', { name: 'Main' });

  // An API key for the provider's own site: the secret is shown once, and it works.
  await nav.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await page.getByLabel('Name').fill('E2E web shop');
  await page.getByLabel('Allowed return origins').fill(baseURL!);
  await page.getByRole('button', { name: 'Create API key' }).click();
  const secretField = page
    .getByRole('region', { name: 'API key "E2E web shop" created' })
    .getByLabel('Secret key');
  await expect(secretField).toHaveValue(/^mk_test_/);
  const secret = await secretField.inputValue();
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByRole('row', { name: /E2E web shop/ })).toContainText(secret.slice(0, 12));
  await expect(page.getByText(secret)).toHaveCount(0);

  const items = await request.get('/api/v1/marketplaces/mkt_eu/items', {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(items.status()).toBe(200);
  expect((await items.json()).items.map((i: { name: string }) => i.name)).toContain(
    'Gateway VPN Pro',
  );

  // A payment link for a basket, made from the Store Preview.
  await nav.getByRole('link', { name: 'Store Preview' }).click();
  await page.getByRole('button', { name: 'Add to basket: Gateway VPN Pro' }).click();
  const share = page.getByRole('region', { name: /Share this basket as a payment link/ });
  await share.getByLabel('Device IDs for the link').fill(DEVICE);
  await share.getByLabel('Link expires after').selectOption('1');
  await share.getByLabel('Let the buyer enter a promotion code').check();
  await share.getByRole('button', { name: 'Create payment link' }).click();
  const linkField = share.getByLabel('Payment link');
  await expect(linkField).toHaveValue(/\/pay\/pl_/);
  const link = await linkField.inputValue();

  // Whoever opens the link pays for exactly that basket, with a promotion code.
  await visit(page, link);
  await expect(page.getByRole('heading', { name: /Complete your purchase/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Total/ })).toContainText('€49.00');
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  await page.waitForURL(/\/checkout\/cs_test_/);
  await page.getByLabel('Promotion code').fill('SPRING20');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByRole('status')).toContainText('Promotion code SPRING20 applied.');
  await expect(page.getByRole('row', { name: /Total due/ })).toContainText('€39.20');
  await page.getByRole('button', { name: 'Pay with 4242 4242 4242 4242 (succeeds)' }).click();

  await page.waitForURL(/\/pay\/return\?stripe_session_id=cs_test_/);
  await expect(page.getByRole('heading', { name: /Payment received/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Promotion discount/ })).toContainText('€9.80');
  await expect(page.getByRole('row', { name: /Total paid/ })).toContainText('€39.20');
  await expect(page.getByRole('cell', { name: DEVICE })).toBeVisible();

  // The link is used up now, and says so.
  await visit(page, link);
  await expect(page.getByRole('heading', { name: 'Payment link already used' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue to payment' })).toHaveCount(0);

  // Back in the dashboard the link shows as used.
  await visit(page, '/developers/payment-links');
  await expect(page.getByRole('row', { name: new RegExp(DEVICE) })).toContainText('Used');
});
