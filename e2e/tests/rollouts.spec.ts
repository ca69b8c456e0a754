import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext } from '@playwright/test';
import {
  DEMO_PASSWORD,
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  settle,
  signIn,
  test,
} from './helpers';

const simulator = fileURLToPath(
  new URL('../../apps/bff/dist/device-simulator.js', import.meta.url),
);

/** Plays these devices through the device API; resolves with the simulator's exit code. */
function simulate(baseURL: string, deviceIds: string[], options: string[]) {
  const device = spawn(
    process.execPath,
    [
      simulator,
      '--url',
      baseURL,
      '--devices',
      deviceIds.join(','),
      '--step-ms',
      '200',
      '--poll-ms',
      '300',
      '--failure-rate',
      '0',
      ...options,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => device.on('exit', resolve));
  return { exited, stop: () => device.kill() };
}

/** An admin buys the free Fleet Diagnostics for these thermostats (test devices) in test mode. */
async function buyInTestMode(request: APIRequestContext, deviceIds: string[]) {
  const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
  const login = await request.post('/api/auth/login', {
    headers: { 'X-CSRF-Token': csrfToken },
    data: { email: 'admin@acme.example', password: DEMO_PASSWORD },
  });
  expect(login.ok()).toBe(true);
  const { csrfToken: token } = await login.json();
  const bought = await request.post('/api/checkout-sessions', {
    headers: { 'X-CSRF-Token': token, 'Idempotency-Key': `e2e-rollouts-${deviceIds.join('-')}` },
    data: {
      instanceId: 'mkt_eu',
      itemIds: ['item_fleet_diagnostics'],
      deviceIds,
      mode: 'test',
    },
  });
  expect(bought.status()).toBe(201);
}

// Each screen size rolls out to thermostats of its own: a device keeps what it installed.
for (const { name, viewport, deviceIds } of [
  {
    name: 'a wide screen',
    viewport: { width: 1440, height: 900 },
    deviceIds: ['ACM-TX1-0016', 'ACM-TX1-0020', 'ACM-TX1-0024'],
  },
  {
    name: 'a phone',
    viewport: { width: 390, height: 844 },
    deviceIds: ['ACM-TX1-0028', 'ACM-TX1-0032', 'ACM-TX1-0036'],
  },
]) {
  test(`on ${name}, a staged rollout pauses when its first phase fails and completes once resumed`, async ({
    page,
    playwright,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    const admin = await playwright.request.newContext({ baseURL });
    await buyInTestMode(admin, deviceIds);
    await admin.dispose();

    // The operator lists the thermostats as a group, then rolls out to it.
    const groupName = `Rollout pilot ${viewport.width}`;
    await signIn(page, 'operator@acme.example', '/device-groups/new');
    await page.getByLabel('Name', { exact: true }).fill(groupName);
    await page.getByRole('radio', { name: /Static/ }).check();
    await page.getByLabel('Device IDs').fill(deviceIds.join('\n'));
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.getByRole('heading', { level: 1, name: groupName })).toBeVisible();
    await settle(page);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Roll out to this group' }).click();

    const form = page.getByRole('form', { name: 'New rollout' });
    await expect(form.getByRole('radio', { name: 'A device group' })).toBeChecked();
    await form.getByLabel('Name', { exact: true }).fill(`Fleet Diagnostics to ${groupName}`);
    await form.getByLabel('Item', { exact: true }).selectOption({ label: 'Fleet Diagnostics' });
    await form.getByLabel('Release', { exact: true }).selectOption('rel_fleet_diagnostics_2_2_0');
    await expect(form.getByRole('radio', { name: /Test mode/ })).toBeChecked();
    await form.getByRole('button', { name: '10 % · 100 %' }).click();

    // The server's preview, before anything is written: who it reaches, in which phase.
    const preview = page.getByRole('region', { name: 'Who it reaches' });
    await expect(preview.getByRole('status')).toHaveText(
      '3 devices will get Fleet Diagnostics 2.2.0, of 3 devices the target names.',
    );
    const phases = preview.getByRole('table', { name: 'Devices in each phase' });
    await expect(phases.getByRole('row', { name: /^Phase 1/ })).toHaveText(/Phase 1\s*1\s*1/);
    await expect(phases.getByRole('row', { name: /^Phase 2/ })).toHaveText(/Phase 2\s*2\s*3/);
    await expect(preview.getByRole('heading', { name: 'Left out: 0 devices' })).toBeVisible();

    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await form.getByRole('button', { name: 'Create rollout' }).click();
    await expect(page.getByRole('region', { name: 'Draft' })).toBeVisible();
    await settle(page);
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await expect(page.getByRole('region', { name: 'Running, phase 1 of 2' })).toBeVisible();

    // The devices come online, every install failing: the first phase trips the 10 % threshold.
    const failing = simulate(baseURL!, deviceIds, [
      '--fail-devices',
      deviceIds.join(','),
      '--until-idle',
    ]);
    try {
      const paused = page.getByRole('region', { name: 'Paused in phase 1 of 2' });
      await expect(paused).toBeVisible({ timeout: 20_000 });
      await expect(paused).toContainText(
        'Paused automatically: 1 of 1 installs in phase 1 failed (100 %), above the 10 % error threshold.',
      );
      expect(await failing.exited).toBe(0);
    } finally {
      failing.stop();
    }
    const failures = page.getByRole('table', { name: /^Failed installs of / });
    await expect(failures.getByRole('row')).toHaveCount(2);
    await expect(failures).toContainText('Simulated failure: this device was told to fail.');
    const history = page.getByRole('list', { name: 'History' });
    await expect(history.getByRole('listitem').last()).toContainText(
      'Paused: Paused automatically',
    );

    await expectNoSidewaysScroll(page);
    await expectAccessible(page);

    // The operator looked: resume, and the devices, now well, finish the second phase.
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByRole('region', { name: /^Running, phase 2 of 2/ })).toBeVisible();
    const healthy = simulate(baseURL!, deviceIds, []);
    try {
      await expect(page.getByRole('region', { name: 'Completed' })).toBeVisible({
        timeout: 30_000,
      });
    } finally {
      healthy.stop();
    }
    await expect(page.getByRole('region', { name: 'Completed' })).toContainText(
      '2 of 3 installed · 1 failed',
    );
    const events = await history.getByRole('listitem').locator('strong').allTextContents();
    expect(events).toEqual([
      'Created',
      'Started',
      'Phase started',
      'Paused',
      'Resumed',
      'Phase started',
      'Completed',
    ]);
    await expect(
      page
        .getByRole('region', { name: 'Progress by phase' })
        .getByText('Phase 1: 0 of 1 installed (1 failed). Phase 2: 2 of 2 installed.'),
    ).toBeVisible();

    await expectNoSidewaysScroll(page);
    await expectAccessible(page);

    // The list says the same. On a phone the navigation folds into a menu.
    if (viewport.width < 800) await page.getByRole('button', { name: 'Menu' }).click();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Rollouts' })
      .click();
    await expect(
      page.getByRole('row', { name: new RegExp(`^Fleet Diagnostics to ${groupName}`) }),
    ).toContainText('Completed');
    await settle(page);
  });
}
