import type { CheckoutAttempt } from '@repo/schemas';
import { formatDateTime } from '../../../lib/format';

const ATTEMPT_LABEL: Record<CheckoutAttempt['kind'], string> = {
  created: 'Session created',
  payment_failed: 'Payment failed',
  payment_pending: 'Payment pending',
  paid: 'Paid',
  fulfilled: 'Purchases recorded',
  expired: 'Expired',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};

/** What happened to a checkout session, oldest first, with the Stripe event behind each step. */
export function AttemptsLog({ attempts }: { attempts: CheckoutAttempt[] }) {
  return (
    <ol className="attempts">
      {attempts.map((a) => (
        <li key={a.id}>
          <strong>{ATTEMPT_LABEL[a.kind]}</strong>{' '}
          <span className="muted">{formatDateTime(a.createdAt)}</span>
          {a.detail && <div className="small">{a.detail}</div>}
          {a.stripeEventId && <div className="small muted mono">{a.stripeEventId}</div>}
        </li>
      ))}
    </ol>
  );
}
