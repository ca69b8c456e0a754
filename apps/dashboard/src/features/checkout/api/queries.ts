import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { isCheckoutSettled } from '@repo/domain';
import type { CheckoutSession, ValidateDevicesRequest } from '@repo/schemas';
import { api } from '../../../lib/api';

export const checkoutKeys = {
  all: ['checkout'] as const,
  sessions: () => [...checkoutKeys.all, 'session'] as const,
  session: (id: string) => [...checkoutKeys.sessions(), id] as const,
  validations: () => [...checkoutKeys.all, 'validation'] as const,
  validation: (request: ValidateDevicesRequest) =>
    [...checkoutKeys.validations(), request] as const,
};

/** Polls while the outcome is unknown: 1 s, 2 s, 4 s, 8 s, then every 10 s. */
export function pollDelay(session: CheckoutSession | undefined, polls: number): number | false {
  if (!session || isCheckoutSettled(session.phase)) return false;
  return Math.min(1000 * 2 ** Math.min(polls, 4), 10_000);
}

export const checkoutSessionQueryOptions = (id: string) =>
  queryOptions({
    queryKey: checkoutKeys.session(id),
    queryFn: () => api.checkoutSessions.get(id),
    staleTime: 0,
    refetchInterval: (query) => pollDelay(query.state.data, query.state.dataUpdateCount - 1),
  });

export const basketValidationQueryOptions = (request: ValidateDevicesRequest) =>
  queryOptions({
    queryKey: checkoutKeys.validation(request),
    queryFn: ({ signal }) => api.devices.validate(request, signal),
    enabled: request.itemIds.length > 0 && request.deviceIds.length > 0,
    staleTime: 15_000,
    placeholderData: keepPreviousData,
  });
