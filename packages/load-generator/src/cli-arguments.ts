import { parseArgs } from 'node:util';
import type { FindMaxRateOptions } from './find-max-rate';
import type { OpenLoopOptions } from './open-loop-plan';

export const usage = `Usage: tsx src/cli.ts --url URL [options]

  --url URL               the URL to request (required)
  --rate N                requests per second (default 100)
  --duration TIME         measured time, e.g. 10s, 500ms, 1m (default 10s; a bare number is seconds)
  --warmup TIME           time at the same rate before measuring (default 3s)
  --connections N         keep-alive connections (default 32)
  --max-in-flight N       unanswered requests before new ones count as late (default 1000)
  --timeout TIME          abandon a request after this long (default 10s)
  --method METHOD         default GET
  --header 'Name: value'  repeat for several headers
  --body TEXT             request body
  --rates A,B,C           find the highest rate of these that keeps p99 under --p99-target
  --p99-target MS         with --rates (default 20)
  --settle TIME           pause between --rates steps (default 1s)
  --json                  print the result as JSON on stdout (the summary goes to stderr)
  --help
`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'run'; options: OpenLoopOptions; json: boolean }
  | { kind: 'find'; options: FindMaxRateOptions; json: boolean };

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `10s`, `500ms`, `1.5m`; a bare number is in `bareUnit`. Milliseconds out. */
export function parseDuration(text: string, bareUnit: 'ms' | 's' = 's'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new Error(`"${text}" is not a duration such as 10s, 500ms or 1m`);
  return Number(match[1]) * units[match[2] ?? bareUnit]!;
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`header "${text}" is not in the form 'Name: value'`);
  return [text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim()];
}

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a ${integer ? 'whole ' : ''}number above 0, got "${text}"`);
  }
  return value;
}

/** Reads the command line; throws one error listing every problem it found. */
export function parseCliArguments(argv: string[]): CliCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '10s' },
      warmup: { type: 'string', default: '3s' },
      connections: { type: 'string' },
      'max-in-flight': { type: 'string' },
      timeout: { type: 'string' },
      method: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      body: { type: 'string' },
      rates: { type: 'string' },
      'p99-target': { type: 'string', default: '20' },
      settle: { type: 'string', default: '1s' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return { kind: 'help' };

  const problems: string[] = [];
  const read = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  if (values.url === undefined) problems.push('--url is required');
  const headers: Record<string, string> = {};
  for (const text of values.header) {
    const header = read(() => parseHeader(text));
    if (header === undefined) continue;
    if (header[0] in headers) problems.push(`header "${header[0]}" is given twice`);
    headers[header[0]] = header[1];
  }
  const load = {
    url: values.url ?? '',
    rate: read(() => positive('rate', values.rate, false)) ?? 0,
    durationMs: read(() => parseDuration(values.duration)) ?? 0,
    warmupMs: read(() => parseDuration(values.warmup)) ?? 0,
    headers,
    ...(values.connections === undefined
      ? {}
      : { connections: read(() => positive('connections', values.connections!, true)) ?? 1 }),
    ...(values['max-in-flight'] === undefined
      ? {}
      : {
          maxInFlight: read(() => positive('max-in-flight', values['max-in-flight']!, true)) ?? 1,
        }),
    ...(values.timeout === undefined
      ? {}
      : { timeoutMs: read(() => parseDuration(values.timeout!)) ?? 1 }),
    ...(values.method === undefined ? {} : { method: values.method.toUpperCase() }),
    ...(values.body === undefined ? {} : { body: values.body }),
  } satisfies OpenLoopOptions;

  if (values.rates === undefined) {
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return { kind: 'run', options: load, json: values.json };
  }
  const rates = values.rates
    .split(',')
    .map((text) => read(() => positive('rates', text.trim(), false)) ?? 0);
  const p99TargetMs = read(() => parseDuration(values['p99-target'], 'ms')) ?? 0;
  const settleMs = read(() => parseDuration(values.settle)) ?? 0;
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const { rate: _rate, ...rest } = load;
  return { kind: 'find', options: { ...rest, rates, p99TargetMs, settleMs }, json: values.json };
}
