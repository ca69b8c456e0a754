import fs from 'node:fs';
import path from 'node:path';
import { runOpenLoop, type OpenLoopResult } from '@repo/load-generator';
import { count, ms, type Report } from './report';
import type { ServerGroup } from './server-process';
import { summariseProfile } from './profile-summary';

/** Where a section runs: a database and how many BFF instances share it. */
export type Subject = {
  name: string;
  /** A SQLite file or a postgres:// URL. */
  database: string;
  instances: number;
};

export type BenchSettings = {
  durationMs: number;
  warmupMs: number;
  /** Where CPU profiles of the BFF under load go (BENCH_PROFILE), or undefined for none. */
  profileDir: string | undefined;
};

export type SectionContext = { report: Report; subject: Subject; settings: BenchSettings };

/** The open-loop load of one set of GET paths under /api, spread over every instance of a group. */
export async function openLoop(
  { settings }: SectionContext,
  group: ServerGroup,
  paths: string[],
  rate: number,
  cookie = '',
): Promise<OpenLoopResult> {
  return runOpenLoop({
    baseUrl: group.urls.map((url) => `${url}/api`),
    headers: cookie ? { cookie } : {},
    requests: paths.map((path) => ({ path })),
    rate,
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
  });
}

/** p50 · p99 · p99.9 of an open-loop run, with whatever made it less than clean. */
export function latencies(result: OpenLoopResult): string {
  const { latencyMs: l } = result;
  const trouble = [
    result.errors.total > 0 ? `${count(result.errors.total)} errors` : '',
    result.late > 0 ? `${count(result.late)} not sent (overloaded)` : '',
  ].filter(Boolean);
  return (
    `p50 ${ms(l.p50)} · p99 ${ms(l.p99)} · p99.9 ${ms(l.p999)} ms` +
    (trouble.length > 0 ? ` (${trouble.join(', ')})` : '')
  );
}

/** A run counts only when every request was sent and answered 2xx/3xx. */
export const clean = (result: OpenLoopResult) => result.errors.total === 0 && result.late === 0;

/**
 * Runs `work` under V8's CPU profiler in every instance when BENCH_PROFILE names a folder, writes
 * each profile there and prints where the time went.
 */
export async function profiled<T>(
  { settings, subject, report }: SectionContext,
  group: ServerGroup,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  const dir = settings.profileDir;
  if (!dir) return work();
  fs.mkdirSync(dir, { recursive: true });
  await Promise.all(group.instances.map((instance) => instance.profile('start')));
  const result = await work();
  const name = `${subject.name}-${label}`.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  for (const [index, instance] of group.instances.entries()) {
    const file = path.join(dir, `${name}-${index + 1}.cpuprofile`);
    await instance.profile('stop', file);
    report.note(`profile: ${file}`);
    for (const line of summariseProfile(file)) report.note(`  ${line}`);
  }
  return result;
}
