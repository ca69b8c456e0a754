/**
 * The search box on the large database: for each shape of query a support agent pastes, every
 * statement the search runs, with its plan and time (see explain.ts), and the whole call's time.
 * Each should be one index hit, whatever the number of purchases.
 *
 *   npx tsx src/bench/search-plans.ts                         the SQLite file (LARGE_DATABASE_PATH)
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large npx tsx src/bench/search-plans.ts
 *
 * Needs the database that `pnpm seed:large` writes. Reads only.
 */
import path from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../db/database';
import type { Actor } from '../http/auth';
import { createSearchRepo } from '../modules/search/search.repo';
import { createSearchService } from '../modules/search/search.service';
import { recordingPlans } from './explain';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z.string().optional(),
  })
  .parse(process.env);

const ACTOR: Actor = {
  userId: 'usr_acme_admin',
  email: 'admin@acme.example',
  role: 'admin',
  organisationId: 'org_acme',
};

async function main() {
  const database = await openDatabase(
    env.LARGE_DATABASE_URL
      ? { postgresUrl: env.LARGE_DATABASE_URL }
      : { sqlitePath: path.resolve(env.LARGE_DATABASE_PATH) },
  );
  const { db } = database;
  // Something from the middle of the history, and a job that was installed.
  const middle = new Date(Date.now() - 365 * 86_400_000).toISOString();
  const purchase = await db
    .selectFrom('purchases as p')
    .innerJoin('checkoutSessions as c', 'c.id', 'p.checkoutSessionId')
    .innerJoin('marketplaceItems as i', 'i.id', 'p.itemId')
    .select([
      'p.id',
      'p.deviceId',
      'i.name as itemName',
      'c.id as checkoutSessionId',
      'c.stripeSessionId',
      'c.stripePaymentIntentId',
    ])
    .where('p.organisationId', '=', ACTOR.organisationId)
    .where('p.createdAt', '>=', middle)
    .where('p.amount', '>', 0)
    .orderBy('p.createdAt')
    .limit(1)
    .executeTakeFirstOrThrow();
  const job = await db
    .selectFrom('installJobs')
    .select('id')
    .where('organisationId', '=', ACTOR.organisationId)
    .where('deviceId', '=', purchase.deviceId)
    .executeTakeFirst();

  const plans = recordingPlans(database);
  const search = createSearchService({ search: createSearchRepo(plans.database) });
  const queries: [string, string][] = [
    ['a device ID in lower case', purchase.deviceId.toLowerCase()],
    ['a device ID and words of an item', `${purchase.deviceId} ${purchase.itemName.toLowerCase()}`],
    ['the start of device IDs', purchase.deviceId.slice(0, 8)],
    ['a purchase id', purchase.id],
    ['the start of a purchase id', purchase.id.slice(0, 10)],
    ['a checkout id', purchase.checkoutSessionId],
    ["Stripe's Checkout Session id", purchase.stripeSessionId!],
    ["Stripe's PaymentIntent id", purchase.stripePaymentIntentId!],
    ...(job ? ([['an install job id', job.id]] as [string, string][]) : []),
    ['words of an item name', purchase.itemName.split(' ')[0]!.toLowerCase()],
    ['an API key prefix', 'mk_live_'],
  ];
  console.log(`\n  Search on ${database.description}`);
  for (const [label, q] of queries) {
    const started = performance.now();
    const { results } = await search.search(ACTOR, q);
    const ms = performance.now() - started;
    await plans.report(
      `${label}: "${q}" → ${results.length} result(s), first ${results[0]?.kind ?? '—'}; ${ms.toFixed(2)} ms (cold)`,
      () => search.search(ACTOR, q),
    );
  }
  await database.close();
}

void main();
