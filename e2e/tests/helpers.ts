import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

export { expect };

export const DEMO_PASSWORD = 'demo-password';

type Fixtures = {
  /**
   * Console errors and failed requests a test provokes on purpose (a wrong password answers 401).
   * Anything else seen during a visit fails the test.
   */
  expectedProblems: RegExp | undefined;
  /** Collects every console error and failed request of the page; checked when the test ends. */
  pageProblems: string[];
};

/** The one `test` every spec uses: a normal visit has no console error, no failed request. */
export const test = base.extend<Fixtures>({
  expectedProblems: [undefined, { option: true }],
  pageProblems: [
    async ({ page, expectedProblems }, use, testInfo) => {
      const problems: string[] = [];
      const note = (problem: string) => {
        if (!expectedProblems?.test(problem)) problems.push(problem);
      };
      page.on('console', (message) => {
        if (message.type() === 'error') note(`console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => note(`page error: ${error.message}`));
      page.on('requestfailed', (request) => {
        // A navigation away (to Stripe's page, or a reload) aborts what the old page was fetching.
        if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
        note(
          `request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`,
        );
      });
      page.on('response', (response) => {
        if (response.status() >= 400) {
          note(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
        }
      });
      await use(problems);
      expect(problems, 'console errors or failed requests during the visit').toEqual([]);
      // The page a test ends on was often reached by clicks rather than `visit`: check it too.
      if (testInfo.status === 'passed' && !page.isClosed()) await expectAccessible(page);
    },
    { auto: true },
  ],
});

/**
 * Fails on any serious or critical accessibility violation of the page as it is now.
 * `visit` calls it on every page it opens, so a page added later is checked too.
 */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    // Experimental in axe, so off by default; a visible label that is not the name fails voice control.
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  const blocking = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target).join(', ')}`);
  expect(blocking, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** Fails if the page, as it is now, is wider than the window (a page-level sideways scroll). */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

/** Waits until the page has loaded its data: no route loading, no spinner. */
export async function settle(page: Page) {
  await expect(page.locator('main[aria-busy="true"]')).toHaveCount(0);
  await expect(page.getByRole('progressbar', { name: 'Loading page' })).toHaveCount(0);
  await expect(page.locator('.spinner')).toHaveCount(0);
}

/** The one way specs open a page: waits for it to settle and checks its accessibility. */
export async function visit(page: Page, path: string) {
  await page.goto(path);
  await settle(page);
  await expectAccessible(page);
}

export async function signIn(page: Page, email: string, next = '/') {
  await visit(page, next);
  await expect(
    page.getByRole('heading', { name: 'Sign in to the provider dashboard' }),
  ).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await settle(page);
  await expectAccessible(page);
}

/**
 * Signs `request` in through the API, as a script would, and returns the CSRF token its unsafe
 * requests send: for the data a test needs before it starts clicking.
 */
export async function signInApi(request: APIRequestContext, email: string): Promise<string> {
  const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
  const login = await request.post('/api/auth/login', {
    headers: { 'X-CSRF-Token': csrfToken },
    data: { email, password: DEMO_PASSWORD },
  });
  expect(login.ok()).toBe(true);
  return (await login.json()).csrfToken;
}

/** The two widths every page is tried at: a phone and a wide screen. */
export const VIEWPORTS = [
  { name: 'a phone', width: 390, height: 844 },
  { name: 'a wide screen', width: 1440, height: 900 },
] as const;

/** Opens a page from the main navigation, through the menu on a phone, as a person would. */
export async function openFromNavigation(page: Page, name: string) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await settle(page);
}
