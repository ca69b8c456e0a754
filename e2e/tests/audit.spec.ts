import fs from 'node:fs/promises';
import {
  expect,
  expectNoSidewaysScroll,
  openFromNavigation,
  settle,
  signIn,
  signInApi,
  test,
  VIEWPORTS,
  visit,
} from './helpers';

/** A gateway no other spec buys for: each run of this spec checks out once for it, and cancels. */
const DEVICE_ID = 'ACM-GW3-0006';

for (const viewport of VIEWPORTS) {
  test.describe(`on ${viewport.name} (${viewport.width} px)`, () => {
    test.use({ viewport });

    test('an admin reads who checked out and who signed in, filters by who, and exports the log as CSV', async ({
      page,
      playwright,
      baseURL,
    }) => {
      // Something the log must show: a checkout created by the support team's admin, by API.
      const api = await playwright.request.newContext({ baseURL });
      const token = await signInApi(api, 'admin@acme.example');
      const created = await api.post('/api/checkout-sessions', {
        headers: { 'X-CSRF-Token': token, 'Idempotency-Key': `e2e-audit-${Date.now()}` },
        data: {
          instanceId: 'mkt_eu',
          itemIds: ['item_vpn_pro'],
          deviceIds: [DEVICE_ID],
          mode: 'test',
        },
      });
      expect(created.status()).toBe(201);
      const checkout = (await created.json()) as { id: string };
      const cancelled = await api.post(`/api/checkout-sessions/${checkout.id}/cancel`, {
        headers: { 'X-CSRF-Token': token },
      });
      expect(cancelled.ok()).toBe(true);
      await api.dispose();

      // An operator signs in too, so that there is more than one person in the log.
      const operator = await playwright.request.newContext({ baseURL });
      await signInApi(operator, 'operator@acme.example');
      await operator.dispose();

      await signIn(page, 'admin@acme.example');
      await openFromNavigation(page, 'Audit log');
      await expect(page).toHaveURL(/\/audit$/);
      await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
      const log = page.getByRole('table', { name: 'Audit log, newest first' });
      // Newest first: this admin's own sign-in tops the list.
      await expect(log.getByRole('row').nth(1)).toContainText('admin@acme.example');
      await expect(log.getByRole('row').nth(1)).toContainText('Signed in');
      const checkoutRow = log.getByRole('row').filter({ hasText: 'Checkout created' }).filter({
        hasText: checkout.id,
      });
      await expect(checkoutRow).toHaveCount(1);
      await expect(checkoutRow).toContainText('admin@acme.example');
      await expect(
        log
          .getByRole('row')
          .filter({ hasText: 'Checkout cancelled' })
          .filter({ hasText: checkout.id }),
      ).toHaveCount(1);
      await expect(
        log.getByRole('row').filter({ hasText: 'operator@acme.example' }).first(),
      ).toContainText('Signed in');
      await expectNoSidewaysScroll(page);

      // Its details open beneath it.
      await checkoutRow.getByRole('button', { name: /^Show details of entry/ }).click();
      await expect(page.getByText('Request ID').first()).toBeVisible();

      // Only what the operator did: the filter goes to the address and survives a reload.
      await page.getByLabel('Who').fill('operator@acme.example');
      await expect(page).toHaveURL(/actor=operator%40acme\.example/);
      await settle(page);
      const rows = log.getByRole('row');
      await expect(rows.nth(1)).toContainText('operator@acme.example');
      const count = await rows.count();
      for (let i = 1; i < count; i += 1)
        if (await rows.nth(i).isVisible())
          await expect(rows.nth(i)).toContainText('operator@acme.example');
      await page.reload();
      await settle(page);
      await expect(page.getByLabel('Who')).toHaveValue('operator@acme.example');
      await expect(log.getByRole('row').filter({ hasText: 'admin@acme.example' })).toHaveCount(0);

      // The export carries the filter, and its file holds what the page shows.
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export CSV' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.csv$/);
      const csv = await fs.readFile((await file.path())!, 'utf8');
      const [header, ...lines] = csv.trim().split(/\r?\n/);
      expect(header).toContain('action');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toContain('operator@acme.example');
      expect(csv).not.toContain(checkout.id);
      await expectNoSidewaysScroll(page);
    });

    test('support is refused the audit log and does not see it in the navigation', async ({
      page,
    }) => {
      await signIn(page, 'support@acme.example', '/devices');
      const menu = page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) await menu.click();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Devices' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
      // Typed in by hand, the address leads elsewhere; the API answers 403.
      await visit(page, '/audit');
      await expect(page).not.toHaveURL(/\/audit/);
      const refused = await page.request.get('/api/audit');
      expect(refused.status()).toBe(403);
      await expectNoSidewaysScroll(page);
    });
  });
}
