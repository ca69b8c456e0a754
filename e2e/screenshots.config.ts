import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

const PORT = Number(process.env.SCREENSHOTS_PORT ?? 3211);
const baseURL = `http://127.0.0.1:${PORT}`;
const database = path.resolve('data/screenshots.sqlite');

/**
 * Takes the README's screenshots (docs/*.png) from the production build, on the demo
 * marketplace with two years of history written by the large seed at a small size, so that the
 * Overview has something to chart:
 *
 *   pnpm build && pnpm --filter @repo/e2e screenshots
 */
export default defineConfig({
  ...base,
  testDir: './screenshots',
  reporter: [['list']],
  use: { ...base.use, baseURL, screenshot: 'off', trace: 'off' },
  webServer: {
    reuseExistingServer: false,
    stdout: 'ignore',
    command: [
      `LARGE_DATABASE_PATH=${database} SEED_PURCHASES=6000 SEED_DEVICES=600 pnpm --filter @repo/bff seed:large`,
      'node ../apps/bff/dist/server.js',
    ].join(' && '),
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    env: {
      NODE_ENV: 'production',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseURL,
      DATABASE_PATH: database,
      DASHBOARD_DIST: '../apps/dashboard/dist',
      LOG_LEVEL: 'warn',
    },
  },
});
