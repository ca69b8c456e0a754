import type { z } from 'zod';
import { csrfTokenSchema, errorBodySchema } from '@repo/schemas';
import { ApiError } from './api-error';

export type HttpOptions = {
  /** Origin of the BFF; empty for the same origin as the page. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
};

type Query = Record<string, string | number | boolean | undefined | null>;
type RequestOptions = {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

/** Reads the one error shape of the BFF; anything else still becomes an ApiError. */
async function errorFromResponse(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(
      response.status,
      code,
      message,
      parsed.data.error.requestId ?? requestId,
      details,
    );
  }
  return new ApiError(
    response.status,
    response.status >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR',
    `The server answered ${response.status} ${response.statusText}.`.trim(),
    requestId,
  );
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function toSearch(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `?${search}` : '';
}

/**
 * The transport under every endpoint function: same-origin fetch with the session cookie,
 * the CSRF token on unsafe methods, and every answer parsed with its schema.
 */
export function createHttp({
  baseUrl = '',
  // Looked up on every call, so that whatever wraps the global fetch later (MSW, a tracer) sees it.
  fetch = (input, init) => globalThis.fetch(input, init),
}: HttpOptions = {}) {
  let csrfToken: string | undefined;

  async function send(
    method: string,
    path: string,
    options: RequestOptions,
    retryCsrf: boolean,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (UNSAFE.has(method)) headers['X-CSRF-Token'] = csrfToken ?? (await refreshCsrfToken());
    // Absolute against the page's origin: browsers accept relative URLs, Node's fetch does not.
    const origin = baseUrl || globalThis.location?.origin || '';
    const response = await fetch(`${origin}${path}${toSearch(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (response.ok) return response;
    const error = await errorFromResponse(response);
    // A token goes stale when the session changes (sign-in elsewhere, expiry): fetch a new one once.
    if (retryCsrf && error.code === 'CSRF_INVALID') {
      csrfToken = undefined;
      return send(method, path, options, false);
    }
    throw error;
  }

  async function refreshCsrfToken(): Promise<string> {
    const response = await send('GET', '/api/auth/csrf', {}, false);
    csrfToken = csrfTokenSchema.parse(await response.json()).csrfToken;
    return csrfToken;
  }

  return {
    async json<T extends z.ZodType>(
      schema: T,
      method: string,
      path: string,
      options: RequestOptions = {},
    ): Promise<z.output<T>> {
      const response = await send(method, path, options, true);
      return schema.parse(await response.json());
    },
    async empty(method: string, path: string, options: RequestOptions = {}): Promise<void> {
      await send(method, path, options, true);
    },
    setCsrfToken(token: string | undefined) {
      csrfToken = token;
    },
  };
}
export type Http = ReturnType<typeof createHttp>;
