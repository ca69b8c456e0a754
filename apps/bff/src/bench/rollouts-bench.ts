/**
 * Starting a large rollout: on the large database (`pnpm seed:large`, 100,000 devices), a rollout
 * of one release to every device entitled to its item (live mode) is created and started, which
 * enrols the devices and queues the first phase's installs; then each phase's installs are
 * marked done and the rollout looks again, which queues the next phase. Each step is timed
 * beside a baseline measured in the same run on the same database: a raw loop inserting the same
 * rows (the rollout's devices, the install jobs and their first events) one statement each, in
 * one transaction. The figures of both include committing.
 *
 *   pnpm seed:large && pnpm --filter @repo/bff bench:rollouts
 *   LARGE_DATABASE_URL=postgres://…/marketplace_large pnpm --filter @repo/bff bench:rollouts
 *
 * Reads the same LARGE_DATABASE_PATH and LARGE_DATABASE_URL as the purchases benchmark;
 * BENCH_DATABASES=sqlite (or postgres) runs one of the two only. What it writes stays, finished:
 * each run adds two rollouts and their installs to the database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { RolloutPhasePlanInput } from '@repo/schemas';
import { openDatabase, type Database, type DatabaseTarget } from '../db/database';
import type { NewRow } from '../db/schema';
import type { Actor } from '../http/auth';
import { newId } from '../ids';
import { createAuditRepo } from '../modules/audit/audit.repo';
import { createDeviceGroupsRepo } from '../modules/device-groups/device-groups.repo';
import { createDeviceSets } from '../modules/device-groups/device-sets';
import { createDeviceSetsRepo } from '../modules/device-groups/device-sets.repo';
import { createInstallsRepo } from '../modules/installs/installs.repo';
import { createReleasesRepo } from '../modules/installs/releases.repo';
import { createProviderEvents } from '../modules/provider-webhooks/provider-events';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { createRolloutDevicesRepo } from '../modules/rollouts/rollout-devices.repo';
import { createRolloutRunner } from '../modules/rollouts/rollout-runner';
import { createRolloutTargets } from '../modules/rollouts/rollout-targets';
import { createRolloutsRepo } from '../modules/rollouts/rollouts.repo';
import { createRolloutsService } from '../modules/rollouts/rollouts.service';

const env = z
  .object({
    LARGE_DATABASE_PATH: z.string().min(1).default('data/large.sqlite'),
    LARGE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    BENCH_DATABASES: z.enum(['both', 'sqlite', 'postgres']).default('both'),
  })
  .parse(process.env);

const ORGANISATION_ID = 'org_acme';
/** A canary, a tenth, half, and the rest. */
const PHASES: RolloutPhasePlanInput[] = [
  { kind: 'percent', value: 1 },
  { kind: 'percent', value: 10 },
  { kind: 'percent', value: 50 },
  { kind: 'percent', value: 100 },
];

type Subject = { name: string; where: string; target: DatabaseTarget };
type Step = { label: string; rows: number; ms: number; baselineMs: number };

function fail(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(1);
}

/** The rollout pieces as the composition root wires them, without the HTTP and Stripe parts. */
function rolloutsOn(database: Database) {
  const rollouts = createRolloutsRepo(database);
  const members = createRolloutDevicesRepo(database);
  const groups = createDeviceGroupsRepo(database);
  const deviceSets = createDeviceSets(createDeviceSetsRepo(database));
  const targets = createRolloutTargets({ members, groups, deviceSets });
  const runner = createRolloutRunner({
    database,
    rollouts,
    members,
    installs: createInstallsRepo(database),
    providerEvents: createProviderEvents(
      database,
      createPurchasesRepo(database).storefrontPurchases,
    ),
  });
  const service = createRolloutsService({
    database,
    rollouts,
    members,
    groups,
    deviceSets,
    targets,
    runner,
    releases: createReleasesRepo(database),
    audit: createAuditRepo(database),
  });
  return { service, runner };
}

/** The item most devices of the organisation are entitled to (live), and its releases. */
async function chooseItem(database: Database) {
  const { db } = database;
  const top = await db
    .selectFrom('entitlements')
    .select((eb) => ['itemId', eb.fn.countAll<number>().as('count')])
    .where('organisationId', '=', ORGANISATION_ID)
    .where('mode', '=', 'live')
    .where('status', '=', 'active')
    .groupBy('itemId')
    .orderBy('count', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!top || top.count < 10_000)
    fail('The database holds too few entitlements. Run `pnpm seed:large` to fill it.');
  const releases = await db
    .selectFrom('releases')
    .select(['id', 'version'])
    .where('itemId', '=', top.itemId)
    .orderBy('publishedAt', 'desc')
    .execute();
  return { itemId: top.itemId, entitled: Number(top.count), releases };
}

const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
};

