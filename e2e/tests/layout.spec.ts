import type { Page } from '@playwright/test';
import { expect, expectNoSidewaysScroll, settle, signIn, test, VIEWPORTS, visit } from './helpers';

/** Every page of an admin, who sees them all. */
async function adminPages(page: Page): Promise<string[]> {
  const purchases = await (await page.request.get('/api/purchases?limit=1')).json();
  const groups = await (await page.request.get('/api/device-groups?limit=1')).json();
  const rollouts = await (await page.request.get('/api/rollouts?limit=1')).json();
  const pages = [
    '/overview',
    '/marketplaces',
    '/marketplaces/mkt_eu',
    '/marketplaces/mkt_eu/store',
    '/marketplaces/mkt_eu/preview',
    '/marketplaces/mkt_eu/checkout',
    '/devices',
    '/devices/ACM-TX1-0004',
    '/device-groups',
    '/device-groups/new',
    '/purchases',
    '/installs',
    '/rollouts',
    '/rollouts/new',
    '/developers/api-keys',
    '/developers/webhooks',
    '/developers/payment-links',
    '/developers/api-reference',
    '/audit',
  ];
  if (purchases.items[0]) pages.push(`/purchases/${purchases.items[0].id}`);
  if (groups.items[0]) pages.push(`/device-groups/${groups.items[0].id}`);
  if (rollouts.items[0]) pages.push(`/rollouts/${rollouts.items[0].id}`);
  return pages;
}

for (const viewport of VIEWPORTS) {
  test(`every page fits ${viewport.name} (${viewport.width} px) without scrolling sideways`, async ({
    page,
  }) => {
    // Some twenty pages, each loaded and checked by axe: on a busy machine, minutes.
    test.setTimeout(300_000);
    await page.setViewportSize(viewport);
    await visit(page, '/login');
    await expectNoSidewaysScroll(page);
    await signIn(page, 'admin@acme.example');
    for (const path of await adminPages(page)) {
      await visit(page, path);
      await expectNoSidewaysScroll(page);
    }
  });
}

test('on a phone the navigation folds into a menu that opens, closes on Escape and on navigation', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'admin@acme.example', '/devices');
  const menu = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Purchases' })).toBeHidden();

  // Keyboard: open with Enter, close with Escape, focus back on the button.
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link', { name: 'Purchases' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Purchases' })).toBeHidden();
  await expect(menu).toBeFocused();

  // Choosing a page closes the menu.
  await menu.click();
  await nav.getByRole('link', { name: 'Purchases' }).click();
  await expect(page).toHaveURL(/\/purchases$/);
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Purchases' })).toBeHidden();
  await settle(page);

  // On a wide screen there is no menu button: the navigation is always there.
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(menu).toBeHidden();
  await expect(nav.getByRole('link', { name: 'Purchases' })).toBeVisible();
});
