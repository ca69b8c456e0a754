import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, signIn, test } from './helpers';

const simulator = fileURLToPath(
  new URL('../../apps/bff/dist/device-simulator.js', import.meta.url),
);

test('an operator installs the release that fits on the device bought at checkout, and the simulator completes it', async ({
  page,
  baseURL,
}) => {
  // ACM-TX1-0004 (firmware 2.0.1) got Eco Scheduler in the checkout test.
  await signIn(page, 'operator@acme.example', '/devices/ACM-TX1-0004');
  const eco = page.getByRole('region', { name: 'Eco Scheduler' });
  await expect(eco.getByText('Entitled')).toBeVisible();
  await expect(eco.getByText('Not installed')).toBeVisible();
  await expect(eco.getByRole('row', { name: /^2\.0\.0/ })).toContainText(
    'Needs firmware 2.4.0 or newer; the device runs 2.0.1.',
  );
  await eco.getByRole('button', { name: 'Install 1.0.0' }).click();
  // The state, and the first step of the job's timeline.
  await expect(eco.getByText('Queued')).toHaveCount(2);

  // The device comes online: the simulator plays it through the device API until it is idle.
  const device = spawn(
    process.execPath,
    [
      simulator,
      '--url',
      baseURL!,
      '--devices',
      'ACM-TX1-0004',
      '--step-ms',
      '300',
      '--failure-rate',
      '0',
      '--until-idle',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const finished = new Promise<number | null>((resolve) => device.on('exit', resolve));
  try {
    // The page follows the install by itself, without a reload.
    await expect(eco.getByText(/Downloading \d+ %/).first()).toBeVisible();
    await expect(eco.getByText('Installed 1.0.0', { exact: false })).toBeVisible({
      timeout: 20_000,
    });
    expect(await finished).toBe(0);
  } finally {
    device.kill();
  }
  const history = page.getByRole('table', { name: 'Install history of ACM-TX1-0004' });
  await expect(history.getByRole('row', { name: /Eco Scheduler 1\.0\.0 Succeeded/ })).toBeVisible();

  // Its history keeps every step the device reported, however quickly they passed.
  const row = history.getByRole('row', { name: /Eco Scheduler 1\.0\.0 Succeeded/ });
  await row.getByText('History', { exact: true }).click();
  const steps = row
    .getByRole('list', { name: 'History of Eco Scheduler 1.0.0' })
    .getByRole('listitem');
  await expect(steps.first()).toContainText('Queued');
  await expect(steps.last()).toContainText('Succeeded');
  const texts = await steps.allTextContents();
  expect(texts[1]).toContain('Sent to device');
  expect(texts.filter((t) => /^Downloading \d+ %/.test(t)).length).toBeGreaterThan(1);
  expect(texts.at(-2)).toMatch(/^Installing/);
  expect(texts.at(-1)).toMatch(/^Succeeded/);

  // The Installs page lists it as succeeded.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Installs' })
    .click();
  await page.getByLabel('Status').selectOption('succeeded');
  await expect(
    page.getByRole('row', { name: /ACM-TX1-0004 Eco Scheduler 1\.0\.0 Succeeded/ }),
  ).toBeVisible();
});
