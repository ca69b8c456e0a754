import { z } from 'zod';
import {
  deviceGroupDetailSchema,
  deviceGroupPreviewSchema,
  deviceGroupSchema,
  deviceGroupsPageSchema,
  rolloutDetailSchema,
  rolloutDevicesPageSchema,
  rolloutPreviewSchema,
  rolloutsPageSchema,
  type CreateDeviceGroupRequest,
  type CreateRolloutRequest,
  type DeviceGroupMembersQuery,
  type DeviceGroupPreviewRequest,
  type DeviceGroupsQuery,
  type PauseRolloutRequest,
  type RolloutDevicesQuery,
  type RolloutPreviewRequest,
  type RolloutsQuery,
  type UpdateDeviceGroupRequest,
  auditPageSchema,
  overviewSchema,
  searchResponseSchema,
  type AuditQuery,
  type OverviewQuery,
  apiKeySchema,
  apiKeysSchema,
  createdApiKeySchema,
  createdWebhookEndpointSchema,
  paymentLinkSchema,
  paymentLinksSchema,
  webhookDeliveriesPageSchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointsSchema,
  type CreateApiKeyRequest,
  type CreatePaymentLinkRequest,
  type CreateWebhookEndpointRequest,
  type WebhookDeliveriesQuery,
  checkoutSessionSchema,
  deviceFacetsSchema,
  deviceIdsSchema,
  refundSchema,
  validateDevicesResponseSchema,
  bulkInstallResultSchema,
  deviceDetailSchema,
  devicesPageSchema,
  installJobEventsSchema,
  installJobSchema,
  installJobsPageSchema,
  releasesSchema,
  healthSchema,
  loginResponseSchema,
  marketplaceInstancesSchema,
  marketplaceItemsSchema,
  meSchema,
  sessionSchema,
  type BulkInstallRequest,
  purchaseDetailSchema,
  purchasesPageSchema,
  type CreateCheckoutSessionRequest,
  type CreateInstallRequest,
  type DevicesQuery,
  type InstallsQuery,
  type LoginRequest,
  type PurchasesQuery,
  type ValidateDevicesRequest,
} from '@repo/schemas';
import { createHttp, toSearch, type HttpOptions } from './http';

const segment = encodeURIComponent;

