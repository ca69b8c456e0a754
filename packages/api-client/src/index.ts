export { ApiError, isApiError } from './api-error';
export { createApiClient, type ApiClient } from './client';
export type { HttpOptions } from './http';
