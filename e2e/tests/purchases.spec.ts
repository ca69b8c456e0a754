import type { APIRequestContext } from '@playwright/test';
import { expect, signIn, signInApi, test } from './helpers';

const DEVICE_ID = 'ACM-TX1-0004';

/**
 * The checkout spec (run before this one) buys for ACM-TX1-0004. Run alone, this spec buys a
 * free product for it through the API first, so that it never depends on another file.
 */
async function ensurePurchaseFor(request: APIRequestContext, deviceId: string) {
  const token = await signInApi(request, 'admin@acme.example');
  const existing = await (await request.get(`/api/purchases?deviceId=${deviceId}`)).json();
  if (existing.total > 0) return;
  const bought = await request.post('/api/checkout-sessions', {
    headers: { 'X-CSRF-Token': token, 'Idempotency-Key': `e2e-purchases-${Date.now()}` },
    data: {
      instanceId: 'mkt_eu',
      itemIds: ['item_energy_insights'],
      deviceIds: [deviceId],
      mode: 'test',
    },
  });
  expect(bought.status()).toBe(201);
}

test('a support user finds the purchases of a device and opens one', async ({
  page,
  playwright,
  baseURL,
}) => {
  const api = await playwright.request.newContext({ baseURL });
  await ensurePurchaseFor(api, DEVICE_ID);
  await api.dispose();

  await signIn(page, 'support@acme.example', '/purchases');
  await expect(page.getByRole('heading', { name: 'Purchases', level: 1 })).toBeVisible();

  await page.getByLabel('Device ID').fill(DEVICE_ID.toLowerCase());
  await expect(page).toHaveURL(/deviceId=acm-tx1-0004/);
  const rows = page.getByRole('table').getByRole('row');
  await expect(page.getByText(/^Showing \d+ of \d+ purchases?$/)).toBeVisible();
  const count = (await rows.count()) - 1;
  expect(count).toBeGreaterThan(0);
  for (let i = 1; i <= count; i += 1) await expect(rows.nth(i)).toContainText(DEVICE_ID);
  await expect(rows.nth(1)).toContainText('Test mode');

  // The filter survives a reload, and the export link carries it.
  await page.reload();
  await expect(page.getByLabel('Device ID')).toHaveValue('acm-tx1-0004');
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
    'href',
    '/api/purchases/export.csv?deviceId=acm-tx1-0004',
  );

  const link = rows.nth(1).getByRole('link');
  const product = (await link.textContent())!;
  await link.click();
  await expect(page).toHaveURL(/\/purchases\/pur_[a-f0-9]{32}$/);
  await expect(
    page.getByRole('heading', { name: `${product} for ${DEVICE_ID}`, level: 1 }),
  ).toBeVisible();
  await expect(page.getByRole('region', { name: 'Checkout session' })).toContainText(
    'Purchases recorded',
  );
  await expect(page.getByRole('region', { name: 'Entitlement' })).toContainText('Active');
  const refund = page.getByRole('region', { name: 'Refund' });
  await expect(refund).toContainText('Only an administrator of your organisation can refund');
  await expect(refund.getByRole('button')).toHaveCount(0);
});
