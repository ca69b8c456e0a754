import { useEffect } from 'react';
import { isApiError } from '@repo/api-client';
import { Navigate, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { useCancelCheckoutSession } from '../../features/checkout/api/mutations';
import { CheckoutStatus } from '../../features/checkout/components/checkout-status';

export const handle = { title: 'Checkout cancelled' };

/** The cancel URL: tell the BFF, which also closes Stripe's page, and leave the basket as it was. */
export function Component() {
  const sessionId = useParams().sessionId!;
  const { mutate, data, error, isError } = useCancelCheckoutSession();

  useEffect(() => {
    mutate(sessionId);
  }, [mutate, sessionId]);

  return (
    <>
      <PageHeader title="Checkout cancelled" />
      {isApiError(error, 'CHECKOUT_ALREADY_COMPLETE') ? (
        // Paid before the customer came back: show the purchase instead.
        <Navigate to={`/checkout/${sessionId}`} replace />
      ) : isError ? (
        <ErrorState error={error} onRetry={() => mutate(sessionId)} />
      ) : data ? (
        <CheckoutStatus session={data} />
      ) : (
        <Spinner label="Cancelling…" />
      )}
    </>
  );
}
