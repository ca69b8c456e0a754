/**
 * The checkout session state machine: what each fact from Stripe (or from us) does to one of our
 * sessions. Stripe does not order its events and may repeat them, so every rule here is written
 * to reach the same end whatever order the facts come in:
 *
 * - money that arrived wins: a paid completion, a delayed payment that succeeded or a refund of
 *   the charge fulfills the session, whatever it looked like before (expired, cancelled, failed);
 * - a fulfilled session never goes back, and a failed delayed payment is never "pending" again;
 * - Stripe only expires a session nobody completed, so an expiry never undoes a completion;
 * - our own cancel explains the expiry that follows it, so the two end as cancelled either way.
 */
import {
  checkoutPhaseSchema,
  type CheckoutPhase,
  type CheckoutSessionStatus,
  type PaymentStatus,
} from '@repo/schemas';

export type { CheckoutPhase };
export const CHECKOUT_PHASES = checkoutPhaseSchema.options;

/** What we keep about a session, as far as the machine is concerned. */
export type CheckoutState = {
  status: CheckoutSessionStatus;
  paymentStatus: PaymentStatus;
  fulfilled: boolean;
  /** A delayed payment failed; only meaningful while the session is not fulfilled. */
  paymentFailed: boolean;
  /** Stripe reported the whole charge refunded. */
  refunded: boolean;
};

/** One thing that happened, from a Stripe event, a retrieved session or our own cancel. */
export type CheckoutFact =
  /** `checkout.session.completed`, or a retrieved session whose status is `complete`. */
  | { kind: 'completed'; paymentStatus: PaymentStatus }
  | { kind: 'async_payment_succeeded' }
  | { kind: 'async_payment_failed' }
  /** `checkout.session.expired`, or a retrieved session whose status is `expired`. */
  | { kind: 'expired' }
  /** `charge.refunded`; `fully` when what Stripe refunded covers the whole charge. */
  | { kind: 'charge_refunded'; fully: boolean }
  /** The customer came back on the cancel URL and Stripe's page is closed. */
  | { kind: 'cancelled' };

/** What the caller must do to bring the stored session to the decided state. */
export type CheckoutEffect =
  | { kind: 'fulfill'; paymentStatus: 'paid' | 'no_payment_required' }
  /** Completed, payment still to come (a bank transfer). */
  | { kind: 'mark_pending' }
  | { kind: 'mark_payment_failed' }
  | { kind: 'mark_expired' }
  | { kind: 'mark_cancelled' }
  /** Settle the purchases that Stripe's refunded total covers. */
  | { kind: 'settle_refund' };

export type CheckoutDecision = {
  state: CheckoutState;
  effects: CheckoutEffect[];
  /** A short word for the webhook log: what the fact did, or why it did nothing. */
  outcome: string;
};

export const NEW_CHECKOUT_STATE: CheckoutState = {
  status: 'open',
  paymentStatus: 'unpaid',
  fulfilled: false,
  paymentFailed: false,
  refunded: false,
};

const unchanged = (state: CheckoutState, outcome: string): CheckoutDecision => ({
  state,
  effects: [],
  outcome,
});

function fulfilled(
  state: CheckoutState,
  paymentStatus: 'paid' | 'no_payment_required',
  outcome: string,
): CheckoutDecision {
  if (state.fulfilled) return unchanged(state, 'already_fulfilled');
  return {
    state: { ...state, status: 'complete', paymentStatus, fulfilled: true, paymentFailed: false },
    effects: [{ kind: 'fulfill', paymentStatus }],
    outcome,
  };
}

/** Decides what a fact does to a session. Pure: the caller applies the effects. */
export function decideCheckout(state: CheckoutState, fact: CheckoutFact): CheckoutDecision {
  switch (fact.kind) {
    case 'completed':
      if (fact.paymentStatus !== 'unpaid') return fulfilled(state, fact.paymentStatus, 'fulfilled');
      if (state.fulfilled) return unchanged(state, 'already_fulfilled');
      if (state.paymentFailed) return unchanged(state, 'ignored: the payment already failed');
      if (state.status === 'complete') return unchanged(state, 'payment_pending');
      return {
        state: { ...state, status: 'complete' },
        effects: [{ kind: 'mark_pending' }],
        outcome: 'payment_pending',
      };

    case 'async_payment_succeeded':
      return fulfilled(state, 'paid', 'fulfilled');

    case 'async_payment_failed':
      if (state.fulfilled) return unchanged(state, 'ignored: already fulfilled');
      if (state.paymentFailed) return unchanged(state, 'ignored: the payment already failed');
      // The failure of a delayed payment implies the session was completed, even if that event is late.
      return {
        state: { ...state, status: 'complete', paymentFailed: true },
        effects: [{ kind: 'mark_payment_failed' }],
        outcome: 'payment_failed',
      };

    case 'expired':
      if (state.status !== 'open') return unchanged(state, `ignored: session is ${state.status}`);
      return {
        state: { ...state, status: 'expired' },
        effects: [{ kind: 'mark_expired' }],
        outcome: 'expired',
      };

    case 'cancelled':
      if (state.status !== 'open' && state.status !== 'expired')
        return unchanged(state, `ignored: session is ${state.status}`);
      return {
        state: { ...state, status: 'cancelled' },
        effects: [{ kind: 'mark_cancelled' }],
        outcome: 'cancelled',
      };

    case 'charge_refunded': {
      // A refund proves the payment: if its confirmation has not come yet, fulfill first.
      const paid = fulfilled(state, 'paid', 'fulfilled');
      return {
        state: { ...paid.state, refunded: state.refunded || fact.fully },
        effects: [...paid.effects, { kind: 'settle_refund' }],
        outcome: 'refund_recorded',
      };
    }
  }
}

/** Where a session stands, in the words the provider sees. */
export function checkoutPhase(state: CheckoutState): CheckoutPhase {
  if (state.fulfilled) return state.refunded ? 'refunded' : 'active';
  if (state.paymentFailed) return 'failed';
  if (state.status === 'cancelled') return 'cancelled';
  if (state.status === 'expired') return 'expired';
  if (state.status === 'complete') return 'pending';
  return 'open';
}

/** A phase from which only a refund can still move the session: nothing left to wait for. */
export function isCheckoutSettled(phase: CheckoutPhase): boolean {
  return phase !== 'open' && phase !== 'pending';
}
