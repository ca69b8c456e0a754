import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitDiscount } from './promotion-codes';
import { postCheckoutForm, sessionParams, startHarness, type Harness } from './test-support';

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});
afterEach(async () => {
  await harness.close();
});

/** 2 × 12.50 + 4.99 = 29.99 EUR, taking promotion codes. */
const openSession = (allow = true) =>
  harness.stripe.checkout.sessions.create(sessionParams({ allow_promotion_codes: allow }));

describe('promotion codes', () => {
  it('takes a percentage code typed on the page and reports it on the session as Stripe does', async () => {
    const session = await openSession();
    expect(session.allow_promotion_codes).toBe(true);
    const page = await (await fetch(`${harness.emulator.url}/checkout/${session.id}`)).text();
    expect(page).toContain('<label for="promotion-code">Promotion code</label>');

    const applied = await postCheckoutForm(harness.emulator, session.id, 'promotion-code', {
      code: 'spring20',
    });
    expect(applied.status).toBe(200);
    const html = await applied.text();
    expect(html).toContain('Promotion code SPRING20 applied.');
    expect(html).toContain('−€6.00');
    expect(html).toContain('€23.99');

    const read = await harness.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['line_items'],
    });
    expect(read.amount_subtotal).toBe(2999);
    expect(read.amount_total).toBe(2399);
    expect(read.total_details?.amount_discount).toBe(600);
    expect(read.discounts).toEqual([{ coupon: 'SPRING20', promotion_code: 'promo_demo_spring20' }]);
    const lines = read.line_items!.data;
    expect(lines.reduce((sum, l) => sum + l.amount_discount, 0)).toBe(600);
    expect(lines.reduce((sum, l) => sum + l.amount_total, 0)).toBe(2399);

    await harness.emulator.completeSession(session.id, 'succeeded');
    const paid = await harness.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent'],
    });
    expect((paid.payment_intent as { amount: number }).amount).toBe(2399);
    const events = (await harness.emulator.flushWebhooks(), harness.receiver.events);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    expect(
      (completed.data.object as { total_details: { amount_discount: number } }).total_details,
    ).toMatchObject({ amount_discount: 600 });
  });

  it('takes a fixed-amount code in its own currency only', async () => {
    const session = await openSession();
    await harness.emulator.applyPromotionCode(session.id, 'TAKE5');
    const read = await harness.stripe.checkout.sessions.retrieve(session.id);
    expect(read.amount_total).toBe(2499);
    expect(read.total_details?.amount_discount).toBe(500);

    const dollars = await harness.stripe.checkout.sessions.create(
      sessionParams({
        allow_promotion_codes: true,
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'X' } },
            quantity: 1,
          },
        ],
      }),
    );
    await expect(harness.emulator.applyPromotionCode(dollars.id, 'TAKE5')).rejects.toThrow(
      'This code is invalid.',
    );
  });

  it('refuses an unknown code, and any code when the session does not allow them', async () => {
    const session = await openSession();
    const unknown = await postCheckoutForm(harness.emulator, session.id, 'promotion-code', {
      code: 'FREEBIE',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('This code is invalid.');
    expect((await harness.stripe.checkout.sessions.retrieve(session.id)).amount_total).toBe(2999);

    const closed = await openSession(false);
    const page = await (await fetch(`${harness.emulator.url}/checkout/${closed.id}`)).text();
    expect(page).not.toContain('Promotion code');
    await expect(harness.emulator.applyPromotionCode(closed.id, 'SPRING20')).rejects.toThrow(
      'does not take promotion codes',
    );
  });
});

describe('splitDiscount', () => {
  it('splits in proportion and always adds up to the discount', () => {
    expect(splitDiscount([1499, 1499, 1499], 500)).toEqual([167, 167, 166]);
    expect(splitDiscount([1000, 0, 3000], 400)).toEqual([100, 0, 300]);
    expect(splitDiscount([0, 0], 0)).toEqual([0, 0]);
    for (const [amounts, discount] of [
      [[333, 333, 334], 101],
      [[1, 2, 3, 4, 5], 7],
      [[4900, 0, 4900, 0], 1960],
    ] as const) {
      const parts = splitDiscount([...amounts], discount);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(discount);
      parts.forEach((part, i) => expect(part).toBeLessThanOrEqual(amounts[i]!));
    }
  });
});
