/**
 * What the webhook fulfilment figures need: a fresh database of their own (the large one keeps
 * its history), open checkout sessions of three devices each for one item, Stripe's
 * `checkout.session.completed` event for each, signed as Stripe signs them, and a raw insert loop
 * of the rows fulfilment writes, as the baseline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { openDatabase, type Database } from '../db/database';
import { seedDemoData } from '../db/seed';
import { newId } from '../ids';
import { createCheckoutRepo } from '../modules/checkout/checkout.repo';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { STRIPE_API_VERSION } from '../stripe/stripe-gateway';
import { BENCH_ORGANISATION_ID, BENCH_WEBHOOK_SECRET } from './bench-settings';

const DEVICES_PER_BASKET = 3;
const ITEM_ID = 'item_fleet_diagnostics';
const UNIT_AMOUNT = 1_500;
const SESSIONS_PER_TRANSACTION = 250;

/** A database made for some figures and dropped after them. */
export type ScratchDatabase = { where: string; drop: () => Promise<void> };

/**
 * A fresh SQLite file, or a fresh database on the large database's PostgreSQL server, named
 * after what it is for.
 */
export async function createScratchDatabase(
  besides: string,
  purpose: 'webhooks' | 'demo',
): Promise<ScratchDatabase> {
  if (!/^postgres(ql)?:\/\//.test(besides)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${purpose}-`));
    return {
      where: path.join(dir, `${purpose}.sqlite`),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `bench_${purpose}_${process.pid}`;
  const admin = async (statement: string) => {
    const maintenance = new URL(besides);
    maintenance.pathname = '/postgres';
    const client = new pg.Client({ connectionString: maintenance.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(besides);
  url.pathname = `/${name}`;
  return {
    where: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

const targetOf = (where: string) =>
  /^postgres(ql)?:\/\//.test(where) ? { postgresUrl: where } : { sqlitePath: where };

/** Migrates and seeds the demo data: the small database the product starts with. */
export async function seededDatabase(where: string): Promise<void> {
  const database = await openDatabase(targetOf(where));
  try {
    await seedDemoData(database);
  } finally {
    await database.close();
  }
}

/**
 * Open checkout sessions of three new devices each, for one item, in test mode, as a checkout
 * leaves them when the customer is sent to Stripe. Returns their ids.
 */
export async function prepareBaskets(
  where: string,
  baskets: number,
  tag: string,
): Promise<string[]> {
  const database = await openDatabase(targetOf(where));
  try {
    await seedDemoData(database);
    const checkout = createCheckoutRepo(database);
    const now = new Date();
    const createdAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + 86_400_000).toISOString();
    const ids: string[] = [];
    for (let start = 0; start < baskets; start += SESSIONS_PER_TRANSACTION) {
      const batch = Array.from(
        { length: Math.min(SESSIONS_PER_TRANSACTION, baskets - start) },
        (_, offset) => start + offset,
      );
      await database.transaction(async () => {
        const devices = batch.flatMap((n) =>
          Array.from({ length: DEVICES_PER_BASKET }, (_, d) => ({
            id: `BEN-${tag}-${String(n).padStart(6, '0')}-${d}`,
            organisationId: BENCH_ORGANISATION_ID,
            name: `Bench thermostat ${n}.${d}`,
            model: 'thermo-x1',
            firmwareVersion: '2.4.0',
            tokenHash: `bench-${tag}-${n}-${d}`,
            lastSeenAt: null,
            createdAt,
          })),
        );
        await database.db.insertInto('devices').values(devices).execute();
        for (const n of batch) {
          const id = newId('chk');
          const lines = devices
            .slice((n - start) * DEVICES_PER_BASKET, (n - start + 1) * DEVICES_PER_BASKET)
            .map((device) => ({ itemId: ITEM_ID, deviceId: device.id, unitAmount: UNIT_AMOUNT }));
          await checkout.insert({
            id,
            organisationId: BENCH_ORGANISATION_ID,
            instanceId: 'mkt_eu',
            mode: 'test',
            status: 'open',
            paymentStatus: 'unpaid',
            currency: 'eur',
            amountSubtotal: UNIT_AMOUNT * DEVICES_PER_BASKET,
            platformFee: 0,
            amountTotal: UNIT_AMOUNT * DEVICES_PER_BASKET,
            successUrl: 'http://127.0.0.1:3000/checkout/done',
            cancelUrl: 'http://127.0.0.1:3000/checkout/cancelled',
            expiresAt,
            idempotencyKey: `bench-${id}`,
            requestHash: 'bench',
            allowPromotionCodes: false,
            apiKeyId: null,
            paymentLinkId: null,
            createdBy: 'usr_acme_admin',
            createdAt,
            lines,
          });
          ids.push(id);
        }
      });
    }
    return ids;
  } finally {
    await database.close();
  }
}

/** Stripe's `checkout.session.completed` for each session, paid, signed with the bench's secret. */
export function signedEvents(checkoutSessionIds: string[]): { body: string; signature: string }[] {
  const created = Math.floor(Date.now() / 1000);
  return checkoutSessionIds.map((id) => {
    const body = JSON.stringify({
      id: `evt_${id}`,
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created,
      livemode: false,
      type: 'checkout.session.completed',
      data: {
        object: {
          object: 'checkout.session',
          id: `cs_test_${id}`,
          status: 'complete',
          payment_status: 'paid',
          mode: 'payment',
          currency: 'eur',
          amount_subtotal: UNIT_AMOUNT * DEVICES_PER_BASKET,
          amount_total: UNIT_AMOUNT * DEVICES_PER_BASKET,
          client_reference_id: id,
          metadata: { checkoutSessionId: id, organisationId: BENCH_ORGANISATION_ID },
          payment_intent: `pi_${id}`,
          total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: BENCH_WEBHOOK_SECRET,
      timestamp: created,
    });
    return { body, signature };
  });
}

/** How many of the sessions were fulfilled, and their purchases. */
export async function fulfilment(where: string, checkoutSessionIds: string[]) {
  const database = await openDatabase(targetOf(where));
  try {
    const fulfilled = await database.db
      .selectFrom('checkoutSessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('id', 'in', checkoutSessionIds)
      .where('fulfilledAt', 'is not', null)
      .executeTakeFirstOrThrow();
    const purchases = await database.db
      .selectFrom('purchases')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('checkoutSessionId', 'in', checkoutSessionIds)
      .executeTakeFirstOrThrow();
    return { sessions: Number(fulfilled.count), purchases: Number(purchases.count) };
  } finally {
    await database.close();
  }
}

/**
 * The baseline: the rows fulfilment writes for each event, inserted directly, one transaction
 * per event, one event after the other: the event's record, the session marked paid and
 * fulfilled, its three purchases (with their count) and entitlements, the two attempts, and
 * the devices let go. No HTTP, no signature, no parsing, no locking, no decisions.
 */
export async function rawFulfilmentLoop(database: Database, checkoutSessionIds: string[]) {
  const purchases = createPurchasesRepo(database);
  const started = performance.now();
  for (const id of checkoutSessionIds) {
    await database.transaction(async () => {
      const { db } = database;
      const now = new Date().toISOString();
      await db
        .insertInto('webhookEvents')
        .values({
          id: `evt_raw_${id}`,
          mode: 'test',
          type: 'checkout.session.completed',
          receivedAt: now,
          processedAt: now,
          outcome: 'fulfilled',
          error: null,
        })
        .execute();
      await db
        .updateTable('checkoutSessions')
        .set({
          status: 'complete',
          paymentStatus: 'paid',
          fulfilledAt: now,
          stripePaymentIntentId: `pi_${id}`,
        })
        .where('id', '=', id)
        .execute();
      const lines = await db
        .selectFrom('checkoutSessionLines')
        .select(['deviceId', 'itemId', 'unitAmount'])
        .where('checkoutSessionId', '=', id)
        .execute();
      const bought = lines.map((line) => ({
        id: newId('pur'),
        organisationId: BENCH_ORGANISATION_ID,
        checkoutSessionId: id,
        deviceId: line.deviceId,
        itemId: line.itemId,
        mode: 'test' as const,
        amount: line.unitAmount,
        amountDiscount: 0,
        currency: 'eur',
        status: 'active' as const,
        createdAt: now,
        refundedAt: null,
      }));
      await purchases.insertPurchases(bought);
      await db
        .insertInto('entitlements')
        .values(
          bought.map((purchase) => ({
            id: newId('ent'),
            organisationId: BENCH_ORGANISATION_ID,
            deviceId: purchase.deviceId,
            itemId: purchase.itemId,
            mode: 'test' as const,
            purchaseId: purchase.id,
            status: 'active' as const,
            createdAt: now,
            revokedAt: null,
          })),
        )
        .execute();
      await db
        .insertInto('checkoutAttempts')
        .values(
          (['paid', 'fulfilled'] as const).map((kind) => ({
            checkoutSessionId: id,
            kind,
            detail: null,
            stripeEventId: `evt_raw_${id}`,
            createdAt: now,
          })),
        )
        .execute();
      await db.deleteFrom('checkoutHolds').where('checkoutSessionId', '=', id).execute();
    });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    events: checkoutSessionIds.length,
    eventsPerSecond: checkoutSessionIds.length / seconds,
  };
}
