import { http, HttpResponse } from 'msw';
import {
  apiKeySchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  createdWebhookEndpointSchema,
  createPaymentLinkRequestSchema,
  createWebhookEndpointRequestSchema,
  paymentLinkSchema,
  webhookDeliveriesPageSchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  type ApiKey,
  type PaymentLink,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '@repo/schemas';
import { apiError } from './errors';
import { foreignDeviceIds } from './checkout';

const hex = (n: number) => n.toString(16).padStart(32, '0');

/** What the BFF would hold for the Developers pages; tests seed and inspect it. */
export const developersState = {
  apiKeys: [] as ApiKey[],
  endpoints: [] as WebhookEndpoint[],
  deliveries: [] as WebhookDelivery[],
  paymentLinks: [] as PaymentLink[],
  resent: [] as string[],
  counter: 0,
};

export function resetDevelopersState(): void {
  developersState.apiKeys = [];
  developersState.endpoints = [];
  developersState.deliveries = [];
  developersState.paymentLinks = [];
  developersState.resent = [];
  developersState.counter = 0;
}

export function webhookDeliveryFixture(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return webhookDeliverySchema.parse({
    id: `whd_${hex(++developersState.counter)}`,
    endpointId: `whe_${hex(1)}`,
    eventId: `evt_${hex(developersState.counter)}`,
    eventType: 'purchase.activated',
    status: 'succeeded',
    attempts: 1,
    nextAttemptAt: null,
    lastAttemptAt: '2026-11-21T14:00:00.000Z',
    lastStatusCode: 200,
    lastError: null,
    createdAt: '2026-11-21T14:00:00.000Z',
    completedAt: '2026-11-21T14:00:00.000Z',
    ...overrides,
  });
}

/** A small OpenAPI 3.1 document in the shape the BFF serves. */
export const openApiDocumentFixture = {
  openapi: '3.1.0',
  info: { title: 'Device Marketplace storefront API', version: '1.0.0', description: 'Sell.' },
  servers: [{ url: 'http://localhost:3000/api/v1' }],
  paths: {
    '/checkout-sessions': {
      post: {
        operationId: 'createCheckoutSession',
        summary: 'Start a hosted checkout',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  instanceId: { type: 'string', minLength: 1, maxLength: 64 },
                  successUrl: { type: 'string', format: 'uri' },
                },
                required: ['instanceId', 'successUrl'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The session.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { checkoutUrl: { type: ['string', 'null'] } },
                },
              },
            },
          },
          '401': { description: 'The API key is missing, wrong or revoked.' },
        },
      },
    },
  },
  webhooks: {
    'purchase.activated': {
      post: {
        description: 'A purchase was paid for.',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { type: { type: 'string', enum: ['purchase.activated'] } },
              },
            },
          },
        },
      },
    },
  },
};

