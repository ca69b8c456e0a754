/**
 * Item 4: Stripe delivering `checkout.session.completed` for 3-device baskets, signed, as fast
 * as the BFF fulfils them (32 deliveries in flight per instance), counted end to end: every
 * session fulfilled with its three purchases and entitlements, checked in the database after.
 * Beside it, a raw insert loop of the same rows. On a fresh database, so that the large one
 * keeps its history.
 */
import autocannon from 'autocannon';
import { withBaselines } from './baseline-process';
import type { SectionContext } from './bench-context';
import { profiled } from './bench-context';
import { TARGETS } from './bench-settings';
import { count, ms } from './report';
import { withServers } from './server-process';
import {
  createScratchDatabase,
  fulfilment,
  prepareBaskets,
  signedEvents,
} from './webhook-fixtures';

const CONNECTIONS = 32;

export async function webhookSection(context: SectionContext, events: number) {
  const { report, subject } = context;
  report.section(4, subject.name);
  const scratch = await createScratchDatabase(subject.database, 'webhooks');
  try {
    const delivered = await prepareBaskets(scratch.where, events, 'HOOK');
    const raw = await prepareBaskets(scratch.where, Math.ceil(events / 2), 'RAW');
    report.note(`${count(delivered.length + raw.length)} open checkout sessions prepared`);

    const run = await withServers('bff', scratch.where, subject.instances, async (group) => {
      // Signed just before they are sent: Stripe's signatures are good for five minutes.
      const signed = signedEvents(delivered);
      let next = 0;
      const started = performance.now();
      const runs = await profiled(context, group, 'webhooks', () =>
        Promise.all(
          group.urls.map((url, index) =>
            autocannon({
              url,
              connections: CONNECTIONS,
              // On a busy shared machine an answer may take longer than autocannon's 10 s default.
              timeout: 60,
              // Each instance gets its share; together they deliver every event once.
              amount:
                Math.floor(signed.length / group.urls.length) +
                (index < signed.length % group.urls.length ? 1 : 0),
              requests: [
                {
                  method: 'POST',
                  path: '/api/webhooks/stripe/test',
                  setupRequest: (request) => {
                    const event = signed[next++]!;
                    return {
                      ...request,
                      headers: {
                        'content-type': 'application/json',
                        'stripe-signature': event.signature,
                      },
                      body: event.body,
                    };
                  },
                },
              ],
            }),
          ),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      for (const result of runs) {
        if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
          throw new Error(
            `Webhooks: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts.`,
          );
      }
      const p99 = Math.max(...runs.map((result) => result.latency.p99));
      const p50 = Math.max(...runs.map((result) => result.latency.p50));
      return { seconds, p50, p99 };
    });
    const done = await fulfilment(scratch.where, delivered);
    if (done.sessions !== delivered.length || done.purchases !== delivered.length * 3)
      throw new Error(
        `Webhooks: ${done.sessions} of ${delivered.length} sessions fulfilled, ${done.purchases} purchases.`,
      );

    const baseline = await withBaselines(scratch.where, (baselines) =>
      baselines.run({ type: 'raw-fulfilment', checkoutSessionIds: raw }),
    );
    const eventsPerSecond = delivered.length / run.seconds;
    const ratio = eventsPerSecond / baseline.eventsPerSecond;
    report.add({
      item: 4,
      subject: subject.name,
      what: `events fulfilled end to end (${count(delivered.length)} events, ${CONNECTIONS} in flight per instance)`,
      value: `${count(eventsPerSecond)} events/s, ${Math.round(ratio * 100)} % of the raw loop; answer p50 ${ms(run.p50)} · p99 ${ms(run.p99)} ms`,
      baseline: `raw insert loop of the same rows: ${count(baseline.eventsPerSecond)} events/s`,
      target: `≥ ${count(TARGETS.webhookEventsPerSecond)} events/s and ≥ ${TARGETS.webhookRatio * 100} % of the raw loop`,
      met: eventsPerSecond >= TARGETS.webhookEventsPerSecond && ratio >= TARGETS.webhookRatio,
    });
  } finally {
    await scratch.drop();
  }
}
