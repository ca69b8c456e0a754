import express, { Router, type Request, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { z } from 'zod';
import {
  idempotencyKeySchema,
  marketplaceItemsSchema,
  storefrontCheckoutSessionSchema,
  storefrontCreateCheckoutSessionRequestSchema,
  storefrontPurchasesPageSchema,
  storefrontPurchasesQuerySchema,
  storefrontValidateDevicesRequestSchema,
  validateDevicesResponseSchema,
  type ErrorDetail,
  type ValidateDevicesResponse,
} from '@repo/schemas';
import { apiKeyOf, requireApiKey } from '../../http/api-key-auth';
import { notFoundHandler } from '../../http/error-handler';
import { AppError } from '../../http/errors';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { Services } from '../../services';
import { buildOpenApiDocument, type OperationSpec } from './openapi';

type Deps = {
  /** The services the storefront sells through: the same ones the dashboard uses. */
  services: Pick<
    Services,
    'apiKeys' | 'checkout' | 'marketplaces' | 'purchases' | 'validateBasket'
  >;
  publicUrl: string;
  requestsPerMinute: number;
  /** Counters every instance shares, so that a key's limit holds however many answer it. */
  rateLimitStore: (name: string) => Store;
};

type Operation = OperationSpec & { handle: (req: Request, res: Response) => unknown };

const instanceParamsSchema = z.object({ instanceId: z.string().min(1).max(64) });
const sessionParamsSchema = z.object({
  id: z.string().regex(/^chk_[a-f0-9]{32}$/, 'not a checkout session id'),
});

/** Success and cancel URLs must point at an origin the admin allowed for this key. */
function disallowedReturnUrls(
  urls: { successUrl: string; cancelUrl: string },
  allowedOrigins: string[],
): ErrorDetail[] {
  return (['successUrl', 'cancelUrl'] as const).flatMap((field) => {
    const origin = new URL(urls[field]).origin;
    return allowedOrigins.includes(origin)
      ? []
      : [{ path: field, message: `${origin} is not an allowed return origin of this API key.` }];
  });
}

/**
 * The storefront API for providers' servers: Bearer API keys, no session, no CSRF. Every route is
 * one entry below, which both registers it and describes it in the OpenAPI document.
 */
export function storefrontRoutes({
  services,
  publicUrl,
  requestsPerMinute,
  rateLimitStore,
}: Deps): Router {
  const { apiKeys, checkout, marketplaces, purchases, validateBasket } = services;
  const toStorefrontSession = (session: unknown) => storefrontCheckoutSessionSchema.parse(session);

  const operations: Operation[] = [
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      authenticated: false,
      response: { status: 200, description: 'The OpenAPI 3.1 document of this API.' },
      handle: (_req, res) => res.json(openApiDocument),
    },
    {
      method: 'get',
      path: '/marketplaces/:instanceId/items',
      operationId: 'listItems',
      summary: 'List your listed items in a marketplace',
      description: 'Only listed items, with their price as the checkout will charge it.',
      authenticated: true,
      params: instanceParamsSchema,
      response: { status: 200, description: 'The items.', schema: marketplaceItemsSchema },
      errors: { 404: 'Your organisation does not sell in this marketplace.' },
      handle: async (req, res) => {
        const { instanceId } = parseParams(instanceParamsSchema, req);
        const { organisationId } = apiKeyOf(req);
        res.json({ items: await marketplaces.items(organisationId, instanceId, true) });
      },
    },
    {
      method: 'post',
      path: '/devices/validate',
      operationId: 'validateDevices',
      summary: 'Check devices against a basket',
      description:
        "One result per device ID as sent: ok, invalid, unknown, not in your organisation, a duplicate, incompatible with an item, or already entitled in the key's mode. When all is well, `quote` is the price the checkout will charge.",
      authenticated: true,
      body: storefrontValidateDevicesRequestSchema,
      response: {
        status: 200,
        description: 'A result per device and item.',
        schema: validateDevicesResponseSchema,
      },
      handle: async (req, res) => {
        const body = parseBody(storefrontValidateDevicesRequestSchema, req);
        const key = apiKeyOf(req);
        const { valid, results, items, quote } = await validateBasket({
          organisationId: key.organisationId,
          ...body,
          mode: key.mode,
        });
        const answer: ValidateDevicesResponse = { valid, results, items, quote };
        res.json(answer);
      },
    },
    {
      method: 'post',
      path: '/checkout-sessions',
      operationId: 'createCheckoutSession',
      summary: 'Start a hosted checkout',
      description:
        'Prices come from the marketplace, never from the request. Send the customer to `checkoutUrl`; Stripe sends them back to `successUrl` or `cancelUrl`, which must use an origin allowed for the key. The redirect proves nothing: read the session from your server before you deliver. A basket that costs nothing is fulfilled at once and has no `checkoutUrl`.',
      authenticated: true,
      idempotencyKey: true,
      body: storefrontCreateCheckoutSessionRequestSchema,
      response: {
        status: 201,
        description: 'The session, open with its `checkoutUrl`, or already complete when free.',
        schema: storefrontCheckoutSessionSchema,
      },
      errors: {
        403: "The request's mode is not the API key's mode.",
        409: 'The Idempotency-Key was used for a different request (`IDEMPOTENCY_KEY_REUSED`), or a device already owns an item or is paying for it in another open checkout (`ALREADY_OWNED_OR_IN_CHECKOUT`; each detail names the `deviceId`, `itemId` and the `purchaseId` or `checkoutSessionId`).',
        422: 'The basket cannot be bought (`BASKET_INVALID`), a return URL is not allowed (`RETURN_URL_NOT_ALLOWED`), or the mode is not set up (`MODE_NOT_CONFIGURED`).',
        502: 'Stripe did not answer; nothing was charged. Retry with the same Idempotency-Key.',
      },
      handle: async (req, res) => {
        const key = apiKeyOf(req);
        const idempotencyKey = idempotencyKeySchema.safeParse(req.header('idempotency-key'));
        if (!idempotencyKey.success) {
          throw new AppError(
            400,
            'IDEMPOTENCY_KEY_REQUIRED',
            'Send an Idempotency-Key header, so that a retry cannot pay twice.',
            [
              {
                path: 'Idempotency-Key',
                message: idempotencyKey.error.issues[0]?.message ?? 'required',
              },
            ],
          );
        }
        const body = parseBody(storefrontCreateCheckoutSessionRequestSchema, req);
        if (body.mode && body.mode !== key.mode) {
          throw new AppError(
            403,
            'API_KEY_MODE_MISMATCH',
            `This is a ${key.mode}-mode API key: it cannot create ${body.mode}-mode sessions.`,
          );
        }
        const disallowed = disallowedReturnUrls(body, key.allowedOrigins);
        if (disallowed.length > 0) {
          throw new AppError(
            422,
            'RETURN_URL_NOT_ALLOWED',
            'Return URLs must use an origin allowed for this API key. An admin can add origins in the dashboard.',
            disallowed,
          );
        }
        const session = await checkout.create(
          { organisationId: key.organisationId, userId: key.createdBy, apiKeyId: key.id },
          {
            instanceId: body.instanceId,
            itemIds: body.itemIds,
            deviceIds: body.deviceIds,
            mode: key.mode,
            allowPromotionCodes: body.allowPromotionCodes,
          },
          idempotencyKey.data,
          String(req.id),
          { success: body.successUrl, cancel: body.cancelUrl },
        );
        res.status(201).json(toStorefrontSession(session));
      },
    },
    {
      method: 'get',
      path: '/checkout-sessions/:id',
      operationId: 'getCheckoutSession',
      summary: 'Read a checkout session and its purchases',
      description:
        'While payment is pending the server asks Stripe where it stands, so this is the state to trust after the redirect. `phase` is where the session stands, decided from every Stripe event whatever order they came in: `open`, `pending` (a delayed payment on its way), `active`, `failed`, `expired`, `cancelled` or `refunded`. `fulfilled` turns true once purchases and entitlements exist.',
      authenticated: true,
      params: sessionParamsSchema,
      response: {
        status: 200,
        description: 'The session.',
        schema: storefrontCheckoutSessionSchema,
      },
      errors: { 404: "No such session in your organisation and the key's mode." },
      handle: async (req, res) => {
        const { id } = parseParams(sessionParamsSchema, req);
        const key = apiKeyOf(req);
        const session = await checkout.get(
          { organisationId: key.organisationId, mode: key.mode },
          id,
        );
        res.json(toStorefrontSession(session));
      },
    },
    {
      method: 'get',
      path: '/purchases',
      operationId: 'listPurchasesByDevice',
      summary: 'List the purchases of a device',
      description: "Oldest first, in the key's mode. Follow `nextCursor` for more.",
      authenticated: true,
      query: storefrontPurchasesQuerySchema,
      response: {
        status: 200,
        description: 'A page of purchases.',
        schema: storefrontPurchasesPageSchema,
      },
      handle: async (req, res) => {
        const query = parseQuery(storefrontPurchasesQuerySchema, req);
        const key = apiKeyOf(req);
        res.json(
          await purchases.byDevice({ organisationId: key.organisationId, mode: key.mode }, query),
        );
      },
    },
  ];

  const openApiDocument = buildOpenApiDocument(operations, publicUrl);

  const router = Router();
  router.use(express.json({ limit: '100kb' }));
  // Counted per key, after it is known: one provider's busy shop cannot slow another's.
  const limitPerKey = rateLimit({
    windowMs: 60 * 1000,
    limit: requestsPerMinute,
    keyGenerator: (req) => apiKeyOf(req).id,
    store: rateLimitStore('storefront'),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res, next) =>
      next(
        new AppError(
          429,
          'RATE_LIMITED',
          `This API key sent more than ${requestsPerMinute} requests in a minute. Retry after the time in the RateLimit header.`,
        ),
      ),
  });
  const authenticate = [requireApiKey(apiKeys), limitPerKey];
  for (const op of operations) {
    if (op.authenticated) router[op.method](op.path, ...authenticate, op.handle);
    else router[op.method](op.path, op.handle);
  }
  router.use(notFoundHandler);
  return router;
}
