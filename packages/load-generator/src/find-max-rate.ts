import { setTimeout as sleep } from 'node:timers/promises';
import { GeneratorProcess } from './generator-client';
import { planOpenLoop, type OpenLoopOptions } from './open-loop-plan';
import type { OpenLoopResult } from './open-loop-result';

export type RateSteps = number[] | { start: number; step: number; max: number };

export type FindMaxRateOptions = Omit<OpenLoopOptions, 'rate'> & {
  /** The rates to try, in order, or an arithmetic range. */
  rates: RateSteps;
  /** A step passes when its p99 latency is below this, with no errors and nothing late. */
  p99TargetMs: number;
  /** Pause between steps, so that one step's backlog does not start the next. Default 1 s. */
  settleMs?: number;
  /** Stop after the first step that fails (default), since higher rates only fail harder. */
  stopAtFirstFailure?: boolean;
};

export type RateStep = {
  rate: number;
  passed: boolean;
  /** Why the step failed, in words; empty when it passed. */
  failures: string[];
  result: OpenLoopResult;
};

export type FindMaxRateResult = {
  p99TargetMs: number;
  /** The highest rate that passed, or null when none did. */
  highestPassingRate: number | null;
  steps: RateStep[];
};

export function rateSteps(rates: RateSteps): number[] {
  const list = Array.isArray(rates)
    ? rates
    : Array.from(
        { length: Math.floor((rates.max - rates.start) / rates.step + 1e-9) + 1 },
        (_, index) => rates.start + index * rates.step,
      );
  if (list.length === 0 || list.some((rate) => !(rate > 0))) {
    throw new Error('rates must hold at least one rate, each above 0');
  }
  return list;
}

/** The reasons a step does not count as sustained, empty when it does. */
export function stepFailures(result: OpenLoopResult, p99TargetMs: number): string[] {
  const failures: string[] = [];
  if (!(result.latencyMs.p99 < p99TargetMs)) {
    failures.push(`p99 ${result.latencyMs.p99.toFixed(1)} ms ≥ ${p99TargetMs} ms`);
  }
  if (result.errors.total > 0) failures.push(`${result.errors.total} errors`);
  if (result.late > 0) failures.push(`${result.late} late`);
  if (result.completed === 0) failures.push('no answers');
  return failures;
}

/**
 * Runs the same load at each rate in turn, in one generator process, and returns every step and
 * the highest rate whose p99 stayed under the target with no errors and no late sends.
 */
export async function findMaxRate(options: FindMaxRateOptions): Promise<FindMaxRateResult> {
  const { rates, p99TargetMs, settleMs = 1_000, stopAtFirstFailure = true, ...load } = options;
  if (!(p99TargetMs > 0)) throw new Error('p99TargetMs must be above 0');
  const plans = rateSteps(rates).map((rate) => planOpenLoop({ ...load, rate }));
  const steps: RateStep[] = [];
  const generator = await GeneratorProcess.start();
  try {
    for (const [index, plan] of plans.entries()) {
      if (index > 0) await sleep(settleMs);
      const result = await generator.run(plan);
      const failures = stepFailures(result, p99TargetMs);
      steps.push({ rate: plan.rate, passed: failures.length === 0, failures, result });
      if (failures.length > 0 && stopAtFirstFailure) break;
    }
  } finally {
    await generator.close();
  }
  const passing = steps.filter((step) => step.passed).map((step) => step.rate);
  return {
    p99TargetMs,
    highestPassingRate: passing.length === 0 ? null : Math.max(...passing),
    steps,
  };
}
