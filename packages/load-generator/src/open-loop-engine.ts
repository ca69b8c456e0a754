import { Pool } from 'undici';
import { LatencyHistogram } from './latency-histogram';
import type { OpenLoopPlan } from './open-loop-plan';
import type { OpenLoopErrors, OpenLoopResult, TimelineEntry } from './open-loop-result';

/**
 * Runs a plan on this process's event loop; `runOpenLoop` calls it inside the generator process.
 *
 * Request i is due at start + i / rate whatever happened to the requests before it. Each tick
 * sends every request that is due and sleeps until the next one: a timer, not a busy loop, so
 * the generator leaves the CPU to the server between sends (the price is up to about 1 ms of
 * timer slack, which shows in `sendLagMs` and is included in every latency).
 *
 * undici rather than node:http: both are measured the same way (from the due time), so they are
 * equally precise about the schedule; what differs is the CPU the generator takes from a server
 * on the same machine. On the two-core machines here, at a few thousand requests per second,
 * undici's Pool used about 30 % of a core where http.request with a keep-alive Agent used 40–50 %
 * (at a few hundred per second they cost about the same). The Pool also says plainly what we
 * want: a fixed number of keep-alive connections, pipelining 1 (one request per connection at a
 * time, as a browser does over HTTP/1.1), the rest queued in order.
 */
export async function executePlan(plan: OpenLoopPlan): Promise<OpenLoopResult> {
  const pools = plan.origins.map(
    (origin) =>
      new Pool(origin, {
        connections: plan.connections,
        pipelining: 1,
        connect: { timeout: plan.timeoutMs },
      }),
  );
  const connections = plan.connections * pools.length;
  const intervalMs = 1000 / plan.rate;
  const total = plan.warmupCount + plan.measuredCount;
  const latency = new LatencyHistogram();
  const sendLag = new LatencyHistogram();
  const errors: OpenLoopErrors = {
    total: 0,
    status: {},
    timeout: 0,
    connection: 0,
    connectionByCode: {},
  };
  const timeline: TimelineEntry[] | undefined = plan.recordTimeline ? [] : undefined;
  let sent = 0;
  let completed = 0;
  let late = 0;
  let queuedForConnection = 0;
  let inFlight = 0;
  let lastMeasuredEnd = 0;
  let onIdle: (() => void) | undefined;

  // CPU is counted from the first measured request: warm-up pays for connecting and compiling.
  let cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const measuredFrom = startedAt + plan.warmupCount * intervalMs;

  const requestFor = (index: number) => {
    const entry = plan.order === null ? index % plan.requests.length : plan.order[index]!;
    return plan.requests[entry]!;
  };

  const send = (index: number, dueAt: number) => {
    const measured = index >= plan.warmupCount;
    if (index === plan.warmupCount && index > 0) cpuBefore = process.cpuUsage();
    const entry: TimelineEntry | undefined =
      measured && timeline !== undefined
        ? { scheduledAtMs: dueAt - measuredFrom, latencyMs: null, outcome: 'late' }
        : undefined;
    if (entry !== undefined) timeline!.push(entry);

    if (inFlight >= plan.maxInFlight) {
      if (measured) late += 1;
      return;
    }
    inFlight += 1;
    if (measured) {
      sent += 1;
      if (inFlight > connections) queuedForConnection += 1;
      sendLag.recordMs(performance.now() - dueAt);
    }

    const request = requestFor(index);
    const signal = AbortSignal.timeout(plan.timeoutMs);
    pools[index % pools.length]!.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      signal,
    })
      .then(async (response) => {
        // Read the whole body: users wait for all of it, and a half-read answer would cost the
        // connection. The limit only stops undici from closing the socket on large bodies.
        await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
        return response.statusCode;
      })
      .then(
        (status) => {
          if (!measured) return;
          const endedAt = performance.now();
          completed += 1;
          latency.recordMs(endedAt - dueAt);
          lastMeasuredEnd = Math.max(lastMeasuredEnd, endedAt);
          const failed = status < 200 || status >= 400;
          if (failed) {
            errors.total += 1;
            errors.status[status] = (errors.status[status] ?? 0) + 1;
          }
          if (entry !== undefined) {
            entry.latencyMs = endedAt - dueAt;
            entry.outcome = failed ? 'status' : 'ok';
            entry.status = status;
          }
        },
        (error: unknown) => {
          if (!measured) return;
          const endedAt = performance.now();
          errors.total += 1;
          if (signal.aborted) {
            // Abandoned, not answered: the user waited at least this long, so it stays in the tail.
            errors.timeout += 1;
            latency.recordMs(endedAt - dueAt);
            lastMeasuredEnd = Math.max(lastMeasuredEnd, endedAt);
            if (entry !== undefined) {
              entry.latencyMs = endedAt - dueAt;
              entry.outcome = 'timeout';
            }
          } else {
            errors.connection += 1;
            const code = errorCode(error);
            errors.connectionByCode[code] = (errors.connectionByCode[code] ?? 0) + 1;
            if (entry !== undefined) entry.outcome = 'connection';
          }
        },
      )
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) onIdle?.();
      });
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && startedAt + next * intervalMs <= now) {
        send(next, startedAt + next * intervalMs);
        next += 1;
      }
      if (next >= total) {
        resolve();
        return;
      }
      setTimeout(tick, startedAt + next * intervalMs - performance.now());
    };
    tick();
  });
  const scheduleEnd = performance.now();
  if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - Math.min(measuredFrom, scheduleEnd);
  await Promise.all(pools.map((pool) => pool.destroy()));

  const measuredSeconds = (Math.max(lastMeasuredEnd, scheduleEnd) - measuredFrom) / 1000;
  return {
    rate: plan.rate,
    durationMs: plan.durationMs,
    warmupMs: plan.warmupMs,
    connections: plan.connections,
    maxInFlight: plan.maxInFlight,
    scheduled: plan.measuredCount,
    sent,
    completed,
    late,
    queuedForConnection,
    errors,
    achievedRate: measuredSeconds > 0 ? completed / measuredSeconds : 0,
    latencyMs: latency.summary(),
    sendLagMs: sendLag.summary(),
    generatorCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    ...(timeline === undefined ? {} : { timeline }),
  };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}
