import { z } from 'zod';
import { errorBodySchema, providerEventSchema, type ProviderEventType } from '@repo/schemas';

type JsonSchema = Record<string, unknown>;

/** One operation of the storefront API: how it is called, what it answers, and who may call it. */
export type OperationSpec = {
  method: 'get' | 'post';
  /** Express syntax: `/checkout-sessions/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** false only for the document itself. */
  authenticated: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  idempotencyKey?: boolean;
  response: { status: number; description: string; schema?: z.ZodType };
  /** Error answers worth naming beyond 401 and 400. */
  errors?: Record<number, string>;
};

const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
};

/** `/checkout-sessions/:id` → `/checkout-sessions/{id}` */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

function parametersOf(where: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const EVENT_DESCRIPTIONS: Record<ProviderEventType, string> = {
  'purchase.activated': 'A purchase was paid for and its device is entitled to the item.',
  'purchase.refunded': 'A purchase was refunded and its entitlement revoked.',
  'install.succeeded': 'An install job finished on the device.',
  'install.failed': 'An install job failed on the device.',
  'rollout.paused':
    'A staged rollout paused (by itself past a threshold, or by a person); the rollout carries the reason.',
  'rollout.completed': 'A staged rollout finished: every phase ran and nothing is on its way.',
};

/**
 * The OpenAPI 3.1 document of the storefront API, generated from the same zod schemas that
 * validate every request, so that the document cannot drift from what the server accepts.
 */
export function buildOpenApiDocument(operations: OperationSpec[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...parametersOf('path', op.params),
      ...parametersOf('query', op.query),
      ...(op.idempotencyKey
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description:
                'Any unique string (8–200 letters, digits, "-" or "_"). Repeating a request with the same key returns the same session instead of creating another.',
              schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,200}$' },
            },
          ]
        : []),
    ];
    const responses: Record<string, unknown> = {
      [op.response.status]: {
        description: op.response.description,
        content: {
          'application/json': {
            schema: op.response.schema ? toJsonSchema(op.response.schema, 'output') : {},
          },
        },
      },
    };
    if (op.params || op.query || op.body || op.idempotencyKey)
      responses['400'] = errorResponse('The request is not valid; `details` names each problem.');
    if (op.authenticated) {
      responses['401'] = errorResponse('The API key is missing, wrong or revoked.');
      responses['429'] = errorResponse(
        'This API key sent too many requests this minute; the `RateLimit` header tells when to retry.',
      );
    }
    for (const [status, description] of Object.entries(op.errors ?? {}))
      responses[status] = errorResponse(description);

    paths[openApiPath(op.path)] = {
      ...paths[openApiPath(op.path)],
      [op.method]: {
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        ...(op.authenticated ? {} : { security: [] }),
        ...(parameters.length ? { parameters } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: toJsonSchema(op.body, 'input') } },
              },
            }
          : {}),
        responses,
      },
    };
  }

  const eventSchemas = new Map<string, z.ZodType>(
    providerEventSchema.options.map((option) => [option.shape.type.value, option]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Device Marketplace storefront API',
      version: '1.0.0',
      description:
        "Sell from your own site: list your items, validate devices, start a hosted checkout and read its outcome from your server. Authenticate with an API key from the dashboard's Developers page: `Authorization: Bearer mk_test_…`. The key's mode (test or live) is the mode of everything it creates.",
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ apiKey: [] }],
    paths,
    webhooks: Object.fromEntries(
      (Object.keys(EVENT_DESCRIPTIONS) as ProviderEventType[]).map((type) => [
        type,
        {
          post: {
            summary: type,
            description: `${EVENT_DESCRIPTIONS[type]} Signed with your endpoint's secret: the \`Marketplace-Signature\` header is \`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">\`.`,
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: toJsonSchema(eventSchemas.get(type)!, 'output') },
              },
            },
            responses: { '200': { description: 'Any 2xx acknowledges the event.' } },
          },
        },
      ]),
    ),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A secret API key: `mk_test_…` or `mk_live_…`.',
        },
      },
      schemas: { Error: toJsonSchema(errorBodySchema, 'output') },
    },
  };
}
