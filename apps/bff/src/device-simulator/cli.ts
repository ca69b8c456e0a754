import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { normaliseDeviceId } from '@repo/domain';
import { demoDeviceIds, demoDeviceToken } from '../db/seed';
import { simulateDevices } from './simulator';

const USAGE = `Plays seeded demo devices against the BFF's device API.

  pnpm simulate:devices [options]

  --url <url>            where the product runs (default http://localhost:$PORT, PORT defaults to 3000)
  --org <slug>           play the devices of one organisation: acme or globex (default: both)
  --devices <ids>        comma-separated device IDs to play instead (in any case)
  --count <n>            play only the first n devices
  --step-ms <ms>         time per install step (default 1000)
  --poll-ms <ms>         time between polls of an idle device (default 2000)
  --failure-rate <0..1>  share of installs that fail (default 0.1)
  --seed <n>             draw the failures from this seed: the same devices fail on every run
  --fail-devices <ids>   comma-separated device IDs whose every install fails (in any case),
                         e.g. to trip a rollout's error threshold on purpose
  --until-idle           stop each device once it has no work left (a rollout's later phases
                         have none yet: leave it out to play a fleet through a rollout)
`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    org: { type: 'string' },
    devices: { type: 'string' },
    count: { type: 'string' },
    'step-ms': { type: 'string', default: '1000' },
    'poll-ms': { type: 'string', default: '2000' },
    'failure-rate': { type: 'string', default: '0.1' },
    seed: { type: 'string' },
    'fail-devices': { type: 'string' },
    'until-idle': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const number = (name: string, value: string | undefined, min: number, max: number) => {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed < min || parsed > max)
    fail(`--${name} must be a number from ${min} to ${max}.`);
  return parsed;
};

let ids = values.devices
  ? values.devices.split(',').map(normaliseDeviceId).filter(Boolean)
  : demoDeviceIds(values.org);
if (ids.length === 0) fail(`No seeded organisation is called "${values.org}".`);
if (values.count !== undefined) ids = ids.slice(0, number('count', values.count, 1, 100_000));

const baseUrl = values.url ?? `http://localhost:${process.env.PORT ?? 3000}`;
const controller = new AbortController();
// Every request listens to the signal, and fetch lets go of a request's listener only once the
// request is garbage collected: a fleet polling for hours passes any fixed limit.
setMaxListeners(0, controller.signal);
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

console.log(`Playing ${ids.length} device(s) against ${baseUrl}. Ctrl+C stops.`);
const summary = await simulateDevices({
  baseUrl,
  devices: ids.map((id) => ({ id, token: demoDeviceToken(id) })),
  stepMs: number('step-ms', values['step-ms'], 0, 600_000),
  pollMs: number('poll-ms', values['poll-ms'], 10, 600_000),
  failureRate: number('failure-rate', values['failure-rate'], 0, 1),
  seed: values.seed === undefined ? undefined : number('seed', values.seed, 0, 2 ** 32 - 1),
  failDevices: new Set(
    (values['fail-devices'] ?? '').split(',').map(normaliseDeviceId).filter(Boolean),
  ),
  untilIdle: values['until-idle'],
  signal: controller.signal,
  log: (line) => console.log(line),
});
console.log(
  `Done: ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.dropped} dropped.`,
);
