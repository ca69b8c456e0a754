import type { LatencySummary } from './latency-histogram';

export type RequestOutcome = 'ok' | 'status' | 'timeout' | 'connection' | 'late';

/** One measured request, in schedule order. */
export type TimelineEntry = {
  /** When the request was due, in ms after the start of the measured window. */
  scheduledAtMs: number;
  /** From the scheduled time to the end of the answer (or to the timeout); null if it never ended so. */
  latencyMs: number | null;
  outcome: RequestOutcome;
  status?: number;
};

export type OpenLoopErrors = {
  total: number;
  /** Answers outside 2xx/3xx, by status code. */
  status: Record<string, number>;
  timeout: number;
  connection: number;
  /** Connection errors by their code (ECONNREFUSED, UND_ERR_SOCKET, …). */
  connectionByCode: Record<string, number>;
};

/** Counts cover the measured window only; warm-up requests are sent but not counted. */
export type OpenLoopResult = {
  rate: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
  maxInFlight: number;
  /** Requests due in the measured window: rate × duration. Always `sent + late`. */
  scheduled: number;
  sent: number;
  /** Requests that got an answer, whatever its status. */
  completed: number;
  /** Requests not sent because `maxInFlight` requests were unanswered when they were due. */
  late: number;
  /** Requests sent while every connection was busy: they waited in the pool for one. */
  queuedForConnection: number;
  errors: OpenLoopErrors;
  /** Answers per second, from the start of the measured window to its last answer. */
  achievedRate: number;
  /** From each request's scheduled send time to the end of its answer; timeouts count at the moment they were abandoned. */
  latencyMs: LatencySummary;
  /** How late the generator handed requests to the connection pool, against the schedule. */
  sendLagMs: LatencySummary;
  /** CPU time the generator process used during the run, in % of one core. */
  generatorCpuPercent: number;
  timeline?: TimelineEntry[];
};
