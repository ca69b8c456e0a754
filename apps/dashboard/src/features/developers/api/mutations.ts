import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  CreateApiKeyRequest,
  CreatePaymentLinkRequest,
  CreateWebhookEndpointRequest,
} from '@repo/schemas';
import { api } from '../../../lib/api';
import { developerKeys } from './queries';

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKeyRequest) => api.apiKeys.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.apiKeys() }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.apiKeys.revoke(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.apiKeys() }),
  });
}

export function useCreateWebhookEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateWebhookEndpointRequest) => api.webhookEndpoints.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.webhookEndpoints() }),
  });
}

export function useDisableWebhookEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.webhookEndpoints.disable(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.webhookEndpoints() }),
  });
}

export function useResendDelivery(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => api.webhookEndpoints.resend(endpointId, deliveryId),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: developerKeys.deliveries(endpointId) }),
  });
}

export function useCreatePaymentLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreatePaymentLinkRequest) => api.paymentLinks.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.paymentLinks() }),
  });
}

export function useDeactivatePaymentLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.paymentLinks.deactivate(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: developerKeys.paymentLinks() }),
  });
}
