import { setTimeout as sleep } from 'node:timers/promises';
import {
  deviceJobSchema,
  errorBodySchema,
  type DeviceJob,
  type DeviceJobReport,
} from '@repo/schemas';

export type SimulatedDevice = { id: string; token: string };

export type SimulatorOptions = {
  /** Where the BFF listens, e.g. http://localhost:3000. */
  baseUrl: string;
  devices: SimulatedDevice[];
  /** Time each step of an install takes (each quarter of the download, then the install). */
  stepMs: number;
  /** How long an idle device waits before it asks for work again. */
  pollMs: number;
  /** The share of installs that fail, from 0 to 1. */
  failureRate: number;
  /**
   * Draws the failures from a generator of its own per device, seeded with this and the
   * device's ID: the same devices fail the same installs on every run, whatever the timing.
   */
  seed?: number;
  /** Devices whose every install fails halfway through the download, whatever the rate. */
  failDevices?: ReadonlySet<string>;
  /** Stop each device once it has no work left, instead of polling forever. */
  untilIdle?: boolean;
  signal?: AbortSignal;
  random?: () => number;
  log?: (line: string) => void;
};

export type SimulatorSummary = { succeeded: number; failed: number; dropped: number };

/** The reason a device of `failDevices` reports. */
export const TOLD_TO_FAIL = 'Simulated failure: this device was told to fail.';

/** mulberry32, seeded: small, fast and the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The draws of one device in a seeded run: a generator seeded with the run's seed mixed with the
 * device's ID (FNV-1a), so that what a device draws does not depend on the other devices.
 */
export function seededDrawsOf(seed: number, deviceId: string): () => number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < deviceId.length; i += 1) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return seededRandom(hash >>> 0);
}

const FAILURES = [
  'Checksum mismatch after download.',
  'Not enough storage on the device.',
  'The package did not start after installing.',
];

class JobMovedOn extends Error {}
class TokenRefused extends Error {}

/**
 * Plays devices against the device API as real ones would: poll for the next job, download it in
 * steps, install it, and report each step. A job cancelled meanwhile answers 409 and is dropped.
 */
export async function simulateDevices(options: SimulatorOptions): Promise<SimulatorSummary> {
  const { baseUrl, stepMs, pollMs, failureRate, signal } = options;
  const randomFor = (deviceId: string) =>
    options.random ??
    (options.seed === undefined ? Math.random : seededDrawsOf(options.seed, deviceId));
  const log = options.log ?? (() => {});
  const summary: SimulatorSummary = { succeeded: 0, failed: 0, dropped: 0 };

  async function call(device: SimulatedDevice, path: string, body?: DeviceJobReport) {
    const res = await fetch(new URL(`/device-api/v1${path}`, baseUrl), {
      method: body ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${device.token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal,
    }).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(`cannot reach ${baseUrl}${code ? ` (${code})` : ''}`);
    });
    if (res.status === 409) throw new JobMovedOn();
    if (res.status === 401) throw new TokenRefused();
    if (!res.ok) {
      const problem = errorBodySchema.safeParse(await res.json().catch(() => null));
      throw new Error(
        `${device.id}: ${res.status} ${problem.success ? problem.data.error.message : res.statusText}`,
      );
    }
    return res.status === 204 ? null : deviceJobSchema.parse(await res.json());
  }

  async function work(device: SimulatedDevice, job: DeviceJob, random: () => number) {
    const label = `${device.id} · ${job.itemId} ${job.version}`;
    const report = (r: DeviceJobReport) => call(device, `/jobs/${job.id}/status`, r);
    const toldToFail = options.failDevices?.has(device.id) ?? false;
    const failAt = toldToFail ? 2 : random() < failureRate ? Math.floor(random() * 5) : -1;
    try {
      // A device finishes what it is doing before it starts a download; the job waits as sent.
      await sleep(stepMs, undefined, { signal });
      for (let step = 0; step <= 4; step += 1) {
        if (step === failAt) {
          const error = toldToFail
            ? TOLD_TO_FAIL
            : FAILURES[Math.floor(random() * FAILURES.length)]!;
          await report({ status: 'failed', error });
          summary.failed += 1;
          log(`${label} · failed: ${error}`);
          return;
        }
        const progress = step * 25;
        await report({ status: 'downloading', progress });
        log(`${label} · downloading ${progress}%`);
        await sleep(stepMs, undefined, { signal });
      }
      await report({ status: 'installing' });
      log(`${label} · installing`);
      await sleep(stepMs, undefined, { signal });
      await report({ status: 'succeeded' });
      summary.succeeded += 1;
      log(`${label} · succeeded`);
    } catch (error) {
      if (!(error instanceof JobMovedOn)) throw error;
      summary.dropped += 1;
      log(`${label} · dropped: the job was cancelled or moved on`);
    }
  }

  async function play(device: SimulatedDevice) {
    const random = randomFor(device.id);
    while (!signal?.aborted) {
      try {
        const job = await call(device, '/jobs/next');
        if (job) await work(device, job, random);
        else if (options.untilIdle) return;
        else await sleep(pollMs, undefined, { signal });
      } catch (error) {
        if (signal?.aborted) return;
        if (error instanceof TokenRefused) {
          log(
            `${device.id} · token refused; is this the seeded demo database? Stopping this device.`,
          );
          return;
        }
        // A real device outlives a restart of the server: it waits and asks again.
        log(`${device.id} · ${error instanceof Error ? error.message : String(error)}; retrying`);
        await sleep(pollMs, undefined, { signal }).catch(() => {});
      }
    }
  }

  await Promise.all(options.devices.map(play));
  return summary;
}
