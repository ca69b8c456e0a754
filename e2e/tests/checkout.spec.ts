import type { Page } from '@playwright/test';
import { expect, signIn, test } from './helpers';

async function addToBasket(page: Page, productNames: string[]) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Store Preview' })
    .click();
  for (const name of productNames) {
    await page.getByRole('button', { name: `Add to basket: ${name}` }).click();
  }
  await page.getByRole('link', { name: 'Choose devices and pay' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout', level: 1 })).toBeVisible();
}

test('an admin buys two products for three devices and sees them ready to install', async ({
  page,
}) => {
  await signIn(page, 'admin@acme.example');
  await addToBasket(page, ['Eco Scheduler', 'Energy Insights']);

  // Two devices from the fleet list, a third typed in by hand.
  const picker = page.getByRole('region', { name: '1. Devices' });
  await picker.getByRole('searchbox').fill('ACM-TX1-000');
  await picker.getByRole('checkbox', { name: 'Select ACM-TX1-0004' }).check();
  await picker.getByRole('checkbox', { name: 'Select ACM-TX1-0008' }).check();
  await picker.getByLabel('Or type device IDs').fill('ACM-TX1-0012');
  await picker.getByRole('button', { name: 'Add these IDs' }).click();

  const pay = page.getByRole('region', { name: /3\. Mode and payment/ });
  await expect(pay.getByRole('radio', { name: /Test mode/ })).toBeChecked();
  await expect(pay.getByRole('row', { name: /Total to pay/ })).toContainText('€44.97');
  await expect(pay.getByRole('row', { name: /platform fee/ })).toContainText('€2.25');
  await pay.getByRole('button', { name: 'Pay with Stripe (test mode)' }).click();
  await expect(pay.getByRole('status')).toContainText(/Session created|Redirecting to Stripe/);

  // Stripe's hosted page (the embedded emulator in test mode).
  await page.waitForURL(/\/checkout\/cs_test_/);
  await expect(page.getByText('TEST MODE', { exact: false }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Pay with 4242 4242 4242 4242 (succeeds)' }).click();

  // Back on the dashboard: the state comes from the BFF, not from the redirect.
  await page.waitForURL(/\/checkout\/chk_[a-f0-9]+\?stripe_session_id=cs_test_/);
  await expect(page.getByRole('heading', { name: 'Active purchase' })).toBeVisible();
  const purchases = page.getByRole('region', { name: 'Purchases' });
  await expect(purchases.getByRole('row')).toHaveCount(7);
  await expect(purchases.getByRole('link', { name: /Ready to install/ })).toHaveCount(6);
  for (const deviceId of ['ACM-TX1-0004', 'ACM-TX1-0008', 'ACM-TX1-0012']) {
    await expect(purchases.getByRole('link', { name: deviceId }).first()).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'What happened' })).toContainText(
    'Purchases recorded',
  );

  await purchases
    .getByRole('link', { name: /Ready to install/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/devices\/ACM-TX1-00(04|08|12)$/);
});

test('cancelling on the payment page comes back to an editable basket', async ({ page }) => {
  await signIn(page, 'admin@acme.example');
  await addToBasket(page, ['Motion AI']);
  const picker = page.getByRole('region', { name: '1. Devices' });
  await picker.getByLabel('Or type device IDs').fill('ACM-CC3-0001');
  await picker.getByRole('button', { name: 'Add these IDs' }).click();
  const pay = page.getByRole('region', { name: /3\. Mode and payment/ });
  await expect(pay.getByRole('row', { name: /Total to pay/ })).toContainText('€29.99');
  await pay.getByRole('button', { name: 'Pay with Stripe (test mode)' }).click();

  await page.waitForURL(/\/checkout\/cs_test_/);
  await page.getByRole('button', { name: 'Cancel and go back' }).click();

  await page.waitForURL(/\/checkout\/chk_[a-f0-9]+\/cancelled$/);
  await expect(page.getByRole('heading', { name: 'Cancelled', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'What happened' })).toContainText('Cancelled');
  await page.getByRole('link', { name: 'Edit your basket' }).click();

  const basket = page.getByRole('region', { name: /2\. Your basket/ });
  await expect(basket.getByText('Motion AI', { exact: true })).toBeVisible();
  await expect(basket.getByText('1 device ready')).toBeVisible();
  await basket.getByRole('button', { name: 'Remove Motion AI' }).click();
  await expect(basket.getByText('No products yet')).toBeVisible();
});

test.describe('live mode', () => {
  // The server of these tests has no live keys: the refusal is the answer this test is about.
  test.use({ expectedProblems: /422: POST .*\/api\/checkout-sessions|status of 422/ });

  test('is labelled everywhere, must be confirmed, and without keys says what to set', async ({
    page,
  }) => {
    await signIn(page, 'admin@acme.example');
    await addToBasket(page, ['Motion AI']);
    const picker = page.getByRole('region', { name: '1. Devices' });
    await picker.getByLabel('Or type device IDs').fill('ACM-CC3-0001');
    await picker.getByRole('button', { name: 'Add these IDs' }).click();
    const pay = page.getByRole('region', { name: /3\. Mode and payment/ });
    await pay.getByRole('radio', { name: /Live mode/ }).check();

    await expect(page.getByRole('link', { name: /Live basket open/ })).toBeVisible();
    const livePay = pay.getByRole('button', { name: 'Pay €29.99 in live mode' });
    await expect(livePay).toBeDisabled();
    await pay.getByRole('checkbox', { name: /charges real money/ }).check();
    await expect(livePay).toBeEnabled();
    await livePay.click();

    const refusal = pay.getByRole('alert');
    await expect(refusal).toContainText('Live payments are not set up');
    await expect(refusal).toContainText('STRIPE_SECRET_KEY_LIVE');
    await expect(refusal).toContainText('STRIPE_WEBHOOK_SECRET_LIVE');
    await expect(page).toHaveURL(/\/checkout$/);

    // Still in the header on another page, until the basket is test again or empty.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Devices' })
      .click();
    await expect(page.getByRole('link', { name: /Live basket open/ })).toBeVisible();
  });
});
