import {
  deviceFacetsSchema,
  deviceSchema,
  devicesPageSchema,
  healthSchema,
  loginResponseSchema,
  marketplaceInstancesSchema,
  marketplaceItemsSchema,
  meSchema,
  type DevicesQuery,
  type LoginRequest,
} from '@repo/schemas';
import { createHttp, type HttpOptions } from './http';

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
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
