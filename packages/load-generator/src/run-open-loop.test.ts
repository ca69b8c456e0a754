import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from './run-open-loop';
import type { OpenLoopResult } from './open-loop-result';
import { blockEventLoop, countAtLeast, startTestServer, type TestServer } from './test-servers';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function measuredLatencies(result: OpenLoopResult): number[] {
  return (result.timeline ?? []).flatMap((entry) =>
    entry.latencyMs === null ? [] : [entry.latencyMs],
  );
}

describe('runOpenLoop', () => {
  it('sends rate × duration requests spread evenly over the run, with small latencies', async () => {
    const arrivals: number[] = [];
    const cookies = new Set<string | undefined>();
    server = await startTestServer((request, response) => {
      arrivals.push(performance.now());
      cookies.add(request.headers.cookie);
      response.end('ok');
    });
    const rate = 200;
    const durationMs = 1_500;
    const warmupMs = 500;
    const expected = (rate * durationMs) / 1000;

    const result = await runOpenLoop({
      url: `${server.origin}/ping`,
      headers: { cookie: 'session=abc' },
      rate,
      durationMs,
      warmupMs,
      connections: 8,
    });

    expect(result.scheduled).toBe(expected);
    expect(Math.abs(result.sent - expected)).toBeLessThanOrEqual(expected * 0.01);
    expect(result.late).toBe(0);
    expect(result.completed).toBe(result.sent);
    expect(result.errors.total).toBe(0);
    expect(cookies).toEqual(new Set(['session=abc']));
    // Warm-up requests reach the server too; they are only left out of the figures.
    expect(arrivals).toHaveLength(expected + (rate * warmupMs) / 1000);

    // Spread over the whole run, not sent in a burst: the server saw them arrive over
    // warm-up + duration, and each half of the run got about half of them.
    const span = arrivals.at(-1)! - arrivals[0]!;
    expect(span).toBeGreaterThan((warmupMs + durationMs) * 0.9);
    expect(span).toBeLessThan((warmupMs + durationMs) * 1.1);
    const middle = arrivals[0]! + span / 2;
    const firstHalf = arrivals.filter((arrival) => arrival < middle).length;
    expect(firstHalf / arrivals.length).toBeGreaterThan(0.4);
    expect(firstHalf / arrivals.length).toBeLessThan(0.6);

    expect(result.achievedRate).toBeGreaterThan(rate * 0.9);
    expect(result.achievedRate).toBeLessThan(rate * 1.1);
    // Small, with room for the hiccups of a shared two-core machine.
    expect(result.latencyMs.p50).toBeLessThan(20);
    expect(result.latencyMs.p90).toBeLessThan(50);
    expect(result.sendLagMs.p90).toBeLessThan(50);
  });

  it('counts every request due during a 300 ms server stall from its due time (no coordinated omission)', async () => {
    const rate = 400;
    const durationMs = 2_000;
    const warmupMs = 500;
    const connections = 16;
    const stallMs = 300;
    const warmupCount = (rate * warmupMs) / 1000;
    // The request due in the middle of the measured window stops the server.
    const stallIndex = warmupCount + (rate * durationMs) / 1000 / 2;
    server = await startTestServer((request, response) => {
      // The whole server stops, as in a long GC pause: nothing is read or answered until it
      // ends. Only a generator on another event loop goes on sending meanwhile.
      if (request.url === `/?i=${stallIndex}`) blockEventLoop(stallMs);
      response.end('ok');
    });

    const result = await runOpenLoop({
      baseUrl: server.origin,
      requests: (index) => ({ path: `/?i=${index}` }),
      rate,
      durationMs,
      warmupMs,
      connections,
      recordTimeline: true,
    });

    expect(result.late).toBe(0);
    expect(result.errors.total).toBe(0);
    const latencies = measuredLatencies(result);
    expect(latencies).toHaveLength(result.completed);

    expect(result.latencyMs.max).toBeGreaterThanOrEqual(stallMs - 50);
    // A request due x ms into the stall waits about 300 − x ms, so 50/300 of the ~120 requests due
    // during it wait ≥ 250 ms: 2.5 % of the run, enough to carry p99.
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(stallMs - 50);

    // The stall began when the request due at `stallStart` reached the server, no sooner.
    const timeline = result.timeline!;
    const stallStart = timeline[stallIndex - warmupCount]!.scheduledAtMs;
    const dueBetween = (from: number, to: number) =>
      timeline.filter((entry) => entry.scheduledAtMs >= from && entry.scheduledAtMs < to);

    // The requests due during the stall were sent on time (sends keep their order, so each reached
    // the server after the one that stopped it) and none ended before the stall did: each waited
    // the rest of the stall, 300 − x ms for one due x ms into it.
    const dueDuringStall = dueBetween(stallStart, stallStart + stallMs - 20);
    expect(dueDuringStall.length).toBeGreaterThan(rate * 0.25);
    const endedAfterStall = dueDuringStall.filter(
      (entry) => entry.scheduledAtMs + entry.latencyMs! >= stallStart + stallMs - 5,
    );
    expect(endedAfterStall.length / dueDuringStall.length).toBeGreaterThan(0.95);

    // Hence the number waiting at least L ms is about rate × (300 − L) ms: of the ~rate × 0.3
    // requests due during the stall, those due in its first 300 − L ms. A closed-loop client
    // would have had at most `connections` requests out when the stall began, and sent nothing
    // more until it ended. The lower bounds are what a client that omits requests would miss.
    // Above, the stall lasts as long as the server takes to answer everything held up by it,
    // which on a busy machine can be well past 300 ms.
    const heldUntil = Math.max(
      ...dueDuringStall.map((entry) => entry.scheduledAtMs + entry.latencyMs!),
    );
    const latenciesAroundStall = dueBetween(stallStart - 100, heldUntil + 100).map(
      (entry) => entry.latencyMs!,
    );
    for (const threshold of [50, 150, 250]) {
      const expected = (rate * (stallMs - threshold)) / 1000;
      const atMost = (rate * (heldUntil - stallStart - threshold)) / 1000 + rate * 0.05 + 5;
      const waited = countAtLeast(latenciesAroundStall, threshold);
      const label = `requests waiting ≥ ${threshold} ms, expected about ${expected}`;
      expect(waited, label).toBeGreaterThanOrEqual(expected - rate * 0.03 - 5);
      expect(waited, label).toBeLessThanOrEqual(atMost);
    }
    expect(countAtLeast(latencies, 50)).toBeGreaterThan(3 * connections);
  });

  it('counts answers outside 2xx/3xx by status, timeouts, and closed connections', async () => {
    server = await startTestServer((request, response) => {
      if (request.url === '/fail') {
        response.statusCode = 500;
        response.end('boom');
      } else if (request.url === '/close') {
        request.socket.destroy();
      } else if (request.url === '/hang') {
        // never answers
      } else if (request.url === '/moved') {
        response.writeHead(302, { location: '/ok' }).end();
      } else {
        response.end('ok');
      }
    });
    const paths = ['/ok', '/fail', '/close', '/hang', '/moved'];
    const rate = 50;
    const durationMs = 1_000;
    const warmupMs = 200;
    // Long enough that only the requests left hanging on purpose time out, even on a busy machine.
    const timeoutMs = 1_500;
    const warmupCount = (rate * warmupMs) / 1000;
    const measuredPaths = Array.from(
      { length: (rate * durationMs) / 1000 },
      (_, offset) => paths[(warmupCount + offset) % paths.length],
    );
    const expected = (path: string) => measuredPaths.filter((each) => each === path).length;

    const result = await runOpenLoop({
      baseUrl: server.origin,
      requests: paths.map((path) => ({ method: 'GET', path })),
      rate,
      durationMs,
      warmupMs,
      timeoutMs,
    });

    expect(result.late).toBe(0);
    expect(result.sent).toBe(measuredPaths.length);
    expect(result.errors.status).toEqual({ '500': expected('/fail') });
    expect(result.errors.timeout).toBe(expected('/hang'));
    expect(result.errors.connection).toBe(expected('/close'));
    expect(result.errors.total).toBe(expected('/fail') + expected('/hang') + expected('/close'));
    // A redirect is an answer, not an error; the generator does not follow it.
    expect(result.completed).toBe(expected('/ok') + expected('/fail') + expected('/moved'));
    // Timed-out requests stay in the latency figures, at the time they were abandoned.
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(timeoutMs);
  });

  it('counts refused connections as connection errors', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();

    const result = await runOpenLoop({
      url: `${closed.origin}/`,
      rate: 50,
      durationMs: 400,
      timeoutMs: 1_000,
    });

    expect(result.sent).toBe(20);
    expect(result.completed).toBe(0);
    expect(result.errors.connection).toBe(20);
    expect(result.errors.connectionByCode).toEqual({ ECONNREFUSED: 20 });
  });

  it('does not send requests due while maxInFlight are unanswered, and counts them as late', async () => {
    const answerAfterMs = 200;
    server = await startTestServer((_request, response) => {
      setTimeout(() => response.end('ok'), answerAfterMs);
    });
    const rate = 100;
    const durationMs = 1_000;
    const maxInFlight = 4;

    const result = await runOpenLoop({
      url: `${server.origin}/`,
      rate,
      durationMs,
      maxInFlight,
    });

    expect(result.sent + result.late).toBe(result.scheduled);
    // Each answer takes 200 ms, so at most 4 requests go out per 200 ms: about a fifth of those due.
    expect(result.sent).toBeLessThanOrEqual((durationMs / answerAfterMs + 1) * maxInFlight);
    expect(result.late).toBeGreaterThan(result.scheduled / 2);
    expect(result.completed).toBe(result.sent);
    expect(result.errors.total).toBe(0);
  });

  it('spreads requests round-robin over several base URLs, as a load balancer would', async () => {
    const seen: string[][] = [[], []];
    const servers = await Promise.all(
      seen.map((paths) =>
        startTestServer((request, response) => {
          paths.push(request.url ?? '');
          response.end('ok');
        }),
      ),
    );
    try {
      const result = await runOpenLoop({
        baseUrl: servers.map((each) => `${each.origin}/api`),
        requests: (index) => ({ path: `/item/${index}` }),
        rate: 100,
        durationMs: 400,
      });
      expect(result.completed).toBe(40);
      expect(result.errors.total).toBe(0);
      const expected = (parity: number) =>
        Array.from({ length: 20 }, (_, i) => `/api/item/${2 * i + parity}`);
      expect(seen[0]!.sort()).toEqual(expected(0).sort());
      expect(seen[1]!.sort()).toEqual(expected(1).sort());
    } finally {
      await Promise.all(servers.map((each) => each.close()));
    }
  });
});
