import { useMutation, useQueryClient } from '@tanstack/react-query';
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
  });
}

export function useCancelCheckoutSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.checkoutSessions.cancel(id),
    onSuccess: (session) => queryClient.setQueryData(checkoutKeys.session(session.id), session),
  });
}
