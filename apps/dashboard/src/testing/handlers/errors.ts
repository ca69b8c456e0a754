import { HttpResponse } from 'msw';
import { errorBodySchema } from '@repo/schemas';

export function apiError(status: number, code: string, message: string, requestId = 'req-test-1') {
  return HttpResponse.json(errorBodySchema.parse({ error: { code, message, requestId } }), {
    status,
    headers: { 'X-Request-Id': requestId },
  });
}
