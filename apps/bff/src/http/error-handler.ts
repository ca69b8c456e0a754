import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@repo/schemas';
import { AppError } from './errors';

function send(res: Parameters<RequestHandler>[1], requestId: string, error: AppError): void {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
  res.status(error.status).json(body);
}

export const notFoundHandler: RequestHandler = (req, res) => {
  send(
    res,
    String(req.id),
    new AppError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}.`),
  );
};

/** Maps every error to the one wire shape; unknown errors are logged and never leak details. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  const requestId = String(req.id);
  if (err instanceof AppError) return send(res, requestId, err);

  // Errors raised by body-parser and friends carry an HTTP status and a type.
  const httpError = err as {
    status?: number;
    statusCode?: number;
    type?: string;
    code?: unknown;
    message?: string;
  };
  const status = httpError.status ?? httpError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      typeof httpError.code === 'string' && /^[A-Z_]+$/.test(httpError.code)
        ? httpError.code
        : httpError.type === 'entity.too.large'
          ? 'PAYLOAD_TOO_LARGE'
          : httpError.type === 'entity.parse.failed'
            ? 'MALFORMED_JSON'
            : 'BAD_REQUEST';
    const message =
      code === 'MALFORMED_JSON'
        ? 'The request body is not valid JSON.'
        : code === 'PAYLOAD_TOO_LARGE'
          ? 'The request body is too large.'
          : (httpError.message ?? 'Bad request.');
    return send(res, requestId, new AppError(status, code, message));
  }

  req.log.error({ err }, 'unhandled error');
  send(
    res,
    requestId,
    new AppError(500, 'INTERNAL', 'Something went wrong on our side. Try again.'),
  );
};