/** One function per BFF endpoint; each parses its answer with the shared schema. */
export function createApiClient(options: HttpOptions = {}) {
  const http = createHttp(options);
  return {
    health: () => http.json(healthSchema, 'GET', '/api/health'),
    auth: {
      me: () => http.json(meSchema, 'GET', '/api/me'),
      session: () => http.json(sessionSchema, 'GET', '/api/auth/session'),
      async login(body: LoginRequest) {
        const result = await http.json(loginResponseSchema, 'POST', '/api/auth/login', { body });
        http.setCsrfToken(result.csrfToken);
        return result;
      },
      async logout() {
        await http.empty('POST', '/api/auth/logout');
        http.setCsrfToken(undefined);
      },
    },
    marketplaces: {
      list: () => http.json(marketplaceInstancesSchema, 'GET', '/api/marketplaces'),
      items: (instanceId: string, query: { listed?: boolean } = {}) =>
        http.json(marketplaceItemsSchema, 'GET', `/api/marketplaces/${segment(instanceId)}/items`, {
          query: { listed: query.listed },
        }),
    },
    devices: {
      list: (query: DevicesQuery = {}, signal?: AbortSignal) =>
        http.json(devicesPageSchema, 'GET', '/api/devices', { query, signal }),
      facets: () => http.json(deviceFacetsSchema, 'GET', '/api/devices/facets'),
      get: (deviceId: string) =>
        http.json(deviceDetailSchema, 'GET', `/api/devices/${segment(deviceId)}`),
      ids: (filters: Omit<DevicesQuery, 'cursor' | 'limit'>) =>
        http.json(deviceIdsSchema, 'GET', '/api/devices/ids', { query: filters }),
      validate: (body: ValidateDevicesRequest, signal?: AbortSignal) =>
        http.json(validateDevicesResponseSchema, 'POST', '/api/devices/validate', { body, signal }),
    },
    deviceGroups: {
      list: (query: DeviceGroupsQuery = {}, signal?: AbortSignal) =>
        http.json(deviceGroupsPageSchema, 'GET', '/api/device-groups', { query, signal }),
      /** The group with a page of its members (the devices list's shape). */
      get: (id: string, query: DeviceGroupMembersQuery = {}, signal?: AbortSignal) =>
        http.json(deviceGroupDetailSchema, 'GET', `/api/device-groups/${segment(id)}`, {
          query,
          signal,
        }),
      create: (body: CreateDeviceGroupRequest) =>
        http.json(deviceGroupSchema, 'POST', '/api/device-groups', { body }),
      update: (id: string, body: UpdateDeviceGroupRequest) =>
        http.json(deviceGroupSchema, 'PATCH', `/api/device-groups/${segment(id)}`, { body }),
      /** Refused with 409 GROUP_IN_USE while a draft, running or paused rollout targets it. */
      remove: (id: string) => http.empty('DELETE', `/api/device-groups/${segment(id)}`),
      /** How many devices a filter matches now, before it is saved as a group. */
      preview: (body: DeviceGroupPreviewRequest, signal?: AbortSignal) =>
        http.json(deviceGroupPreviewSchema, 'POST', '/api/device-groups/preview', { body, signal }),
    },
    rollouts: {
      list: (query: RolloutsQuery = {}, signal?: AbortSignal) =>
        http.json(rolloutsPageSchema, 'GET', '/api/rollouts', { query, signal }),
      get: (id: string, signal?: AbortSignal) =>
        http.json(rolloutDetailSchema, 'GET', `/api/rollouts/${segment(id)}`, { signal }),
      devices: (id: string, query: RolloutDevicesQuery = {}, signal?: AbortSignal) =>
        http.json(rolloutDevicesPageSchema, 'GET', `/api/rollouts/${segment(id)}/devices`, {
          query,
          signal,
        }),
      /** What a rollout would do, before anything is written. */
      preview: (body: RolloutPreviewRequest, signal?: AbortSignal) =>
        http.json(rolloutPreviewSchema, 'POST', '/api/rollouts/preview', { body, signal }),
      /** Creates a draft; `start` enrols its devices and queues the first phase. */
      create: (body: CreateRolloutRequest) =>
        http.json(rolloutDetailSchema, 'POST', '/api/rollouts', { body }),
      start: (id: string) =>
        http.json(rolloutDetailSchema, 'POST', `/api/rollouts/${segment(id)}/start`),
      pause: (id: string, body: PauseRolloutRequest = {}) =>
        http.json(rolloutDetailSchema, 'POST', `/api/rollouts/${segment(id)}/pause`, { body }),
      resume: (id: string) =>
        http.json(rolloutDetailSchema, 'POST', `/api/rollouts/${segment(id)}/resume`),
      abort: (id: string) =>
        http.json(rolloutDetailSchema, 'POST', `/api/rollouts/${segment(id)}/abort`),
      retryFailed: (id: string) =>
        http.json(rolloutDetailSchema, 'POST', `/api/rollouts/${segment(id)}/retry-failed`),
    },
    checkoutSessions: {
      create: (body: CreateCheckoutSessionRequest, idempotencyKey: string) =>
        http.json(checkoutSessionSchema, 'POST', '/api/checkout-sessions', {
          body,
          headers: { 'Idempotency-Key': idempotencyKey },
        }),
      get: (id: string) =>
        http.json(checkoutSessionSchema, 'GET', `/api/checkout-sessions/${segment(id)}`),
      cancel: (id: string) =>
        http.json(checkoutSessionSchema, 'POST', `/api/checkout-sessions/${segment(id)}/cancel`),
    },
    releases: {
      list: () => http.json(releasesSchema, 'GET', '/api/releases'),
    },
    installs: {
      list: (query: InstallsQuery = {}, signal?: AbortSignal) =>
        http.json(installJobsPageSchema, 'GET', '/api/installs', { query, signal }),
      queue: (body: CreateInstallRequest) =>
        http.json(installJobSchema, 'POST', '/api/installs', { body }),
      queueMany: (body: BulkInstallRequest) =>
        http.json(bulkInstallResultSchema, 'POST', '/api/installs/bulk', { body }),
      cancel: (id: string) =>
        http.json(installJobSchema, 'POST', `/api/installs/${segment(id)}/cancel`),
      retry: (id: string) =>
        http.json(installJobSchema, 'POST', `/api/installs/${segment(id)}/retry`),
      events: (id: string, signal?: AbortSignal) =>
        http.json(installJobEventsSchema, 'GET', `/api/installs/${segment(id)}/events`, { signal }),
    },
    purchases: {
      list: (query: PurchasesQuery = {}, signal?: AbortSignal) =>
        http.json(purchasesPageSchema, 'GET', '/api/purchases', { query, signal }),
      get: (id: string) => http.json(purchaseDetailSchema, 'GET', `/api/purchases/${segment(id)}`),
      /** A link, not a call: the browser downloads the CSV itself, streamed, with the session cookie. */
      exportUrl: (filters: Omit<PurchasesQuery, 'cursor' | 'limit'> = {}) =>
        `${options.baseUrl ?? ''}/api/purchases/export.csv${toSearch(filters)}`,
      /** `idempotencyKey` names one refund attempt: a double click or a retry sends the same. */
      refund: (id: string, idempotencyKey?: string) =>
        http.json(refundSchema, 'POST', `/api/purchases/${segment(id)}/refund`, {
          headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
        }),
    },
    apiKeys: {
      list: () => http.json(apiKeysSchema, 'GET', '/api/api-keys'),
      create: (body: CreateApiKeyRequest) =>
        http.json(createdApiKeySchema, 'POST', '/api/api-keys', { body }),
      revoke: (id: string) =>
        http.json(apiKeySchema, 'POST', `/api/api-keys/${segment(id)}/revoke`),
    },
    webhookEndpoints: {
      list: () => http.json(webhookEndpointsSchema, 'GET', '/api/webhook-endpoints'),
      create: (body: CreateWebhookEndpointRequest) =>
        http.json(createdWebhookEndpointSchema, 'POST', '/api/webhook-endpoints', { body }),
      disable: (id: string) =>
        http.json(webhookEndpointSchema, 'POST', `/api/webhook-endpoints/${segment(id)}/disable`),
      deliveries: (id: string, query: WebhookDeliveriesQuery = {}) =>
        http.json(
          webhookDeliveriesPageSchema,
          'GET',
          `/api/webhook-endpoints/${segment(id)}/deliveries`,
          { query },
        ),
      resend: (id: string, deliveryId: string) =>
        http.json(
          webhookDeliverySchema,
          'POST',
          `/api/webhook-endpoints/${segment(id)}/deliveries/${segment(deliveryId)}/resend`,
        ),
    },
    paymentLinks: {
      list: () => http.json(paymentLinksSchema, 'GET', '/api/payment-links'),
      create: (body: CreatePaymentLinkRequest) =>
        http.json(paymentLinkSchema, 'POST', '/api/payment-links', { body }),
      deactivate: (id: string) =>
        http.json(paymentLinkSchema, 'POST', `/api/payment-links/${segment(id)}/deactivate`),
    },
    /** The one search box: whatever id or name was pasted, best match first. */
    search: (q: string, signal?: AbortSignal) =>
      http.json(searchResponseSchema, 'GET', '/api/search', { query: { q }, signal }),
    overview: {
      get: (query: OverviewQuery, signal?: AbortSignal) =>
        http.json(overviewSchema, 'GET', '/api/overview', { query, signal }),
    },
    audit: {
      list: (query: AuditQuery = {}, signal?: AbortSignal) =>
        http.json(auditPageSchema, 'GET', '/api/audit', { query, signal }),
      /** A link, like the purchases export: the browser downloads it with the session cookie. */
      exportUrl: (filters: Omit<AuditQuery, 'cursor' | 'limit'> = {}) =>
        `${options.baseUrl ?? ''}/api/audit/export.csv${toSearch(filters)}`,
    },
    storefront: {
      /** The storefront API's OpenAPI document; public, rendered by the API reference page. */
      openApiDocument: () =>
        http.json(z.looseObject({ openapi: z.string() }), 'GET', '/api/v1/openapi.json'),
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
