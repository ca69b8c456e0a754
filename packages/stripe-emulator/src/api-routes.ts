import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCheckoutSessionParams } from './checkout-session-params';
import type { CheckoutStore, RequestContext } from './checkout-store';
import { FormEncodingError, parseFormEncoded, type FormObject } from './form-encoding';
import { BodyTooLargeError, readBody, sendJson } from './http-helpers';
import { requestFingerprint, type IdempotencyCache } from './idempotency';
import { newId } from './ids';
import { optionalInteger, optionalString, optionalStringList, rejectUnknown } from './params';
import { parseRefundParams } from './refund-params';
import { invalidRequest, resourceMissing, StripeError } from './stripe-error';
import { chargeObject, refundObject } from './stripe-objects';

/** The version the pinned `stripe` SDK sends; used only if a request carries no `Stripe-Version`. */
export const defaultApiVersion = '2026-10-28.endive';

export type ApiContext = {
  store: CheckoutStore;
  idempotency: IdempotencyCache;
  /** Accepted secret keys, or null to accept any `sk_test_` key. */
  secretKeys: string[] | null;
  now: () => number;
};

type ApiRequest = {
  params: FormObject;
  pathParams: string[];
  context: RequestContext;
  apiVersion: string;
  connectedAccount: string | null;
};

type ApiResult = { status: number; body: unknown };

type Route = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle: (request: ApiRequest, api: ApiContext) => ApiResult;
};

const routes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handle: createCheckoutSession },
  {
    method: 'GET',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handle: retrieveCheckoutSession,
  },
  {
    method: 'GET',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
    handle: listCheckoutSessionLineItems,
  },
  {
    method: 'POST',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
    handle: expireCheckoutSession,
  },
  { method: 'GET', pattern: /^\/v1\/payment_intents\/([^/]+)$/, handle: retrievePaymentIntent },
  { method: 'GET', pattern: /^\/v1\/charges\/([^/]+)$/, handle: retrieveCharge },
  { method: 'POST', pattern: /^\/v1\/refunds$/, handle: createRefund },
  { method: 'GET', pattern: /^\/v1\/refunds\/([^/]+)$/, handle: retrieveRefund },
  { method: 'GET', pattern: /^\/v1\/events\/([^/]+)$/, handle: retrieveEvent },
];

/**
 * One call to the REST API under `/v1`: authenticate, decode the form-encoded parameters, honour
 * `Idempotency-Key` on POSTs, and answer with a Stripe object or Stripe's error shape. Every
 * answer carries a `Request-Id`.
 */
export async function handleApiRequest(
  request: IncomingMessage,
  response: ServerResponse,
  api: ApiContext,
): Promise<void> {
  const requestId = newId('request');
  const idempotencyKey = headerValue(request, 'idempotency-key');
  const apiVersion = headerValue(request, 'stripe-version') ?? defaultApiVersion;
  const baseHeaders: Record<string, string> = {
    'Request-Id': requestId,
    'Stripe-Version': apiVersion,
    ...(idempotencyKey === null ? {} : { 'Idempotency-Key': idempotencyKey }),
  };
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');

  try {
    const apiKey = authenticate(request, api.secretKeys);
    const rawParams =
      method === 'GET' || method === 'DELETE' ? url.search.slice(1) : await readBody(request);
    const params = parseFormEncoded(rawParams);

    const match = matchRoute(method, url.pathname);
    if (match === null) {
      throw new StripeError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      );
    }

    const fingerprint = requestFingerprint(method, url.pathname, params);
    if (method === 'POST' && idempotencyKey !== null) {
      const previous = api.idempotency.lookup(apiKey, idempotencyKey, fingerprint);
      if (previous.kind === 'replay') {
        sendJson(response, previous.status, previous.body, {
          ...baseHeaders,
          'Idempotent-Replayed': 'true',
        });
        return;
      }
    }

    const result = match.route.handle(
      {
        params,
        pathParams: match.pathParams,
        context: { requestId, idempotencyKey },
        apiVersion,
        connectedAccount: headerValue(request, 'stripe-account'),
      },
      api,
    );
    const body = JSON.stringify(result.body, null, 2);
    if (method === 'POST' && idempotencyKey !== null) {
      api.idempotency.remember(apiKey, idempotencyKey, fingerprint, result.status, body);
    }
    sendJson(response, result.status, body, baseHeaders);
  } catch (error) {
    const stripeError = toStripeError(error);
    const headers: Record<string, string> = { ...baseHeaders };
    if (stripeError.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="Stripe"';
    // An emulator bug will not go away on retry; stop the SDK from retrying it.
    if (stripeError.status >= 500) headers['Stripe-Should-Retry'] = 'false';
    sendJson(response, stripeError.status, JSON.stringify(stripeError.toBody(), null, 2), headers);
  }
}

