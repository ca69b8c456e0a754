import { useEffect } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { checkoutPhase, checkoutSessionQueryOptions } from '../../features/checkout/api/queries';
import { useBasket } from '../../features/checkout/basket';
import { CheckoutStatus } from '../../features/checkout/components/checkout-status';

export const handle = { title: 'Purchase' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.prefetchQuery(checkoutSessionQueryOptions(params.sessionId!));
    return null;
  };

/** The success URL: a return to the site, not proof of payment. The state comes from the BFF. */
export function Component() {
  const sessionId = useParams().sessionId!;
  const session = useQuery(checkoutSessionQueryOptions(sessionId));
  const instanceId = session.data?.instanceId ?? '';
  const basket = useBasket(instanceId);
  const active = session.data ? checkoutPhase(session.data) === 'active' : false;
  const { clear } = basket;

  // Bought: the basket has done its job.
  useEffect(() => {
    if (active && instanceId) clear();
  }, [active, instanceId, clear]);

  return (
    <>
      <PageHeader title="Your purchase" />
      {session.isPending ? (
        <Spinner label="Loading the purchase…" />
      ) : session.isError ? (
        <ErrorState error={session.error} onRetry={() => session.refetch()} />
      ) : (
        <CheckoutStatus session={session.data} />
      )}
    </>
  );
}
