import {
  checkoutSessionSchema,
  deviceFacetsSchema,
  deviceIdsSchema,
  refundSchema,
  validateDevicesResponseSchema,
  deviceSchema,
  devicesPageSchema,
  healthSchema,
  loginResponseSchema,
  marketplaceInstancesSchema,
  marketplaceItemsSchema,
  meSchema,
  purchaseDetailSchema,
  purchasesPageSchema,
  type CreateCheckoutSessionRequest,
  type DevicesQuery,
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
        http.json(deviceSchema, 'GET', `/api/devices/${segment(deviceId)}`),
      ids: (filters: Omit<DevicesQuery, 'cursor' | 'limit'>) =>
        http.json(deviceIdsSchema, 'GET', '/api/devices/ids', { query: filters }),
      validate: (body: ValidateDevicesRequest, signal?: AbortSignal) =>
        http.json(validateDevicesResponseSchema, 'POST', '/api/devices/validate', { body, signal }),
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
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
