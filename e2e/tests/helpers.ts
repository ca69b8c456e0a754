import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo-password';

export async function signIn(page: Page, email: string, next = '/') {
  await page.goto(next);
  await expect(
    page.getByRole('heading', { name: 'Sign in to the provider dashboard' }),
  ).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}
