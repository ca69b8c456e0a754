import type { APIRequestContext, Page } from '@playwright/test';
import { expect, settle, signIn, signInApi, test } from '../tests/helpers';

const DOCS = '../docs';
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

async function shoot(page: Page, name: string) {
  await settle(page);
  // Charts grow into place once their container is measured: let them finish first.
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${DOCS}/${name}.png` });
}

/** A morning's work for the audit log: people sign in, an admin makes a key and a checkout. */
async function someActivity(request: APIRequestContext) {
  for (const email of ['support@acme.example', 'operator@acme.example'])
    await signInApi(request, email);
  const token = await signInApi(request, 'admin@acme.example');
  const headers = { 'X-CSRF-Token': token };
  const key = await request.post('/api/api-keys', {
    headers,
    data: { name: 'Web shop', mode: 'test', allowedOrigins: [] },
  });
  expect(key.ok()).toBe(true);
  const checkout = await request.post('/api/checkout-sessions', {
    headers: { ...headers, 'Idempotency-Key': `screenshots-${Date.now()}` },
    data: {
      instanceId: 'mkt_eu',
      itemIds: ['item_motion_ai'],
      deviceIds: ['ACM-CC3-0005'],
      mode: 'test',
    },
  });
  expect(checkout.status()).toBe(201);
  const { id } = await checkout.json();
  await request.post(`/api/checkout-sessions/${id}/cancel`, { headers });
}

test('the README’s screenshots', async ({ page, playwright, baseURL }) => {
  test.slow();
  const api = await playwright.request.newContext({ baseURL });
  await someActivity(api);
  await api.dispose();
  await page.setViewportSize(WIDE);
  await signIn(page, 'admin@acme.example');
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '90 days' }).click();
  await expect(page.getByRole('region', { name: 'Sales and refunds' })).toBeVisible();
  await shoot(page, 'dashboard-overview');

  await page.goto('/devices');
  await shoot(page, 'dashboard-devices');

  // The search palette answering "did this device buy that, and is it installed?".
  // A product that was installed on a device of the demo organisation, and still runs there.
  const installs = await (await page.request.get('/api/installs?status=succeeded&limit=50')).json();
  const purchase = (installs.items as { deviceId: string; itemName: string }[]).find((i) =>
    i.deviceId.startsWith('ACM-'),
  )!;
  await page.goto('/purchases');
  await settle(page);
  await page
    .getByRole('banner')
    .getByRole('button', { name: /Search/ })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Search' });
  await dialog
    .getByRole('combobox', { name: 'Search by ID or name' })
    .fill(`${purchase.deviceId.toLowerCase()} ${purchase.itemName.toLowerCase()}`);
  const answer = dialog.getByRole('option').first();
  await expect(answer).toContainText(`Yes: ${purchase.deviceId} owns`);
  await expect(answer).toContainText('is installed');
  await shoot(page, 'dashboard-search');
  await page.keyboard.press('Escape');

  await page.goto('/audit');
  await expect(page.getByRole('table', { name: 'Audit log, newest first' })).toBeVisible();
  await shoot(page, 'dashboard-audit');

  await page.setViewportSize(PHONE);
  await page.goto(`/devices/${purchase.deviceId}`);
  await shoot(page, 'dashboard-device-phone');
  await page.goto('/overview?range=90');
  await shoot(page, 'dashboard-overview-phone');
});
