import { HttpResponse } from 'msw';
import { errorBodySchema, type ErrorDetail } from '@repo/schemas';

export function apiError(
  status: number,
  code: string,
  message: string,
  requestId = 'req-test-1',
  details?: ErrorDetail[],
) {
  return HttpResponse.json(
    errorBodySchema.parse({ error: { code, message, requestId, details } }),
    {
      status,
      headers: { 'X-Request-Id': requestId },
    },
  );
}
