/**
 * Item 2: every question support asks of a million purchases, each at 500 requests a second for
 * the measured window, beside the same service call made alone, one after the other (what the
 * database and the query itself take); and the CSV export, in rows a second and the BFF's
 * resident memory while it streams, beside reading the same rows without HTTP or CSV.
 */
import type { OpenLoopResult } from '@repo/load-generator';
import { withBaselines } from './baseline-process';
import type { CallsResult } from './baselines';
import { signIn } from './bench-client';
import { clean, latencies, openLoop, profiled, type SectionContext } from './bench-context';
import { SUPPORT_EMAIL, TARGETS } from './bench-settings';
import { count, megabytes, ms } from './report';
import { withServers, type ServerProcess } from './server-process';
import type { CsvExport, Question } from './support-questions';

type CsvRun = { rows: number; seconds: number; idleRss: number; peakRss: number };

/**
 * Downloads an export from one instance as fast as the client reads, counting its lines, while
 * sampling the server's resident memory (and the kernel's own peak, reset before).
 */
async function exportCsv(instance: ServerProcess, path: string, cookie: string): Promise<CsvRun> {
  instance.resetPeakRss();
  const idleRss = instance.rssBytes();
  let peakRss = idleRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, instance.rssBytes());
  }, 10);
  const started = performance.now();
  try {
    const res = await fetch(`${instance.url}/api${path}`, { headers: { cookie } });
    if (!res.ok || !res.body) throw new Error(`The export answered ${res.status}.`);
    let lines = 0;
    for await (const chunk of res.body) {
      for (const byte of chunk as Uint8Array) if (byte === 10) lines += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      rows: lines - 1,
      seconds,
      idleRss,
      peakRss: Math.max(peakRss, instance.peakRssBytes()),
    };
  } finally {
    clearInterval(sampler);
  }
}

export async function supportSection(
  context: SectionContext,
  questions: Question[],
  csvExports: CsvExport[],
) {
  const { report, subject, settings } = context;
  report.section(2, subject.name);

  const { loads, exports } = await withServers(
    'bff',
    subject.database,
    subject.instances,
    async (group) => {
      const cookie = await signIn(group.url, SUPPORT_EMAIL);
      const loads = new Map<string, OpenLoopResult>();
      for (const question of questions) {
        loads.set(
          question.label,
          await profiled(context, group, question.label, () =>
            openLoop(context, group, question.paths, TARGETS.listRate, cookie),
          ),
        );
      }
      // Each export once on every instance at the same time: with two instances, two downloads.
      const exports: CsvRun[][] = [];
      for (const csv of csvExports) {
        exports.push(
          await Promise.all(
            group.instances.map((instance) => exportCsv(instance, csv.path, cookie)),
          ),
        );
      }
      return { loads, exports };
    },
  );

  const { calls, stream } = await withBaselines(subject.database, async (baselines) => {
    const calls = new Map<string, CallsResult>();
    for (const question of questions) {
      calls.set(
        question.label,
        await baselines.run({
          type: 'calls',
          paths: question.paths,
          durationMs: Math.min(settings.durationMs, 3_000),
          warmupMs: 500,
        }),
      );
    }
    const stream = await baselines.run({ type: 'stream', path: csvExports.at(-1)!.path });
    return { calls, stream };
  });

  for (const question of questions) {
    const load = loads.get(question.label)!;
    const alone = calls.get(question.label)!;
    report.add({
      item: 2,
      subject: subject.name,
      what: `${question.label}, ${count(TARGETS.listRate)}/s`,
      value: latencies(load),
      baseline: `service call alone: p50 ${ms(alone.p50)} · p99 ${ms(alone.p99)} ms`,
      target: question.kind === 'list' ? `p99 < ${TARGETS.listP99Ms} ms` : '',
      met:
        question.kind === 'list'
          ? clean(load) && load.latencyMs.p99 < TARGETS.listP99Ms
          : undefined,
    });
  }

  const largest = exports.at(-1)!;
  const rowsPerSecond = Math.min(...largest.map((run) => run.rows / run.seconds));
  const each = subject.instances > 1 ? ' each, both instances at once' : '';
  report.add({
    item: 2,
    subject: subject.name,
    what: `CSV export of ${count(largest[0]!.rows)} rows`,
    value: `${count(rowsPerSecond)} rows/s${each} (${largest[0]!.seconds.toFixed(1)} s)`,
    baseline: `the same rows read alone: ${count(stream.rowsPerSecond)} rows/s`,
    target: `≥ ${count(TARGETS.csvRowsPerSecond)} rows/s`,
    met: rowsPerSecond >= TARGETS.csvRowsPerSecond,
  });
  // Memory that does not grow with the row count: ten times the rows, about the same peak.
  const growth = (runs: CsvRun[]) => Math.max(...runs.map((run) => run.peakRss - run.idleRss));
  const small = exports[0]!;
  const allowance = 16 * 1024 * 1024;
  report.add({
    item: 2,
    subject: subject.name,
    what: `BFF peak RSS during the CSV export`,
    value: `${megabytes(Math.max(...largest.map((r) => r.peakRss)))}: +${megabytes(growth(largest))} over idle for ${count(largest[0]!.rows)} rows`,
    baseline: `+${megabytes(growth(small))} for ${count(small[0]!.rows)} rows (idle ${megabytes(small[0]!.idleRss)})`,
    target: 'no growth with the row count (within 16 MB)',
    met: growth(largest) <= growth(small) + allowance,
  });
}
