import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { WebhookDeliveryStatus } from '@repo/schemas';
import { api } from '../../../lib/api';

export const developerKeys = {
  all: ['developers'] as const,
  apiKeys: () => [...developerKeys.all, 'api-keys'] as const,
  webhookEndpoints: () => [...developerKeys.all, 'webhook-endpoints'] as const,
  deliveries: (endpointId: string) =>
    [...developerKeys.webhookEndpoints(), endpointId, 'deliveries'] as const,
  deliveryList: (endpointId: string, status: WebhookDeliveryStatus | undefined) =>
    [...developerKeys.deliveries(endpointId), { status }] as const,
  paymentLinks: () => [...developerKeys.all, 'payment-links'] as const,
  openApi: () => [...developerKeys.all, 'openapi'] as const,
};

export const apiKeysQueryOptions = () =>
  queryOptions({ queryKey: developerKeys.apiKeys(), queryFn: () => api.apiKeys.list() });

export const webhookEndpointsQueryOptions = () =>
  queryOptions({
    queryKey: developerKeys.webhookEndpoints(),
    queryFn: () => api.webhookEndpoints.list(),
  });

/** Deliveries change on their own (retries): refetched every few seconds while shown. */
export const webhookDeliveriesQueryOptions = (
  endpointId: string,
  status: WebhookDeliveryStatus | undefined,
) =>
  infiniteQueryOptions({
    queryKey: developerKeys.deliveryList(endpointId, status),
    queryFn: ({ pageParam }) =>
      api.webhookEndpoints.deliveries(endpointId, { status, cursor: pageParam, limit: 25 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 0,
    refetchInterval: 5_000,
  });

export const paymentLinksQueryOptions = () =>
  queryOptions({
    queryKey: developerKeys.paymentLinks(),
    queryFn: () => api.paymentLinks.list(),
  });

export const openApiQueryOptions = () =>
  queryOptions({
    queryKey: developerKeys.openApi(),
    queryFn: () => api.storefront.openApiDocument(),
    staleTime: 10 * 60_000,
  });
