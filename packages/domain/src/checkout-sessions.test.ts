import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NEW_CHECKOUT_STATE,
  checkoutPhase,
  decideCheckout,
  type CheckoutFact,
  type CheckoutPhase,
  type CheckoutState,
} from './checkout-sessions';

const completedPaid: CheckoutFact = { kind: 'completed', paymentStatus: 'paid' };
const completedUnpaid: CheckoutFact = { kind: 'completed', paymentStatus: 'unpaid' };
const completedFree: CheckoutFact = { kind: 'completed', paymentStatus: 'no_payment_required' };
const succeeded: CheckoutFact = { kind: 'async_payment_succeeded' };
const failed: CheckoutFact = { kind: 'async_payment_failed' };
const expired: CheckoutFact = { kind: 'expired' };
const refundedFully: CheckoutFact = { kind: 'charge_refunded', fully: true };
const refundedPartly: CheckoutFact = { kind: 'charge_refunded', fully: false };
const cancelled: CheckoutFact = { kind: 'cancelled' };

const label = (fact: CheckoutFact) =>
  fact.kind === 'completed'
    ? `completed (${fact.paymentStatus})`
    : fact.kind === 'charge_refunded'
      ? `charge.refunded (${fact.fully ? 'full' : 'partial'})`
      : fact.kind;

function run(facts: CheckoutFact[], from: CheckoutState = NEW_CHECKOUT_STATE) {
  let state = from;
  const effects: string[] = [];
  for (const fact of facts) {
    const decision = decideCheckout(state, fact);
    state = decision.state;
    effects.push(...decision.effects.map((e) => e.kind));
  }
  return { state, phase: checkoutPhase(state), effects };
}

function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((head, i) =>
    permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [head, ...rest]),
  );
}

/**
 * What Stripe can really send for one session, per kind of payment, and where each must end.
 * Written out from the product's rules, independently of the machine.
 */
const SCENARIOS: { name: string; facts: CheckoutFact[]; phase: CheckoutPhase }[] = [
  { name: 'card paid at once', facts: [completedPaid], phase: 'active' },
  { name: 'card paid, a stray expiry', facts: [completedPaid, expired], phase: 'active' },
  { name: 'card paid, then refunded', facts: [completedPaid, refundedFully], phase: 'refunded' },
  {
    name: 'card paid, refunded in part',
    facts: [completedPaid, refundedPartly],
    phase: 'active',
  },
  {
    name: 'card paid, refunded in part then in full',
    facts: [completedPaid, refundedPartly, refundedFully],
    phase: 'refunded',
  },
  { name: 'delayed payment that succeeds', facts: [completedUnpaid, succeeded], phase: 'active' },
  {
    name: 'delayed payment that succeeds, a stray expiry',
    facts: [completedUnpaid, succeeded, expired],
    phase: 'active',
  },
  {
    name: 'delayed payment that succeeds, then refunded',
    facts: [completedUnpaid, succeeded, refundedFully],
    phase: 'refunded',
  },
  { name: 'delayed payment that fails', facts: [completedUnpaid, failed], phase: 'failed' },
  {
    name: 'delayed payment that fails, a stray expiry',
    facts: [completedUnpaid, failed, expired],
    phase: 'failed',
  },
  { name: 'delayed payment still on its way', facts: [completedUnpaid], phase: 'pending' },
  {
    name: 'delayed payment on its way, a stray expiry',
    facts: [completedUnpaid, expired],
    phase: 'pending',
  },
  { name: 'expiry', facts: [expired], phase: 'expired' },
  {
    name: 'cancelled by the customer, then expired',
    facts: [cancelled, expired],
    phase: 'cancelled',
  },
  { name: 'nothing to pay', facts: [completedFree], phase: 'active' },
  { name: 'nothing to pay, a stray expiry', facts: [completedFree, expired], phase: 'active' },
];

