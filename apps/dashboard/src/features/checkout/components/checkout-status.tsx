import { Link } from 'react-router';
import type { CheckoutPhase, CheckoutSession } from '@repo/schemas';
import { formatMoney } from '@repo/domain';
import { AttemptsLog } from './attempts-log';
import { ModeBadge } from './mode-badge';

const HEADLINES: Record<CheckoutPhase, { title: string; text: string; tone: string }> = {
  open: {
    title: 'Pending confirmation',
    text: 'We are waiting for Stripe to confirm the payment. This page updates by itself.',
    tone: 'pending',
  },
  pending: {
    title: 'Pending confirmation',
    text: 'The order is placed; the payment has not arrived yet (a bank transfer can take a while). This page updates by itself.',
    tone: 'pending',
  },
  active: {
    title: 'Active purchase',
    text: 'Payment confirmed. The devices are entitled to their products.',
    tone: 'ok',
  },
  failed: {
    title: 'Payment failed',
    text: 'The payment did not go through. Nothing was bought.',
    tone: 'danger',
  },
  expired: {
    title: 'Expired',
    text: 'The payment page expired before anything was paid.',
    tone: 'danger',
  },
  cancelled: {
    title: 'Cancelled',
    text: 'You left the payment page. Nothing was paid; your basket is still there.',
    tone: 'muted',
  },
  refunded: {
    title: 'Refunded',
    text: 'The payment was refunded in full. The paid products are no longer entitled.',
    tone: 'muted',
  },
};

/** The phase is the server's: its state machine has seen every Stripe event, in any order. */
export function CheckoutStatus({ session }: { session: CheckoutSession }) {
  const phase = session.phase;
  const headline = HEADLINES[phase];
  const basketLink = `/marketplaces/${session.instanceId}/checkout`;
  const money = (amount: number) => formatMoney(amount, session.amounts.currency);
  return (
    <div className="checkout-status">
      <section className={`status-card status-card--${headline.tone}`} aria-live="polite">
        <p className="status-card__mode">
          <ModeBadge mode={session.mode} />
        </p>
        <h2>{headline.title}</h2>
        <p>{headline.text}</p>
        <table className="summary" aria-label="Payment breakdown">
          <tbody>
            {session.discount && (
              <>
                <tr>
                  <th scope="row">Subtotal</th>
                  <td>{money(session.amounts.subtotal)}</td>
                </tr>
                <tr>
                  <th scope="row">
                    Promotion discount
                    {session.discount.promotionCodeId && (
                      <span className="muted small mono"> {session.discount.promotionCodeId}</span>
                    )}
                  </th>
                  <td>−{money(session.discount.amount.amount)}</td>
                </tr>
              </>
            )}
            <tr className="summary__fee">
              <th scope="row">Marketplace platform fee (included)</th>
              <td>{money(session.amounts.platformFee)}</td>
            </tr>
            <tr className="summary__total">
              <th scope="row">
                {session.fulfilled ? 'Total paid' : 'Total'} · {session.deviceIds.length} device(s)
              </th>
              <td>{money(session.amounts.total)}</td>
            </tr>
          </tbody>
        </table>
        {(phase === 'expired' || phase === 'cancelled' || phase === 'failed') && (
          <Link className="button button--primary" to={basketLink}>
            {phase === 'cancelled' ? 'Edit your basket' : 'Start again'}
          </Link>
        )}
      </section>

      {session.purchases.length > 0 && (
        <section aria-labelledby="purchases-heading">
          <h2 id="purchases-heading">Purchases</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Product</th>
                  <th scope="col">Price</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {session.purchases.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link className="mono" to={`/devices/${encodeURIComponent(p.deviceId)}`}>
                        {p.deviceId}
                      </Link>
                    </td>
                    <td>{p.itemName}</td>
                    <td>
                      {p.price.amount === 0 && !p.discount
                        ? 'Free'
                        : formatMoney(p.price.amount, p.price.currency)}
                      {p.discount && (
                        <div className="small muted">
                          {formatMoney(p.discount.amount, p.discount.currency)} off
                        </div>
                      )}
                    </td>
                    <td>
                      {p.status === 'refunded' ? (
                        <span className="badge badge--muted">Refunded</span>
                      ) : p.installedVersion ? (
                        <Link
                          className="badge badge--ok"
                          to={`/devices/${encodeURIComponent(p.deviceId)}`}
                        >
                          Installed · v{p.installedVersion}
                        </Link>
                      ) : p.installableVersion ? (
                        <Link
                          className="badge badge--ok"
                          to={`/devices/${encodeURIComponent(p.deviceId)}`}
                        >
                          Ready to install · v{p.installableVersion}
                        </Link>
                      ) : (
                        <span className="badge badge--muted">
                          Active purchase · no compatible release yet
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">What happened</h2>
        <AttemptsLog attempts={session.attempts} />
      </section>
    </div>
  );
}
