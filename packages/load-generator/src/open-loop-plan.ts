import { z } from 'zod';

/** One HTTP request the generator sends; `path` is relative to `baseUrl` and starts with `/`. */
export type RequestSpec = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
};

/** What the requests are: a list taken round-robin, or a function of the request's index. */
export type RequestSource = RequestSpec[] | ((index: number) => RequestSpec);

export type OpenLoopOptions = {
  /** A single URL to request (with `method`, `headers`, `body`), or… */
  url?: string;
  /** …`requests` sent to `baseUrl`. A function is called with the request's index, counted from 0 at the first warm-up request. */
  requests?: RequestSource;
  /**
   * Where `requests` go. Several base URLs (say two instances of a server, with the same path)
   * share the requests round-robin, as a load balancer would: request i goes to `baseUrl[i % n]`,
   * each over its own pool of `connections`.
   */
  baseUrl?: string | string[];
  method?: string;
  /** Added to every request; a request's own headers win. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Requests per second, kept during warm-up and measurement alike. */
  rate: number;
  durationMs: number;
  warmupMs?: number;
  /** Keep-alive connections in the pool (each carries one request at a time). */
  connections?: number;
  /** Requests due while this many are unanswered are not sent, and are counted as `late`. */
  maxInFlight?: number;
  /** A request unanswered this long after it was sent is abandoned and counted as a timeout. */
  timeoutMs?: number;
  /** Return every measured request's scheduled time, latency and outcome in `timeline`. */
  recordTimeline?: boolean;
};

export const DEFAULT_CONNECTIONS = 32;
export const DEFAULT_MAX_IN_FLIGHT = 1_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A request ready to send: headers merged, path prefixed with the base URL's path. */
export type PlannedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
};

/**
 * Everything the generator process needs, with no functions in it so that it crosses the process
 * boundary. A request function is called here, in the caller's process, for every index before
 * the run starts: nothing the caller does can then slow the schedule down. Identical requests are
 * stored once and `order` says which one each index sends.
 */
export type OpenLoopPlan = {
  /** Request i goes to `origins[i % origins.length]`. */
  origins: string[];
  requests: PlannedRequest[];
  /** Index → entry of `requests`; null means round-robin. */
  order: Uint32Array | null;
  rate: number;
  durationMs: number;
  warmupMs: number;
  warmupCount: number;
  measuredCount: number;
  connections: number;
  maxInFlight: number;
  timeoutMs: number;
  recordTimeline: boolean;
};

const headersSchema = z.record(z.string(), z.string());
const bodySchema = z.union([z.string(), z.instanceof(Uint8Array)]);
const methodSchema = z
  .string()
  .regex(/^[A-Z]+$/, 'must be an upper-case HTTP method such as GET or POST');

const requestSpecSchema = z.object({
  method: methodSchema.optional(),
  path: z.string().startsWith('/', 'must start with /'),
  headers: headersSchema.optional(),
  body: bodySchema.optional(),
});

const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const optionsSchema = z
  .object({
    url: httpUrlSchema.optional(),
    requests: z
      .union([
        z.array(requestSpecSchema).min(1, 'must hold at least one request'),
        z.custom<(index: number) => RequestSpec>((value) => typeof value === 'function'),
      ])
      .optional(),
    baseUrl: z
      .union([httpUrlSchema, z.array(httpUrlSchema).min(1, 'must hold at least one URL')])
      .optional(),
    method: methodSchema.optional(),
    headers: headersSchema.optional(),
    body: bodySchema.optional(),
    rate: z.number().positive(),
    durationMs: z.number().positive(),
    warmupMs: z.number().min(0).default(0),
    connections: z.number().int().min(1).default(DEFAULT_CONNECTIONS),
    maxInFlight: z.number().int().min(1).default(DEFAULT_MAX_IN_FLIGHT),
    timeoutMs: z.number().positive().default(DEFAULT_TIMEOUT_MS),
    recordTimeline: z.boolean().default(false),
  })
  .superRefine((options, context) => {
    if ((options.url === undefined) === (options.requests === undefined)) {
      context.addIssue({ code: 'custom', message: 'give exactly one of `url` and `requests`' });
    } else if (options.requests !== undefined && options.baseUrl === undefined) {
      context.addIssue({ code: 'custom', path: ['baseUrl'], message: '`requests` need a baseUrl' });
    } else if (options.requests === undefined && Array.isArray(options.baseUrl)) {
      context.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'only `requests` go to several base URLs',
      });
    }
    const paths = new Set([options.baseUrl ?? []].flat().map((url) => pathOf(url)));
    if (paths.size > 1) {
      context.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'every base URL must have the same path',
      });
    }
    if (requestsIn(options.rate, options.durationMs) < 1) {
      context.addIssue({
        code: 'custom',
        path: ['durationMs'],
        message: 'rate × duration must schedule at least one request',
      });
    }
  });

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid ${what}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const pathOf = (url: string) =>
  URL.canParse(url) ? new URL(url).pathname.replace(/\/+$/, '') : url;

/** Number of requests scheduled in `ms` at `rate` per second. */
export function requestsIn(rate: number, ms: number): number {
  return Math.round((rate * ms) / 1000);
}

/** Validates the options (throwing one error that lists every problem) and builds the plan. */
export function planOpenLoop(input: OpenLoopOptions): OpenLoopPlan {
  const options = parseOrThrow(optionsSchema, input, 'load options');
  const bases = [options.url ?? options.baseUrl ?? []].flat().map((url) => new URL(url));
  const base = bases[0]!;
  const pathPrefix = options.url === undefined ? pathOf(base.href) : '';
  const warmupCount = requestsIn(options.rate, options.warmupMs);
  const measuredCount = requestsIn(options.rate, options.durationMs);

  const plan = (spec: RequestSpec): PlannedRequest => ({
    method: spec.method ?? options.method ?? 'GET',
    path: pathPrefix + spec.path,
    headers: { ...options.headers, ...spec.headers },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });

  const common = {
    origins: bases.map((url) => url.origin),
    rate: options.rate,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    warmupCount,
    measuredCount,
    connections: options.connections,
    maxInFlight: options.maxInFlight,
    timeoutMs: options.timeoutMs,
    recordTimeline: options.recordTimeline,
  };

  if (options.url !== undefined) {
    const spec: RequestSpec = { path: base.pathname + base.search };
    if (options.body !== undefined) spec.body = options.body;
    return { ...common, requests: [plan(spec)], order: null };
  }
  if (Array.isArray(options.requests)) {
    return { ...common, requests: options.requests.map(plan), order: null };
  }

  const requestAt = options.requests as (index: number) => RequestSpec;
  const requests: PlannedRequest[] = [];
  const seen = new Map<string, number>();
  const order = new Uint32Array(warmupCount + measuredCount);
  for (let index = 0; index < order.length; index += 1) {
    const spec = requestAt(index);
    const key = JSON.stringify([
      spec.method,
      spec.path,
      spec.headers,
      spec.body instanceof Uint8Array
        ? { bytes: Buffer.from(spec.body).toString('base64') }
        : spec.body,
    ]);
    let entry = seen.get(key);
    if (entry === undefined) {
      entry = requests.push(plan(parseOrThrow(requestSpecSchema, spec, `request ${index}`))) - 1;
      seen.set(key, entry);
    }
    order[index] = entry;
  }
  return { ...common, requests, order };
}
