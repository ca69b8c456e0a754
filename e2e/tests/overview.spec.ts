import type { Page } from '@playwright/test';
import {
  expect,
  expectNoSidewaysScroll,
  openFromNavigation,
  settle,
  signIn,
  test,
  VIEWPORTS,
} from './helpers';

const PRODUCT = 'Motion AI';
const ITEM_ID = 'item_motion_ai';

/** Motion AI purchases in test mode today, as the Overview's API counts them. */
async function testPurchasesToday(page: Page): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const response = await page.request.get(`/api/overview?from=${today}&to=${today}&mode=test`);
  expect(response.ok()).toBe(true);
  const { items } = (await response.json()) as { items: { itemId: string; purchases: number }[] };
  return items.filter((i) => i.itemId === ITEM_ID).reduce((n, i) => n + i.purchases, 0);
}

/** Buys Motion AI for one camera in test mode, on Stripe's page, as a person would. */
async function buyInTheBrowser(page: Page, deviceId: string) {
  await page.goto('/marketplaces/mkt_eu/preview');
  await settle(page);
  await page.getByRole('button', { name: `Add to basket: ${PRODUCT}` }).click();
  await page.getByRole('link', { name: 'Choose devices and pay' }).click();
  const picker = page.getByRole('region', { name: '1. Devices' });
  await picker.getByLabel('Or type device IDs').fill(deviceId);
  await picker.getByRole('button', { name: 'Add these IDs' }).click();
  const pay = page.getByRole('region', { name: /3\. Mode and payment/ });
  await expect(pay.getByRole('row', { name: /Total to pay/ })).toContainText('€29.99');
  await pay.getByRole('button', { name: 'Pay with Stripe (test mode)' }).click();
  await page.waitForURL(/\/checkout\/cs_test_/);
  await page.getByRole('button', { name: 'Pay with 4242 4242 4242 4242 (succeeds)' }).click();
  await page.waitForURL(/\/checkout\/chk_[a-f0-9]+\?stripe_session_id=cs_test_/);
  await expect(page.getByRole('heading', { name: 'Active purchase' })).toBeVisible();
}

/** A camera per width, so that each run buys for a device that owns nothing yet. */
const CAMERAS: Record<number, string> = { 390: 'ACM-CC3-0009', 1440: 'ACM-CC3-0013' };

for (const viewport of VIEWPORTS) {
  test(`on ${viewport.name} (${viewport.width} px) the Overview counts a purchase just made, and keeps its range across a reload`, async ({
    page,
  }) => {
    await page.setViewportSize(viewport);
    // Signing in opens the Overview.
    await signIn(page, 'admin@acme.example');
    await expect(page).toHaveURL(/\/overview$/);
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    const before = await testPurchasesToday(page);

    await buyInTheBrowser(page, CAMERAS[viewport.width]!);

    await openFromNavigation(page, 'Overview');
    await expect(page).toHaveURL(/\/overview$/);
    await settle(page);

    // Only the last 7 days, in test mode: both go to the address.
    await page.getByRole('button', { name: '7 days' }).click();
    await expect(page).toHaveURL(/range=7/);
    await page.getByLabel('Mode').selectOption('test');
    await expect(page).toHaveURL(/mode=test/);
    await settle(page);

    // The chart's text alternative: its sentence, and its numbers on request.
    const perProduct = page.getByRole('region', { name: 'Purchases per product' });
    await expect(perProduct.locator('.chart__summary')).toContainText(
      /\d+ purchases? of \d+ products?/,
    );
    await perProduct.getByText('Show the numbers').click();
    const row = perProduct.getByRole('row', { name: new RegExp(`^${PRODUCT}`) });
    await expect(row.getByRole('cell').first()).toHaveText(String(before + 1));

    const sales = page.getByRole('region', { name: 'Sales and refunds' });
    await sales.getByLabel('Product').selectOption({ label: PRODUCT });
    await expect(sales.locator('.chart__summary')).toContainText(`${PRODUCT}, in EUR`);
    await expect(sales.locator('.chart__summary')).toContainText(
      /Test: €[\d.,]+ from \d+ purchases?/,
    );
    await expectNoSidewaysScroll(page);

    // The range, the mode and the product survive a reload.
    await page.reload();
    await settle(page);
    await expect(page.getByRole('button', { name: '7 days' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(page.getByLabel('Mode')).toHaveValue('test');
    await expect(
      page.getByRole('region', { name: 'Sales and refunds' }).getByLabel('Product'),
    ).toHaveValue(ITEM_ID);
    await expect(
      page.getByRole('region', { name: 'Purchases per product' }).locator('.chart__summary'),
    ).toContainText(/\d+ purchases? of \d+ products?/);
    await expectNoSidewaysScroll(page);
  });
}
