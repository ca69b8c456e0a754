import { expect, signIn, test, visit } from './helpers';

test('a support user signs in, searches the devices list, opens a device and signs out', async ({
  page,
}) => {
  await signIn(page, 'support@acme.example', '/devices');
  await expect(page).toHaveURL(/\/devices$/);
  await expect(page.getByText('Showing 25 of 40 devices')).toBeVisible();
  await expect(page.getByRole('cell', { name: /^GLX-/ })).toHaveCount(0);

  await page.getByLabel('Model').selectOption('cam-c3');
  await expect(page).toHaveURL(/model=cam-c3/);
  await expect(page.getByText('Showing 10 of 10 devices')).toBeVisible();

  await page.getByRole('searchbox').fill('ACM-CC3-000');
  await expect(page).toHaveURL(/q=ACM-CC3-000/);
  await expect(page.getByText('Showing 3 of 3 devices')).toBeVisible();

  // Filters survive a reload.
  await page.reload();
  await expect(page.getByText('Showing 3 of 3 devices')).toBeVisible();
  await expect(page.getByRole('searchbox')).toHaveValue('ACM-CC3-000');

  await page.getByRole('link', { name: 'ACM-CC3-0005' }).click();
  await expect(page.getByRole('heading', { name: 'Madrid camera 5' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(
    page.getByRole('heading', { name: 'Sign in to the provider dashboard' }),
  ).toBeVisible();
  await visit(page, '/devices');
  await expect(page).toHaveURL(/\/login\?next=%2Fdevices/);
});

test.describe('a wrong password', () => {
  // The refusal itself is the 401 this visit is about.
  test.use({ expectedProblems: /401: POST .*\/api\/auth\/login|status of 401/ });

  test('is refused with a clear message', async ({ page }) => {
    await visit(page, '/login');
    await page.getByLabel('Email').fill('admin@acme.example');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  });
});

test('the built SPA carries no secret', async ({ page, request }) => {
  await visit(page, '/login');
  const scripts = await page
    .locator('script[src]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('src')!));
  expect(scripts.length).toBeGreaterThan(0);
  for (const src of scripts) {
    const body = await (await request.get(src)).text();
    expect(body).not.toMatch(/sk_(test|live)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}/);
  }
});
