import type { RateStep } from './find-max-rate';
import type { OpenLoopResult } from './open-loop-result';

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const seconds = (milliseconds: number) => `${+(milliseconds / 1000).toFixed(3)}s`;

function errorsText(result: OpenLoopResult): string {
  const { errors } = result;
  if (errors.total === 0) return 'errors 0';
  const kinds = [
    ...Object.entries(errors.status).map(([status, count]) => `${status}×${count}`),
    ...(errors.timeout > 0 ? [`timeout×${errors.timeout}`] : []),
    ...Object.entries(errors.connectionByCode).map(([code, count]) => `${code}×${count}`),
  ];
  return `errors ${errors.total} (${kinds.join(', ')})`;
}

/** One line that says what was asked, what was sent, and what the requests waited. */
export function formatRunSummary(result: OpenLoopResult): string {
  const { latencyMs: latency } = result;
  const queued =
    result.queuedForConnection > 0 ? `, ${result.queuedForConnection} waited for a connection` : '';
  return (
    `${result.rate}/s for ${seconds(result.durationMs)}: sent ${result.sent}/${result.scheduled}, ` +
    `late ${result.late}, completed ${result.completed}, ${errorsText(result)}, ` +
    `achieved ${result.achievedRate.toFixed(1)}/s | latency ms p50 ${ms(latency.p50)} ` +
    `p90 ${ms(latency.p90)} p99 ${ms(latency.p99)} p99.9 ${ms(latency.p999)} ` +
    `max ${ms(latency.max)} mean ${ms(latency.mean)} | send lag p99 ${ms(result.sendLagMs.p99)} ms, ` +
    `generator CPU ${Math.round(result.generatorCpuPercent)}%${queued}`
  );
}

export function formatStepSummary(step: RateStep): string {
  const verdict = step.passed ? 'pass' : `FAIL (${step.failures.join(', ')})`;
  return `${verdict}: ${formatRunSummary(step.result)}`;
}
