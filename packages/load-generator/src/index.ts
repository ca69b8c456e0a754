export { runOpenLoop } from './run-open-loop';
export {
  findMaxRate,
  rateSteps,
  stepFailures,
  type FindMaxRateOptions,
  type FindMaxRateResult,
  type RateStep,
  type RateSteps,
} from './find-max-rate';
export {
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_TIMEOUT_MS,
  type OpenLoopOptions,
  type RequestSource,
  type RequestSpec,
} from './open-loop-plan';
export type {
  OpenLoopErrors,
  OpenLoopResult,
  RequestOutcome,
  TimelineEntry,
} from './open-loop-result';
export type { LatencySummary } from './latency-histogram';
export { formatRunSummary, formatStepSummary } from './summary-line';
