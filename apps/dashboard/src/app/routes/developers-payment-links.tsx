import type { QueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/page-header';
import { paymentLinksQueryOptions } from '../../features/developers/api/queries';
import { PaymentLinksPage } from '../../features/developers/components/payment-links-page';
import { requireAdmin } from './developers';

export const handle = { title: 'Payment links' };

export const loader = (queryClient: QueryClient) => async () => {
  await requireAdmin(queryClient);
  await queryClient.prefetchQuery(paymentLinksQueryOptions());
  return null;
};

export function Component() {
  return (
    <>
      <PageHeader
        title="Payment links"
        description="Links that let someone pay for a fixed basket, made from the Store Preview."
      />
      <PaymentLinksPage />
    </>
  );
}
