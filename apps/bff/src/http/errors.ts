import type { ErrorDetail } from '@repo/schemas';

/** The one error type services throw; the central handler turns it into the wire shape. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found.`);
export const forbidden = (message = 'Your role does not allow this.') =>
  new AppError(403, 'FORBIDDEN', message);
export const unauthenticated = () => new AppError(401, 'UNAUTHENTICATED', 'Sign in to continue.');
