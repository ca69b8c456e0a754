import { useId, useRef, useState } from 'react';
import type { PurchaseDetail, Role } from '@repo/schemas';
import { Money } from '../../../components/money';
import { formatDateTime } from '../../../lib/format';
import { useRefundPurchase } from '../api/mutations';

type Props = { purchase: PurchaseDetail; role: Role };

/**
 * Refunds go back through Stripe; the purchase ends when Stripe confirms (`charge.refunded`).
 * Admins confirm first. Each confirmation is one attempt with its own Idempotency-Key, so a
 * double click or a retried request cannot refund twice.
 */
export function RefundPanel({ purchase, role }: Props) {
  const headingId = useId();
  const refund = useRefundPurchase(purchase.id);
  const [attemptKey, setAttemptKey] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const state = purchase.refund;

  const open = () => {
    setAttemptKey(crypto.randomUUID());
    refund.reset();
    // After React has shown the dialog: the safe choice has the focus, as in a real dialog.
    queueMicrotask(() => confirmRef.current?.focus());
  };
  const close = () => {
    setAttemptKey(null);
    queueMicrotask(() => openRef.current?.focus());
  };
  const confirm = () => {
    if (!attemptKey) return;
    refund.mutate(attemptKey, { onSuccess: () => setAttemptKey(null) });
  };

  let body: React.ReactNode;
  if (state?.status === 'succeeded' || purchase.status === 'refunded') {
    body = (
      <p>
        Refunded
        {state ? (
          <>
            {' '}
            <Money value={state.amount} />
          </>
        ) : null}
        {state?.completedAt ? ` on ${formatDateTime(state.completedAt)}` : ''}. The entitlement was
        revoked.
        {state?.reason && <span className="refund-reason"> {state.reason}</span>}
      </p>
    );
  } else if (state?.status === 'requested') {
    body = (
      <p role="status">
        Refund of <Money value={state.amount} /> requested {formatDateTime(state.createdAt)}.
        Waiting for Stripe to confirm it; the entitlement ends when it does.
        {state.reason && <span className="refund-reason"> {state.reason}</span>}
      </p>
    );
  } else if (role !== 'admin') {
    body = (
      <p className="muted">
        Only an administrator of your organisation can refund a purchase. Your role ({role}) can
        read it.
      </p>
    );
  } else if (attemptKey) {
    body = (
      <div
        className="confirm-box"
        role="alertdialog"
        aria-modal="false"
        aria-labelledby={`${headingId}-confirm`}
        onKeyDown={(e) => e.key === 'Escape' && !refund.isPending && close()}
      >
        <p id={`${headingId}-confirm`}>
          <strong>
            Refund <Money value={purchase.price} /> for {purchase.itemName} on {purchase.deviceId}?
          </strong>{' '}
          The money goes back through Stripe ({purchase.mode} mode), the device loses its
          entitlement and queued installs of it are cancelled. This cannot be undone.
        </p>
        {refund.isError && (
          <p className="form-error" role="alert">
            {refund.error.message}
          </p>
        )}
        <div className="confirm-box__actions">
          <button
            ref={confirmRef}
            type="button"
            className="button"
            onClick={close}
            disabled={refund.isPending}
          >
            Keep the purchase
          </button>
          <button
            type="button"
            className="button button--danger"
            onClick={confirm}
            disabled={refund.isPending}
          >
            {refund.isPending ? 'Refunding…' : 'Yes, refund'}
          </button>
        </div>
      </div>
    );
  } else {
    body = (
      <>
        {state?.status === 'failed' && state.reason && (
          <p className="form-error" role="alert">
            An automatic refund is due ({state.reason}) but did not reach Stripe yet; it is sent
            again each time this purchase is opened.
          </p>
        )}
        {state?.status === 'failed' && !state.reason && (
          <p className="form-error" role="alert">
            The last refund attempt failed at Stripe. Nothing was refunded; you can try again.
          </p>
        )}
        <button ref={openRef} type="button" className="button button--danger" onClick={open}>
          Refund this purchase…
        </button>
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Refund</h2>
      {body}
    </section>
  );
}
