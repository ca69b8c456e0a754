/**
 * Item 5: what the dashboard makes people wait for in a real browser. Debian's Chromium, signed
 * in, opens the Purchases page (support), the Devices page and a device's page (an operator),
 * served with the API by the BFF from the built dashboard on the large database; Largest
 * Contentful Paint from the page's own PerformanceObserver, a fresh browser context (no cache)
 * for every load. Beside it, the same pages from a BFF on the small demo database. With two
 * instances, the session is made on one and the pages are read from the other.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { openDatabase } from '../db/database';
import { SESSION_COOKIE } from '../http/auth';
import { signIn } from './bench-client';
import type { SectionContext } from './bench-context';
import { BENCH_ORGANISATION_ID, OPERATOR_EMAIL, SUPPORT_EMAIL, TARGETS } from './bench-settings';
import { ms } from './report';
import { withServers } from './server-process';
import { createScratchDatabase, seededDatabase } from './webhook-fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
const DASHBOARD = path.resolve(here, '../../../dashboard');
const LOADS_PER_PAGE = 5;

type Page = { label: string; path: string; email: string };

/** Run in the page: the last largest-contentful-paint entry it recorded, its LCP so far, in ms. */
const LARGEST_CONTENTFUL_PAINT = `new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({ type: 'largest-contentful-paint', buffered: true });
})`;

async function largestContentfulPaints(
  browser: Browser,
  signInUrl: string,
  pageUrl: string,
  pages: Page[],
): Promise<Map<string, number[]>> {
  const byPage = new Map<string, number[]>();
  for (const page of pages) {
    const cookie = await signIn(signInUrl, page.email);
    const sid = cookie.split('; ').find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    const times: number[] = [];
    // One load first, not counted: the server's first answers warm its caches, as on a working day.
    for (let load = 0; load <= LOADS_PER_PAGE; load += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        await context.addCookies([
          { name: SESSION_COOKIE, value: sid.slice(SESSION_COOKIE.length + 1), url: pageUrl },
        ]);
        const tab = await context.newPage();
        const response = await tab.goto(`${pageUrl}${page.path}`, { waitUntil: 'networkidle' });
        if (!response?.ok()) throw new Error(`${page.path} answered ${response?.status()}`);
        if (tab.url().includes('/login'))
          throw new Error(`${page.path} sent the browser to sign in`);
        const lcp = await tab.evaluate<number>(LARGEST_CONTENTFUL_PAINT);
        if (load > 0) times.push(lcp);
      } finally {
        await context.close();
      }
    }
    byPage.set(page.label, times);
  }
  return byPage;
}

/** A device of the organisation, one with purchases when there is one, for its page. */
async function deviceToOpen(where: string): Promise<string> {
  const target = /^postgres(ql)?:\/\//.test(where) ? { postgresUrl: where } : { sqlitePath: where };
  const database = await openDatabase(target);
  try {
    const { db } = database;
    const bought = await db
      .selectFrom('purchases')
      .select('deviceId')
      .where('organisationId', '=', BENCH_ORGANISATION_ID)
      .orderBy('deviceId')
      .limit(1)
      .executeTakeFirst();
    if (bought) return bought.deviceId;
    const { id } = await db
      .selectFrom('devices')
      .select('id')
      .where('organisationId', '=', BENCH_ORGANISATION_ID)
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    return id;
  } finally {
    await database.close();
  }
}

/** What the dashboard's own bench measures of the same build: the JavaScript a first visit loads. */
function javaScriptSizes() {
  const out = execFileSync('node', [path.join(DASHBOARD, 'scripts/js-budget.mjs'), '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { initialKb: number; allKb: number; budgetKb: number };
}

async function measure(database: string, instances: number, browser: Browser) {
  const pages: Page[] = [
    { label: 'Purchases page (support)', path: '/purchases', email: SUPPORT_EMAIL },
    { label: 'Devices page (operator)', path: '/devices', email: OPERATOR_EMAIL },
    {
      label: "a device's page (operator)",
      path: `/devices/${await deviceToOpen(database)}`,
      email: OPERATOR_EMAIL,
    },
  ];
  const env = { BENCH_DASHBOARD_DIST: path.join(DASHBOARD, 'dist') };
  return withServers(
    'bff',
    database,
    instances,
    (group) => largestContentfulPaints(browser, group.urls[0]!, group.urls.at(-1)!, pages),
    env,
  );
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `withJavaScript`: also the build's initial JavaScript, the same for every database. */
export async function browserSection(context: SectionContext, withJavaScript: boolean) {
  const { report, subject } = context;
  report.section(5, subject.name);
  if (!fs.existsSync(path.join(DASHBOARD, 'dist/index.html')))
    throw new Error(
      'No dashboard build: `pnpm bench` builds it first (or `pnpm --filter @repo/dashboard build`).',
    );

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const demo = await createScratchDatabase(subject.database, 'demo');
  try {
    await seededDatabase(demo.where);
    const large = await measure(subject.database, subject.instances, browser);
    const small = await measure(demo.where, 1, browser);
    for (const [label, times] of large) {
      const lcp = median(times);
      report.add({
        item: 5,
        subject: subject.name,
        what: `LCP, ${label}`,
        value: `median ${ms(lcp)} ms, worst ${ms(Math.max(...times))} ms of ${times.length}`,
        baseline: `demo database: median ${ms(median(small.get(label)!))} ms`,
        target: `< ${TARGETS.lcpMs} ms`,
        met: lcp < TARGETS.lcpMs,
      });
    }
    if (withJavaScript) {
      const js = javaScriptSizes();
      report.add({
        item: 5,
        subject: 'any',
        what: 'initial JavaScript (entry and preloaded chunks)',
        value: `${js.initialKb.toFixed(1)} KB gzipped`,
        baseline: `every chunk: ${js.allKb.toFixed(1)} KB gzipped`,
        target: `≤ ${js.budgetKb} KB (the dashboard's budget)`,
        met: js.initialKb <= js.budgetKb,
      });
    }
  } finally {
    await demo.drop();
    await browser.close();
  }
}
