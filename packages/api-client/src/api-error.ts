import { errorBodySchema, type ErrorDetail } from '@repo/schemas';

/** An error answer from the BFF, typed: status, machine code, request id and field details. */
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

  static async fromResponse(response: Response): Promise<ApiError> {
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
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