describe('checkout state machine', () => {
  it('starts open', () => {
    expect(checkoutPhase(NEW_CHECKOUT_STATE)).toBe('open');
  });

  describe.each(SCENARIOS)('$name', ({ facts, phase }) => {
    it(`ends ${phase} whatever order the events come in`, () => {
      const expected = run(facts).state;
      for (const order of permutations(facts)) {
        const end = run(order);
        expect(end.phase, order.map(label).join(' → ')).toBe(phase);
        expect(end.state).toEqual(expected);
      }
    });

    it(`ends ${phase} when every event comes twice, in any order`, () => {
      const expected = run(facts).state;
      for (const order of permutations(facts)) {
        const doubled = order.flatMap((fact) => [fact, fact]);
        expect(run(doubled).state, order.map(label).join(' → ')).toEqual(expected);
        expect(run([...order, ...order]).state).toEqual(expected);
      }
    });

    it('asks for fulfillment once, and only when it ends paid', () => {
      for (const order of permutations(facts)) {
        const end = run([...order, ...order]);
        const fulfillments = end.effects.filter((e) => e === 'fulfill').length;
        expect(fulfillments).toBe(phase === 'active' || phase === 'refunded' ? 1 : 0);
      }
    });
  });

  describe('the cases that used to go wrong', () => {
    it('a delayed payment whose failure arrives before its completion ends failed, not pending', () => {
      const end = run([failed, completedUnpaid]);
      expect(end.phase).toBe('failed');
      expect(end.effects).toEqual(['mark_payment_failed']);
    });

    it('a delayed payment whose success arrives before its completion ends fulfilled', () => {
      expect(run([succeeded, completedUnpaid])).toMatchObject({
        phase: 'active',
        effects: ['fulfill'],
      });
    });

    it('an expiry after a completion changes nothing', () => {
      for (const completion of [completedPaid, completedUnpaid, completedFree]) {
        const before = run([completion]);
        const decision = decideCheckout(before.state, expired);
        expect(decision.state).toEqual(before.state);
        expect(decision.effects).toEqual([]);
      }
    });

    it('a completion after an expiry wins: Stripe never completes an expired session', () => {
      expect(run([expired, completedPaid]).phase).toBe('active');
      expect(run([expired, completedUnpaid]).phase).toBe('pending');
    });

    it('a refund before the completion fulfills first, then settles, and ends refunded', () => {
      const end = run([refundedFully, completedPaid]);
      expect(end.phase).toBe('refunded');
      expect(end.effects).toEqual(['fulfill', 'settle_refund']);
    });

    it('the customer cancelling after the page expired still reads cancelled', () => {
      expect(run([expired, cancelled]).phase).toBe('cancelled');
    });

    it('cancels nothing that was completed', () => {
      for (const completion of [completedPaid, completedUnpaid, failed]) {
        const before = run([completion]);
        expect(decideCheckout(before.state, cancelled)).toMatchObject({
          state: before.state,
          effects: [],
        });
      }
    });
  });

  // Every pair of Stripe facts, in both orders, from a new session. A session with nothing to
  // pay has no payment to succeed or refund, so those pairs only have to agree on the phase.
  const STRIPE_FACTS = [
    completedPaid,
    completedUnpaid,
    completedFree,
    succeeded,
    failed,
    expired,
    refundedFully,
    refundedPartly,
    cancelled,
  ];
  const impossible = (a: CheckoutFact, b: CheckoutFact) =>
    [a, b].includes(completedFree) &&
    [a, b].some((f) => f === completedPaid || f === succeeded || f.kind === 'charge_refunded');
  const pairs = STRIPE_FACTS.flatMap((a, i) =>
    STRIPE_FACTS.slice(i).map((b) => ({ a, b, name: `${label(a)} and ${label(b)}` })),
  );

  it.each(pairs)(
    '$name end the same in either order, and repeating either changes nothing',
    ({ a, b }) => {
      const ab = run([a, b]);
      const ba = run([b, a]);
      expect(ab.phase).toBe(ba.phase);
      if (!impossible(a, b)) expect(ab.state).toEqual(ba.state);
      expect(run([a, a, b, b]).state).toEqual(ab.state);
      expect(run([b, b, a, a]).state).toEqual(ba.state);
    },
  );

  it('any mix of facts from one paid session ends the same whatever the order', () => {
    const paidWorld = STRIPE_FACTS.filter((f) => f !== completedFree);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...paidWorld), { minLength: 1, maxLength: 8 })
          .chain((facts) =>
            fc.tuple(fc.constant(facts), fc.shuffledSubarray(facts, { minLength: facts.length })),
          ),
        ([facts, shuffled]) => {
          expect(run(shuffled).state).toEqual(run(facts).state);
          expect(run(shuffled).effects.filter((e) => e === 'fulfill').length).toBeLessThanOrEqual(
            1,
          );
        },
      ),
    );
  });

  it('a fulfilled session never leaves active or refunded', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STRIPE_FACTS), { maxLength: 10 }), (later) => {
        let state = run([completedPaid]).state;
        for (const fact of later) {
          state = decideCheckout(state, fact).state;
          expect(['active', 'refunded']).toContain(checkoutPhase(state));
        }
      }),
    );
  });
});
