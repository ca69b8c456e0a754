import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext, Page } from '@playwright/test';
import {
  expect,
  expectNoSidewaysScroll,
  settle,
  signIn,
  signInApi,
  test,
  VIEWPORTS,
} from './helpers';

const simulator = fileURLToPath(
  new URL('../../apps/bff/dist/device-simulator.js', import.meta.url),
);

/** A thermostat no other spec touches: this spec buys Energy Insights for it and installs it. */
const DEVICE_ID = 'ACM-TX1-0016';
const ITEM_ID = 'item_energy_insights';
const RELEASE_ID = 'rel_energy_insights_0_9_0';

/**
 * The device owns Energy Insights and runs it: bought through the API (it is free, so no payment
 * page), queued, and installed by the device simulator. Returns the purchase's id.
 */
async function ensureInstalled(request: APIRequestContext, baseURL: string): Promise<string> {
  const token = await signInApi(request, 'admin@acme.example');
  const owned = async () =>
    (await (await request.get(`/api/purchases?deviceId=${DEVICE_ID}&itemId=${ITEM_ID}`)).json())
      .items[0]?.id as string | undefined;
  if (!(await owned())) {
    const bought = await request.post('/api/checkout-sessions', {
      headers: { 'X-CSRF-Token': token, 'Idempotency-Key': `e2e-search-${Date.now()}` },
      data: { instanceId: 'mkt_eu', itemIds: [ITEM_ID], deviceIds: [DEVICE_ID], mode: 'test' },
    });
    expect(bought.status()).toBe(201);
    const queued = await request.post('/api/installs', {
      headers: { 'X-CSRF-Token': token },
      data: { deviceId: DEVICE_ID, releaseId: RELEASE_ID },
    });
    expect(queued.status()).toBe(201);
    // The device comes online and plays the job through the device API until it is idle.
    await new Promise<void>((resolve, reject) =>
      spawn(
        process.execPath,
        [
          simulator,
          '--url',
          baseURL,
          '--devices',
          DEVICE_ID,
          '--step-ms',
          '50',
          '--failure-rate',
          '0',
          '--until-idle',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      ).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`simulator: ${code}`)))),
    );
  }
  return (await owned())!;
}

/** Opens the palette from the header's search button, with the keyboard. */
async function openFromHeader(page: Page) {
  const trigger = page.getByRole('banner').getByRole('button', { name: /Search/ });
  await trigger.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Search' });
  await expect(dialog.getByRole('combobox', { name: 'Search by ID or name' })).toBeFocused();
  return dialog;
}

let purchaseId: string;

test.beforeAll(async ({ playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL });
  purchaseId = await ensureInstalled(api, baseURL!);
  await api.dispose();
});

for (const viewport of VIEWPORTS) {
  test.describe(`on ${viewport.name} (${viewport.width} px)`, () => {
    test.use({ viewport });

    test('a support agent pastes a device ID in lower case in the header search and opens the device', async ({
      page,
    }) => {
      await signIn(page, 'support@acme.example', '/purchases');
      const dialog = await openFromHeader(page);
      await page.keyboard.type(DEVICE_ID.toLowerCase());
      const first = dialog.getByRole('option').first();
      await expect(first).toContainText(DEVICE_ID);
      await expect(first).toContainText('Energy Insights · test · active · 0.9.0 installed');
      await expect(first).toHaveAttribute('aria-selected', 'true');
      await expectNoSidewaysScroll(page);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/devices/${DEVICE_ID}$`));
      await expect(page.getByRole('dialog', { name: 'Search' })).toHaveCount(0);
      await settle(page);
    });

    test('Ctrl+K opens the search anywhere; a purchase id pasted and entered opens that purchase', async ({
      page,
    }) => {
      await signIn(page, 'support@acme.example', '/installs');
      await page.keyboard.press('Control+k');
      const input = page
        .getByRole('dialog', { name: 'Search' })
        .getByRole('combobox', { name: 'Search by ID or name' });
      await expect(input).toBeFocused();
      // Pasted and entered at once, before any result is listed: the best one opens.
      await input.fill(purchaseId);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/purchases/${purchaseId}$`));
      await expect(
        page.getByRole('heading', { name: `Energy Insights for ${DEVICE_ID}`, level: 1 }),
      ).toBeVisible();
      await settle(page);

      // Escape closes it and gives the focus back.
      await page.keyboard.press('Control+k');
      await expect(page.getByRole('dialog', { name: 'Search' })).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog', { name: 'Search' })).toHaveCount(0);
    });

    test('a device ID with words of a product answers whether the device owns it and runs it', async ({
      page,
    }) => {
      await signIn(page, 'support@acme.example', '/devices');
      await page.keyboard.press('Control+k');
      const dialog = page.getByRole('dialog', { name: 'Search' });
      await page.keyboard.type(`${DEVICE_ID.toLowerCase()} energy insights`);
      const answer = dialog.getByRole('option').first();
      await expect(answer).toContainText(
        `Yes: ${DEVICE_ID} owns Energy Insights (purchase ${purchaseId}, test mode).`,
      );
      await expect(answer).toContainText('Energy Insights 0.9.0 is installed.');

      // A product it never bought says so too.
      await page.keyboard.press('Control+a');
      await page.keyboard.type(`${DEVICE_ID} eco scheduler`);
      await expect(dialog.getByRole('option').first()).toContainText(
        `No: ${DEVICE_ID} has not bought Eco Scheduler.`,
      );
      await expect(dialog.getByRole('option').first()).toContainText('Not installed.');
      await expectNoSidewaysScroll(page);

      // Back to the one it owns: the purchase is the next option, one arrow away.
      await page.keyboard.press('Control+a');
      await page.keyboard.type(`${DEVICE_ID} energy`);
      await expect(dialog.getByRole('option').first()).toContainText(`Yes: ${DEVICE_ID} owns`);
      await page.keyboard.press('ArrowDown');
      await expect(dialog.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/purchases/${purchaseId}$`));
      await settle(page);
    });
  });
}
