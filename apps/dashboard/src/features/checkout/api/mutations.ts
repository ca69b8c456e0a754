import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '@repo/api-client';
import type { CreateCheckoutSessionRequest } from '@repo/schemas';
import { api } from '../../../lib/api';
import { checkoutKeys } from './queries';

export function useCreateCheckoutSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      body,
      idempotencyKey,
    }: {
      body: CreateCheckoutSessionRequest;
      idempotencyKey: string;
    }) => api.checkoutSessions.create(body, idempotencyKey),
    onSuccess: (session) => queryClient.setQueryData(checkoutKeys.session(session.id), session),
    // Another checkout took a device meanwhile: check the basket again, so it shows next to the ID.
    onError: (error) => {
      if (isApiError(error, 'ALREADY_OWNED_OR_IN_CHECKOUT'))
        void queryClient.invalidateQueries({ queryKey: checkoutKeys.validations() });
    },
  });
}

export function useCancelCheckoutSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.checkoutSessions.cancel(id),
    onSuccess: (session) => queryClient.setQueryData(checkoutKeys.session(session.id), session),
  });
}
