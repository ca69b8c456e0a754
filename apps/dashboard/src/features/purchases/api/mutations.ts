import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { purchaseKeys } from './queries';

export function useRefundPurchase(purchaseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (idempotencyKey: string) => api.purchases.refund(purchaseId, idempotencyKey),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: purchaseKeys.detail(purchaseId) }),
        queryClient.invalidateQueries({ queryKey: purchaseKeys.lists() }),
      ]),
  });
}
