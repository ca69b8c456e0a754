/** What every part of the bench agrees on: who is searched, who signs in, the targets. */

/** The organisation whose purchases support searches: acme holds about 620,000 of the million. */
export const BENCH_ORGANISATION_ID = 'org_acme';
export const SUPPORT_EMAIL = 'support@acme.example';
export const OPERATOR_EMAIL = 'operator@acme.example';
/** The BFF's test-mode webhook secret in the bench, with which the bench signs Stripe's events. */
export const BENCH_WEBHOOK_SECRET = 'whsec_bench';

/** The targets, one place for all the figures that are judged against them. */
export const TARGETS = {
  /** Every list query's p99 at `listRate` requests a second. */
  listP99Ms: 20,
  listRate: 500,
  /** The knee: the highest rate whose p99 stays under this. */
  kneeP99Ms: 20,
  csvRowsPerSecond: 50_000,
  /** BFF throughput / Express alone doing the same work. */
  frameworkRatio: 0.75,
  webhookEventsPerSecond: 1_000,
  /** Webhook fulfilment / a raw insert loop of the same rows. */
  webhookRatio: 0.25,
  lcpMs: 1_000,
} as const;
