export type StripeErrorType =
  'api_error' | 'authentication_error' | 'idempotency_error' | 'invalid_request_error';

export type StripeErrorBody = {
  error: {
    type: StripeErrorType;
    code?: string;
    message: string;
    param?: string;
    doc_url?: string;
    request_log_url?: string;
  };
};

/**
 * The one error the emulator throws while handling a request; the server turns it into Stripe's
 * `{ error: { type, code, message, param } }` body, which the SDK maps to its typed errors by
 * HTTP status (400/404 → StripeInvalidRequestError, 401 → StripeAuthenticationError, …).
 */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'StripeError';
  }

  toBody(): StripeErrorBody {
    return {
      error: {
        type: this.type,
        ...(this.code === undefined
          ? {}
          : {
              code: this.code,
              doc_url: `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`,
            }),
        message: this.message,
        ...(this.param === undefined ? {} : { param: this.param }),
      },
    };
  }
}

export function invalidRequest(message: string, param?: string, code?: string): StripeError {
  return new StripeError(400, 'invalid_request_error', message, code, param);
}

export function unknownParameter(param: string): StripeError {
  return invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

export function missingParameter(param: string): StripeError {
  return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function resourceMissing(objectName: string, id: string, param: string): StripeError {
  return new StripeError(
    404,
    'invalid_request_error',
    `No such ${objectName}: '${id}'`,
    'resource_missing',
    param,
  );
}
