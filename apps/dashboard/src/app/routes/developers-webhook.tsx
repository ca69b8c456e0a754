import type { QueryClient } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import {
  webhookDeliveriesQueryOptions,
  webhookEndpointsQueryOptions,
} from '../../features/developers/api/queries';
import { WebhookDeliveriesPage } from '../../features/developers/components/webhook-deliveries-page';
import { requireAdmin } from './developers';

export const handle = { title: 'Webhook deliveries' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await requireAdmin(queryClient);
    await Promise.all([
      queryClient.prefetchQuery(webhookEndpointsQueryOptions()),
      queryClient.prefetchInfiniteQuery(
        webhookDeliveriesQueryOptions(params.endpointId!, undefined),
      ),
    ]);
    return null;
  };

export function Component() {
  const endpointId = useParams().endpointId!;
  return <WebhookDeliveriesPage endpointId={endpointId} />;
}
