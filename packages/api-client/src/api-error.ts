import type { ErrorDetail } from '@repo/schemas';

/**
 * An error answer from the BFF, typed: status, machine code, request id and field details.
 * Free of zod, so that screens which only recognise errors load no parsing code for it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