/** The baseline: the same rows, one INSERT each, in one transaction. */
async function insertLoop(
  database: Database,
  members: NewRow<'rolloutDevices'>[],
  jobs: NewRow<'installJobs'>[],
): Promise<number> {
  const [, ms] = await timed(() =>
    database.transaction(async () => {
      for (const member of members)
        await database.db.insertInto('rolloutDevices').values(member).execute();
      for (const job of jobs) {
        await database.db.insertInto('installJobs').values(job).execute();
        await database.db
          .insertInto('installJobEvents')
          .values({
            jobId: job.id,
            status: 'queued',
            progress: null,
            detail: null,
            actor: job.createdBy ?? 'system',
            createdAt: job.createdAt,
          })
          .execute();
      }
    }),
  );
  return ms;
}

/**
 * What the run wrote stays (install job events are append-only): the measured rollout is
 * completed and the baseline's closed, so that neither holds its devices in a later run.
 */
async function closeBaseline(database: Database, rolloutId: string) {
  const now = new Date().toISOString();
  await database.db
    .updateTable('rollouts')
    .set({ status: 'aborted', startedAt: now, finishedAt: now, updatedAt: now })
    .where('id', '=', rolloutId)
    .execute();
}

async function bench(subject: Subject) {
  const database = await openDatabase(subject.target);
  const { db } = database;
  let baselineId: string | null = null;
  try {
    const devices = Number(
      (
        await db
          .selectFrom('devices')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );
    if (devices < 100_000)
      fail(`${subject.where} holds only ${devices} devices. Run \`pnpm seed:large\` to fill it.`);
    const admin = await db
      .selectFrom('users')
      .select(['id', 'email', 'role', 'organisationId'])
      .where('organisationId', '=', ORGANISATION_ID)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    const actor: Actor = { userId: admin.id, ...admin };
    const { service, runner } = rolloutsOn(database);
    const item = await chooseItem(database);

    // The release that puts the most devices in the rollout (the newest may be installed widely).
    let best: { releaseId: string; version: string; total: number; excluded: number } | null = null;
    for (const release of item.releases.slice(0, 3)) {
      const preview = await service.preview(actor, {
        releaseId: release.id,
        mode: 'live',
        target: { kind: 'entitled' },
        phases: PHASES,
      });
      if (!best || preview.total > best.total)
        best = {
          releaseId: release.id,
          version: release.version,
          total: preview.total,
          excluded: preview.excluded.total,
        };
    }
    if (!best || best.total === 0) fail(`No release of ${item.itemId} has a device to go to.`);
    console.log(
      [
        '',
        `  ${subject.name}: ${subject.where} (${devices.toLocaleString('en')} devices)`,
        `  Rollout of ${item.itemId} ${best.version} to every device entitled to it (live):` +
          ` ${item.entitled.toLocaleString('en')} entitled, ${best.total.toLocaleString('en')} enrolled,` +
          ` ${best.excluded.toLocaleString('en')} left out`,
        `  Phases: ${PHASES.map((p) => `${p.value} %`).join(', ')}`,
        `  Load average before: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );

    const draft = (name: string) =>
      service.create(
        actor,
        {
          name,
          releaseId: best.releaseId,
          mode: 'live',
          target: { kind: 'entitled' },
          phases: PHASES,
          successThreshold: 1,
          errorThreshold: 0.5,
          maintenanceWindow: null,
        },
        'bench',
      );
    const rollout = await draft('Benchmark rollout');
    const baselineRollout = await draft('Benchmark baseline (raw insert loop)');
    baselineId = baselineRollout.id;

    const jobsOfPhase = (phase: number) =>
      db
        .selectFrom('installJobs as j')
        .innerJoin('rolloutDevices as rd', (join) =>
          join.onRef('rd.rolloutId', '=', 'j.rolloutId').onRef('rd.deviceId', '=', 'j.deviceId'),
        )
        .selectAll('j')
        .where('j.rolloutId', '=', rollout.id)
        .where('rd.phase', '=', phase)
        .execute();
    /** The same jobs, queued anew for the baseline's rollout. */
    const copiesOf = (jobs: Awaited<ReturnType<typeof jobsOfPhase>>) =>
      jobs.map((job) => ({
        ...job,
        id: newId('inst'),
        rolloutId: baselineRollout.id,
        status: 'queued' as const,
        finishedAt: null,
      }));
    /** Every install of the phase went well: the devices' reports, all at once (not timed). */
    const finishPhase = async () => {
      const now = new Date().toISOString();
      await db
        .updateTable('installJobs')
        .set({ status: 'succeeded', progress: 100, updatedAt: now, finishedAt: now })
        .where('rolloutId', '=', rollout.id)
        .where('status', '=', 'queued')
        .execute();
      await db
        .updateTable('rolloutDevices')
        .set({ state: 'succeeded', updatedAt: now })
        .where('rolloutId', '=', rollout.id)
        .where('state', '=', 'active')
        .execute();
    };

    const steps: { label: string; rows: number; ms: number; jobs: NewRow<'installJobs'>[] }[] = [];
    const [, startMs] = await timed(() => service.act(actor, rollout.id, 'start', 'bench'));
    const members = await db
      .selectFrom('rolloutDevices')
      .selectAll()
      .where('rolloutId', '=', rollout.id)
      .execute();
    let jobs = await jobsOfPhase(0);
    steps.push({
      label: 'start: enrol every device, queue phase 1',
      rows: members.length + jobs.length,
      ms: startMs,
      jobs: copiesOf(jobs),
    });
    for (let phase = 1; phase < PHASES.length; phase += 1) {
      await finishPhase();
      const [, ms] = await timed(() => runner.evaluate(rollout.id));
      jobs = await jobsOfPhase(phase);
      if (jobs.length === 0) fail(`Phase ${phase + 1} queued nothing.`);
      steps.push({
        label: `phase ${phase + 1}: queue its installs`,
        rows: jobs.length,
        ms,
        jobs: copiesOf(jobs),
      });
    }
    // Every job of the measured rollout has finished (and so has it), so the baseline's copies
    // may be queued.
    await finishPhase();
    await runner.evaluate(rollout.id);

    const results: Step[] = [];
    for (const [index, step] of steps.entries()) {
      const baselineMembers =
        index === 0
          ? members.map((member) => ({
              ...member,
              rolloutId: baselineRollout.id,
              state: 'waiting' as const,
              installJobId: null,
            }))
          : [];
      const baselineMs = await insertLoop(database, baselineMembers, step.jobs);
      // The baseline's jobs finish too, so that the next step's copies may be queued.
      await db
        .updateTable('installJobs')
        .set({ status: 'succeeded' })
        .where('rolloutId', '=', baselineRollout.id)
        .where('status', '=', 'queued')
        .execute();
      results.push({ label: step.label, rows: step.rows, ms: step.ms, baselineMs });
    }

    const width = Math.max(...results.map((r) => r.label.length));
    console.log(
      `  ${'step'.padEnd(width)}       rows     rollout ms   raw insert loop ms   rollout / loop`,
    );
    for (const r of results)
      console.log(
        `  ${r.label.padEnd(width)}  ${r.rows.toLocaleString('en').padStart(9)}  ${r.ms.toFixed(0).padStart(13)}  ${r.baselineMs.toFixed(0).padStart(19)}  ${(r.ms / r.baselineMs).toFixed(2).padStart(15)}`,
      );
    const total = (pick: (r: Step) => number) => results.reduce((sum, r) => sum + pick(r), 0);
    console.log(
      `  ${'all'.padEnd(width)}  ${total((r) => r.rows)
        .toLocaleString('en')
        .padStart(9)}  ${total((r) => r.ms)
        .toFixed(0)
        .padStart(13)}  ${total((r) => r.baselineMs)
        .toFixed(0)
        .padStart(
          19,
        )}  ${(total((r) => r.ms) / total((r) => r.baselineMs)).toFixed(2).padStart(15)}`,
    );
  } finally {
    if (baselineId) await closeBaseline(database, baselineId);
    await database.close();
  }
}

async function main() {
  const subjects: Subject[] = [];
  if (env.BENCH_DATABASES !== 'postgres') {
    const file = path.resolve(env.LARGE_DATABASE_PATH);
    if (!fs.existsSync(file))
      fail(`No database at ${file}. Run \`pnpm seed:large\` first (it takes a few minutes).`);
    subjects.push({ name: 'SQLite', where: file, target: { sqlitePath: file } });
  }
  if (env.BENCH_DATABASES !== 'sqlite') {
    if (env.LARGE_DATABASE_URL) {
      const url = new URL(env.LARGE_DATABASE_URL);
      subjects.push({
        name: 'PostgreSQL',
        where: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
        target: { postgresUrl: env.LARGE_DATABASE_URL },
      });
    } else if (env.BENCH_DATABASES === 'postgres') {
      fail('BENCH_DATABASES=postgres needs LARGE_DATABASE_URL (see `pnpm seed:large`).');
    }
  }
  console.log(
    [
      '',
      `  Rollout start benchmark on ${subjects.map((s) => s.name).join(' and ')}`,
      `  Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`,
    ].join('\n'),
  );
  if (!env.LARGE_DATABASE_URL && env.BENCH_DATABASES === 'both')
    console.log(
      '  (PostgreSQL left out: set LARGE_DATABASE_URL to a database `pnpm seed:large` filled.)',
    );
  for (const subject of subjects) await bench(subject);
  console.log('');
}

void main();
