import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { CheckoutMode, DeviceIdMatch, PurchaseDetail, PurchaseStatus } from '@repo/schemas';
import { api } from '../../../lib/api';

/** The filters of the Purchases page, as they stand in the URL. */
export type PurchaseFilters = {
  deviceId?: string;
  deviceIdMatch?: DeviceIdMatch;
  itemId?: string;
  status?: PurchaseStatus;
  mode?: CheckoutMode;
  from?: string;
  to?: string;
};

export const purchaseKeys = {
  all: ['purchases'] as const,
  lists: () => [...purchaseKeys.all, 'list'] as const,
  list: (filters: PurchaseFilters) => [...purchaseKeys.lists(), filters] as const,
  details: () => [...purchaseKeys.all, 'detail'] as const,
  detail: (purchaseId: string) => [...purchaseKeys.details(), purchaseId] as const,
};

export const PURCHASES_PAGE_SIZE = 25;

export const purchasesInfiniteQueryOptions = (filters: PurchaseFilters) =>
  infiniteQueryOptions({
    queryKey: purchaseKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.purchases.list({ ...filters, cursor: pageParam, limit: PURCHASES_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });

/** A refund Stripe has not confirmed yet is worth watching: the webhook usually lands in seconds. */
const awaitingStripe = (purchase: PurchaseDetail | undefined) =>
  purchase?.refund?.status === 'requested';

export const purchaseQueryOptions = (purchaseId: string) =>
  queryOptions({
    queryKey: purchaseKeys.detail(purchaseId),
    queryFn: () => api.purchases.get(purchaseId),
    refetchInterval: (query) => (awaitingStripe(query.state.data) ? 2000 : false),
  });

const STATUSES = ['active', 'refunded'] as const;
const MODES = ['test', 'live'] as const;
const oneOf = <T extends string>(values: readonly T[], value: string | undefined) =>
  values.find((v) => v === value);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Filters as they stand in the URL, so that a link or a reload keeps them. Values the BFF would
 * refuse are dropped here, so that a mangled link shows everything rather than an error.
 */
export function purchaseFiltersFromSearch(search: URLSearchParams): PurchaseFilters {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const deviceId = read('deviceId');
  const from = read('from');
  const to = read('to');
  return {
    deviceId,
    deviceIdMatch: deviceId && read('deviceIdMatch') === 'prefix' ? 'prefix' : undefined,
    itemId: read('itemId'),
    status: oneOf(STATUSES, read('status')),
    mode: oneOf(MODES, read('mode')),
    from: from && DAY.test(from) ? from : undefined,
    to: to && DAY.test(to) ? to : undefined,
  };
}