function toStripeError(error: unknown): StripeError {
  if (error instanceof StripeError) return error;
  if (error instanceof FormEncodingError) return invalidRequest(error.message, error.param);
  if (error instanceof BodyTooLargeError) {
    return new StripeError(413, 'invalid_request_error', error.message);
  }
  console.error('[stripe-emulator] unexpected error', error);
  return new StripeError(500, 'api_error', 'The Stripe emulator failed to handle this request.');
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

function authenticate(request: IncomingMessage, secretKeys: string[] | null): string {
  const authorization = headerValue(request, 'authorization');
  const key = authorization === null ? null : keyFromAuthorization(authorization);
  if (key === null) {
    throw new StripeError(
      401,
      'authentication_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  const accepted = secretKeys === null ? key.startsWith('sk_test_') : secretKeys.includes(key);
  if (!accepted) {
    throw new StripeError(
      401,
      'authentication_error',
      `Invalid API Key provided: ${redactKey(key)}`,
    );
  }
  return key;
}

/** Stripe takes the key as a Bearer token or as the Basic-auth user name. */
function keyFromAuthorization(authorization: string): string | null {
  const [scheme = '', credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return credentials === '' ? null : credentials;
  if (scheme.toLowerCase() === 'basic') {
    const user = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '';
    return user === '' ? null : user;
  }
  return null;
}

function redactKey(key: string): string {
  if (key.length <= 12) return '*'.repeat(key.length);
  return key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);
}

function matchRoute(method: string, path: string): { route: Route; pathParams: string[] } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match !== null) {
      return { route, pathParams: match.slice(1).map(decodePathSegment) };
    }
  }
  return null;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function pathParam(request: ApiRequest, index = 0): string {
  return request.pathParams[index] as string;
}

/** `expand[]` values, refused unless this endpoint can expand them (as Stripe refuses). */
function expansions(params: FormObject, allowed: readonly string[]): Set<string> {
  const requested = optionalStringList(params, 'expand') ?? [];
  for (const path of requested) {
    if (!allowed.includes(path)) {
      throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    }
  }
  return new Set(requested);
}

const sessionExpansions = ['line_items', 'payment_intent'] as const;

function createCheckoutSession(request: ApiRequest, api: ApiContext): ApiResult {
  const input = parseCheckoutSessionParams(request.params, {
    nowSeconds: Math.floor(api.now() / 1000),
    connectedAccount: request.connectedAccount,
  });
  const expand = expansions(request.params, sessionExpansions);
  const session = api.store.createSession(input, request.apiVersion);
  return {
    status: 200,
    body: api.store.sessionObject(session, {
      lineItems: expand.has('line_items'),
      paymentIntent: expand.has('payment_intent'),
    }),
  };
}

function retrieveCheckoutSession(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand']);
  const expand = expansions(request.params, sessionExpansions);
  const session = api.store.requireSession(pathParam(request));
  return {
    status: 200,
    body: api.store.sessionObject(session, {
      lineItems: expand.has('line_items'),
      paymentIntent: expand.has('payment_intent'),
    }),
  };
}

function listCheckoutSessionLineItems(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['limit', 'starting_after', 'ending_before', 'expand']);
  expansions(request.params, []);
  const session = api.store.requireSession(pathParam(request));
  const startingAfter = optionalString(request.params, 'starting_after');
  const endingBefore = optionalString(request.params, 'ending_before');
  return {
    status: 200,
    body: api.store.lineItemList(session, {
      limit: optionalInteger(request.params, 'limit', '', { min: 1, max: 100 }) ?? 10,
      ...(startingAfter === null ? {} : { startingAfter }),
      ...(endingBefore === null ? {} : { endingBefore }),
    }),
  };
}

function expireCheckoutSession(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand']);
  const expand = expansions(request.params, sessionExpansions);
  const session = api.store.expireSession(pathParam(request), request.context);
  return {
    status: 200,
    body: api.store.sessionObject(session, {
      lineItems: expand.has('line_items'),
      paymentIntent: expand.has('payment_intent'),
    }),
  };
}

function retrievePaymentIntent(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand', 'client_secret']);
  const expand = expansions(request.params, ['latest_charge']);
  const id = pathParam(request);
  const intent = api.store.findPaymentIntent(id);
  if (intent === undefined) throw resourceMissing('payment_intent', id, 'intent');
  return {
    status: 200,
    body: api.store.paymentIntentObject(intent, { latestCharge: expand.has('latest_charge') }),
  };
}

function retrieveCharge(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand']);
  expansions(request.params, []);
  const id = pathParam(request);
  const charge = api.store.findCharge(id);
  if (charge === undefined) throw resourceMissing('charge', id, 'charge');
  return { status: 200, body: chargeObject(charge) };
}

function createRefund(request: ApiRequest, api: ApiContext): ApiResult {
  const input = parseRefundParams(request.params);
  expansions(request.params, []);
  const refund = api.store.refund(input, request.context);
  return { status: 200, body: refundObject(refund) };
}

function retrieveRefund(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand']);
  expansions(request.params, []);
  const id = pathParam(request);
  const refund = api.store.findRefund(id);
  if (refund === undefined) throw resourceMissing('refund', id, 'refund');
  return { status: 200, body: refundObject(refund) };
}

function retrieveEvent(request: ApiRequest, api: ApiContext): ApiResult {
  rejectUnknown(request.params, ['expand']);
  expansions(request.params, []);
  const id = pathParam(request);
  const event = api.store.findEvent(id);
  if (event === undefined) throw resourceMissing('event', id, 'id');
  return { status: 200, body: event };
}
