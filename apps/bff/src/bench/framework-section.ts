/**
 * Item 3: what the framework and its middleware cost. The BFF (helmet, request log, session,
 * CSRF, the signed-in user, zod) beside Express 5 alone doing the same work on the same route
 * (zod, the repo call, res.json), each at saturation: a closed loop keeps 32 requests in flight
 * per instance, so throughput is what the server can do, and the server's CPU time per request
 * says the same thing without the load generator's share of the machine.
 */
import autocannon from 'autocannon';
import { getJson, signIn } from './bench-client';
import { profiled, type SectionContext } from './bench-context';
import { SUPPORT_EMAIL, TARGETS } from './bench-settings';
import { count } from './report';
import { withServers, type ServerGroup, type ServerKind } from './server-process';
import type { Question } from './support-questions';

const CONNECTIONS = 32;
const WARMUP_SECONDS = 3;

type Saturation = { requestsPerSecond: number; cpuMicroseconds: number; body: unknown };

/** One autocannon per instance, at the same time, each cycling through the search's paths. */
async function saturate(group: ServerGroup, paths: string[], cookie: string, seconds: number) {
  const runs = await Promise.all(
    group.urls.map((url) =>
      autocannon({
        url,
        connections: CONNECTIONS,
        // On a busy shared machine an answer may take longer than autocannon's 10 s default.
        timeout: 60,
        duration: seconds,
        headers: cookie ? { cookie } : {},
        requests: paths.map((path) => ({ method: 'GET', path: `/api${path}` })),
      }),
    ),
  );
  for (const run of runs) {
    if (run.non2xx > 0 || run.errors > 0 || run.timeouts > 0)
      throw new Error(
        `${run.non2xx} non-2xx answers, ${run.errors} errors, ${run.timeouts} timeouts.`,
      );
  }
  return {
    requests: runs.reduce((sum, run) => sum + run.requests.total, 0),
    requestsPerSecond: runs.reduce((sum, run) => sum + run.requests.average, 0),
  };
}

async function measure(
  context: SectionContext,
  kind: ServerKind,
  search: Question,
): Promise<Saturation> {
  const { subject, settings } = context;
  return withServers(kind, subject.database, subject.instances, async (group) => {
    const cookie = kind === 'bff' ? await signIn(group.url, SUPPORT_EMAIL) : '';
    const body = await getJson(`${group.url}/api${search.paths[0]}`, cookie);
    await saturate(group, search.paths, cookie, WARMUP_SECONDS);
    const cpuBefore = group.cpuSeconds();
    const seconds = Math.max(3, Math.round(settings.durationMs / 1000));
    const run = await profiled(context, group, `${kind}-saturation`, () =>
      saturate(group, search.paths, cookie, seconds),
    );
    return {
      body,
      requestsPerSecond: run.requestsPerSecond,
      cpuMicroseconds: ((group.cpuSeconds() - cpuBefore) * 1e6) / run.requests,
    };
  });
}

export async function frameworkSection(context: SectionContext, search: Question) {
  const { report, subject } = context;
  report.section(3, subject.name);
  const bff = await measure(context, 'bff', search);
  const alone = await measure(context, 'express', search);
  if (JSON.stringify(bff.body) !== JSON.stringify(alone.body))
    throw new Error(
      'Express alone and the BFF answer differently; the comparison would mean nothing.',
    );
  const ratio = bff.requestsPerSecond / alone.requestsPerSecond;
  const figures = (s: Saturation) =>
    `${count(s.requestsPerSecond)} req/s, ${count(s.cpuMicroseconds)} µs CPU/request`;
  report.add({
    item: 3,
    subject: subject.name,
    what: `${search.label} at saturation (${CONNECTIONS} in flight per instance)`,
    value: `BFF ${figures(bff)}: ${ratio.toFixed(2)} of Express alone`,
    baseline: `Express 5 alone, same work: ${figures(alone)}`,
    target: `≥ ${TARGETS.frameworkRatio.toFixed(2)} of Express alone`,
    met: ratio >= TARGETS.frameworkRatio,
  });
}
