/**
 * Item 1: a support agent's device search under an open-loop load (requests on a fixed
 * schedule, latency from the scheduled time) at fixed rates, and the highest rate whose p99 stays
 * under 20 ms; beside a bare node:http server making the same repo call and answering the same
 * JSON (no session, no validation, no log), under the same load.
 */
import { findMaxRate, type FindMaxRateResult, type OpenLoopResult } from '@repo/load-generator';
import { getJson, signIn } from './bench-client';
import { clean, latencies, profiled, type SectionContext } from './bench-context';
import { SUPPORT_EMAIL, TARGETS } from './bench-settings';
import { count } from './report';
import { withServers, type ServerKind } from './server-process';
import type { Question } from './support-questions';

const FIXED_RATES = [200, 500, 1_000];

/** Rates to try after the fixed ones, to find the knee more closely. */
function closerRates(fixed: FindMaxRateResult['steps']): number[] {
  const passed = fixed.filter((step) => step.passed).map((step) => step.rate);
  const failed = fixed.filter((step) => !step.passed).map((step) => step.rate);
  const low = passed.length > 0 ? Math.max(...passed) : 0;
  const high = failed.length > 0 ? Math.min(...failed) : undefined;
  if (high === undefined) return [1_500, 2_000, 2_500, 3_000, 4_000, 5_000];
  const step = (high - low) / 5;
  return [1, 2, 3, 4].map((i) => Math.round(low + i * step)).filter((rate) => rate > 0);
}

type Knee = { byRate: Map<number, OpenLoopResult>; knee: number | null };

async function measure(
  context: SectionContext,
  kind: ServerKind,
  deviceSearch: Question,
): Promise<Knee & { body: unknown }> {
  const { subject, settings } = context;
  return withServers(kind, subject.database, subject.instances, async (group) => {
    const cookie = kind === 'bff' ? await signIn(group.url, SUPPORT_EMAIL) : '';
    const body = await getJson(`${group.url}/api${deviceSearch.paths[0]}`, cookie);
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const load = {
      baseUrl: group.urls.map((url) => `${url}/api`),
      headers,
      requests: deviceSearch.paths.map((path) => ({ path })),
      durationMs: settings.durationMs,
      warmupMs: settings.warmupMs,
      p99TargetMs: TARGETS.kneeP99Ms,
    };
    const fixed = await profiled(context, group, `${kind}-fixed-rates`, () =>
      findMaxRate({ ...load, rates: FIXED_RATES, stopAtFirstFailure: false }),
    );
    const closer = await findMaxRate({ ...load, rates: closerRates(fixed.steps) });
    const passing = [...fixed.steps, ...closer.steps]
      .filter((step) => step.passed)
      .map((step) => step.rate);
    return {
      body,
      byRate: new Map(fixed.steps.map((step) => [step.rate, step.result])),
      knee: passing.length > 0 ? Math.max(...passing) : null,
    };
  });
}

export async function openLoopSection(context: SectionContext, deviceSearch: Question) {
  const { report, subject } = context;
  report.section(1, subject.name);
  const bff = await measure(context, 'bff', deviceSearch);
  const bare = await measure(context, 'bare', deviceSearch);
  if (JSON.stringify(bff.body) !== JSON.stringify(bare.body))
    throw new Error(
      'The bare server and the BFF answer differently; the comparison would mean nothing.',
    );

  for (const rate of FIXED_RATES) {
    const result = bff.byRate.get(rate)!;
    // The target for every list query is p99 under 20 ms at 500 a second.
    const judged = rate === TARGETS.listRate;
    report.add({
      item: 1,
      subject: subject.name,
      what: `device search at ${count(rate)}/s`,
      value: latencies(result),
      baseline: `bare node:http: ${latencies(bare.byRate.get(rate)!)}`,
      target: judged ? `p99 < ${TARGETS.listP99Ms} ms` : '',
      met: judged ? clean(result) && result.latencyMs.p99 < TARGETS.listP99Ms : undefined,
    });
  }
  const rateText = (knee: number | null) => (knee === null ? 'none' : `${count(knee)}/s`);
  report.add({
    item: 1,
    subject: subject.name,
    what: `highest rate with p99 < ${TARGETS.kneeP99Ms} ms`,
    value: rateText(bff.knee),
    baseline: `bare node:http: ${rateText(bare.knee)}`,
    target: '',
  });
}
