import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { findMaxRate, rateSteps, stepFailures } from './find-max-rate';
import type { OpenLoopResult } from './open-loop-result';
import { startTestServer, type TestServer } from './test-servers';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('findMaxRate', () => {
  it('returns the highest step below the rate at which a one-at-a-time server saturates', async () => {
    // One request at a time, each answered 5 ms after the server turns to it: the server can
    // answer at most 200 per second, fewer if its timers fire late. Past that the queue, and the
    // latency, grow for as long as the step lasts. Timers rather than a busy loop, so that the
    // light steps do not depend on how much CPU this shared machine lends the server.
    const serviceMs = 5;
    const capacity = 1000 / serviceMs;
    const waiting: ServerResponse[] = [];
    let serving = false;
    const serveNext = () => {
      const response = waiting.shift();
      serving = response !== undefined;
      if (response === undefined) return;
      setTimeout(() => {
        response.end('ok');
        serveNext();
      }, serviceMs);
    };
    server = await startTestServer((_request, response) => {
      waiting.push(response);
      if (!serving) serveNext();
    });
    const rates = [capacity * 0.2, capacity * 0.4, capacity * 1.5];
    // Far above what the light steps need (about 7 ms) and far below what 1.5 × capacity costs
    // (hundreds of ms), so that a hiccup of this shared machine does not decide the outcome.
    const p99TargetMs = 100;

    const found = await findMaxRate({
      url: `${server.origin}/`,
      rates,
      p99TargetMs,
      durationMs: 1_000,
      warmupMs: 300,
      settleMs: 300,
      // Run every step even if a light one trips over a hiccup of this shared machine.
      stopAtFirstFailure: false,
    });

    expect(found.steps.map((step) => step.rate)).toEqual(rates);
    const overloaded = found.steps.at(-1)!;
    expect(overloaded.passed).toBe(false);
    expect(overloaded.result.latencyMs.p99).toBeGreaterThan(p99TargetMs);
    // The server cannot answer faster than its capacity, whatever the generator sends.
    expect(overloaded.result.achievedRate).toBeLessThan(capacity * 1.1);

    // The answer is the highest step that passed by its own figures, below capacity.
    const passed = found.steps.filter(
      (step) => stepFailures(step.result, p99TargetMs).length === 0,
    );
    expect(passed.length).toBeGreaterThan(0);
    expect(found.highestPassingRate).toBe(Math.max(...passed.map((step) => step.rate)));
    expect(found.highestPassingRate!).toBeLessThan(capacity);
  });

  it('stops at the first step that fails', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();

    const found = await findMaxRate({
      url: `${closed.origin}/`,
      rates: [50, 100],
      p99TargetMs: 20,
      durationMs: 200,
      settleMs: 0,
    });

    expect(found.steps).toHaveLength(1);
    expect(found.steps[0]!.failures).toContain('10 errors');
    expect(found.highestPassingRate).toBeNull();
  });
});

describe('rateSteps', () => {
  it('expands a start/step/max range, including max', () => {
    expect(rateSteps({ start: 200, step: 300, max: 1_100 })).toEqual([200, 500, 800, 1_100]);
    expect(rateSteps({ start: 200, step: 300, max: 1_000 })).toEqual([200, 500, 800]);
  });

  it('refuses an empty list and rates that are not above 0', () => {
    expect(() => rateSteps([])).toThrow(/at least one rate/);
    expect(() => rateSteps([100, 0])).toThrow(/above 0/);
  });
});

describe('stepFailures', () => {
  const passing = {
    completed: 100,
    late: 0,
    errors: { total: 0 },
    latencyMs: { p99: 12 },
  } as OpenLoopResult;

  it('passes a step under the target with no errors and nothing late', () => {
    expect(stepFailures(passing, 20)).toEqual([]);
  });

  it('fails a step on p99, errors or late sends, saying which', () => {
    expect(stepFailures({ ...passing, latencyMs: { ...passing.latencyMs, p99: 20 } }, 20)).toEqual([
      'p99 20.0 ms ≥ 20 ms',
    ]);
    expect(
      stepFailures({ ...passing, late: 3, errors: { ...passing.errors, total: 2 } }, 20),
    ).toEqual(['2 errors', '3 late']);
  });
});