export const developersHandlers = [
  http.get('/api/api-keys', () => HttpResponse.json({ items: developersState.apiKeys })),
  http.post('/api/api-keys', async ({ request }) => {
    const body = createApiKeyRequestSchema.safeParse(await request.json());
    if (!body.success) return apiError(400, 'VALIDATION_FAILED', 'The request body is not valid.');
    const n = ++developersState.counter;
    const secret = `mk_${body.data.mode}_${'s'.repeat(28)}${String(n).padStart(4, '0')}`;
    const key = apiKeySchema.parse({
      id: `key_${hex(n)}`,
      name: body.data.name,
      mode: body.data.mode,
      prefix: secret.slice(0, 12),
      allowedOrigins: body.data.allowedOrigins,
      createdAt: '2026-11-21T14:00:00.000Z',
      createdBy: 'admin@acme.example',
      lastUsedAt: null,
      revokedAt: null,
    });
    developersState.apiKeys.unshift(key);
    return HttpResponse.json(createdApiKeySchema.parse({ ...key, secret }), { status: 201 });
  }),
  http.post('/api/api-keys/:id/revoke', ({ params }) => {
    const key = developersState.apiKeys.find((k) => k.id === params.id);
    if (!key) return apiError(404, 'NOT_FOUND', 'API key was not found.');
    key.revokedAt = '2026-11-21T15:00:00.000Z';
    return HttpResponse.json(apiKeySchema.parse(key));
  }),
  http.get('/api/webhook-endpoints', () => HttpResponse.json({ items: developersState.endpoints })),
  http.post('/api/webhook-endpoints', async ({ request }) => {
    const body = createWebhookEndpointRequestSchema.safeParse(await request.json());
    if (!body.success) {
      return HttpResponse.json(
        {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'The request body is not valid.',
            details: body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          },
        },
        { status: 400 },
      );
    }
    const endpoint = webhookEndpointSchema.parse({
      id: `whe_${hex(++developersState.counter)}`,
      url: body.data.url,
      description: body.data.description ?? null,
      mode: body.data.mode,
      eventTypes: body.data.eventTypes,
      createdAt: '2026-11-21T14:00:00.000Z',
      disabledAt: null,
    });
    developersState.endpoints.unshift(endpoint);
    return HttpResponse.json(
      createdWebhookEndpointSchema.parse({ ...endpoint, secret: 'mkwhsec_test_secret_0001' }),
      { status: 201 },
    );
  }),
  http.get('/api/webhook-endpoints/:id/deliveries', ({ params, request }) => {
    if (!developersState.endpoints.some((e) => e.id === params.id))
      return apiError(404, 'NOT_FOUND', 'Webhook endpoint was not found.');
    const status = new URL(request.url).searchParams.get('status');
    const items = developersState.deliveries.filter(
      (d) => d.endpointId === params.id && (!status || d.status === status),
    );
    return HttpResponse.json(
      webhookDeliveriesPageSchema.parse({ items, nextCursor: null, total: items.length }),
    );
  }),
  http.post('/api/webhook-endpoints/:id/deliveries/:deliveryId/resend', ({ params }) => {
    const delivery = developersState.deliveries.find((d) => d.id === params.deliveryId);
    if (!delivery) return apiError(404, 'NOT_FOUND', 'Webhook delivery was not found.');
    if (delivery.status !== 'failed')
      return apiError(409, 'DELIVERY_NOT_FAILED', 'This delivery already succeeded.');
    developersState.resent.push(delivery.id);
    Object.assign(delivery, { status: 'pending', nextAttemptAt: '2026-11-21T15:00:00.000Z' });
    return HttpResponse.json(webhookDeliverySchema.parse(delivery), { status: 202 });
  }),
  http.get('/api/payment-links', () => HttpResponse.json({ items: developersState.paymentLinks })),
  http.post('/api/payment-links', async ({ request }) => {
    const body = createPaymentLinkRequestSchema.parse(await request.json());
    const foreign = body.deviceIds.findIndex((id) => foreignDeviceIds.includes(id));
    if (foreign >= 0) {
      return HttpResponse.json(
        {
          error: {
            code: 'BASKET_INVALID',
            message: 'Some products or devices cannot be bought together.',
            details: [
              {
                path: `deviceIds.${foreign}`,
                message: `${body.deviceIds[foreign]}: This device does not belong to your organisation.`,
              },
            ],
          },
        },
        { status: 422 },
      );
    }
    const n = ++developersState.counter;
    const link = paymentLinkSchema.parse({
      id: `plink_${hex(n)}`,
      url: `http://localhost:3000/pay/pl_${'t'.repeat(20)}${String(n).padStart(4, '0')}`,
      instanceId: body.instanceId,
      mode: body.mode,
      itemIds: body.itemIds,
      deviceIds: body.deviceIds,
      allowPromotionCodes: body.allowPromotionCodes ?? false,
      maxUses: 1,
      uses: 0,
      status: 'active',
      expiresAt: '2026-11-28T14:00:00.000Z',
      createdAt: '2026-11-21T14:00:00.000Z',
    });
    developersState.paymentLinks.unshift(link);
    return HttpResponse.json(link, { status: 201 });
  }),
  http.get('/api/v1/openapi.json', () => HttpResponse.json(openApiDocumentFixture)),
];
