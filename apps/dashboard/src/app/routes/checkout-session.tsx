import { useEffect } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { checkoutSessionQueryOptions } from '../../features/checkout/api/queries';
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
  const bought =
    session.data?.phase === 'active' || session.data?.phase === 'refunded'
      ? session.data
      : undefined;
  const { clear, itemIds, deviceIds } = basket;

  // Bought: the basket that made this purchase has done its job; any other basket stays.
  useEffect(() => {
    const same = (a: string[], b: string[]) =>
      a.length === b.length && [...a].sort().join() === [...b].sort().join();
    if (bought && same(itemIds, bought.itemIds) && same(deviceIds, bought.deviceIds)) clear();
  }, [bought, itemIds, deviceIds, clear]);

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
