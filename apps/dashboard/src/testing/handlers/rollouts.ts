import { http, HttpResponse } from 'msw';
import { phaseEnds, phaseOfPosition, phaseSizes } from '@repo/domain';
import {
  createRolloutRequestSchema,
  pauseRolloutRequestSchema,
  rolloutDetailSchema,
  rolloutDevicesPageSchema,
  rolloutPreviewRequestSchema,
  rolloutPreviewSchema,
  rolloutsPageSchema,
  type RolloutDetail,
  type RolloutDevice,
  type RolloutDeviceState,
  type RolloutEventKind,
  type RolloutExclusionReason,
  type RolloutPreview,
  type RolloutPreviewRequest,
  type RolloutStateCounts,
} from '@repo/schemas';
import { authState } from './auth';
import { groupById, groupDeviceIds, matchFilter } from './device-groups';
import { devices } from './devices';
import { apiError } from './errors';
import { installsState, releases } from './installs';

type StoredRollout = { detail: RolloutDetail; devices: RolloutDevice[] };

/** The rollouts as the BFF would hold them, and every action the dashboard asked for. */
export const rolloutsState = {
  rollouts: [] as StoredRollout[],
  requests: [] as { path: string; body: unknown }[],
};

export const rolloutId = (n: number) => `rol_${String(n).padStart(32, '0')}`;

const NOW = '2026-11-20T10:00:00.000Z';
const zero = (): RolloutStateCounts => ({
  waiting: 0,
  active: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  removed: 0,
});

/** A rollout as the API answers it; counts and progress follow from `devices` (see `recount`). */
export function rolloutDetail(overrides: Partial<RolloutDetail> & Pick<RolloutDetail, 'id'>) {
  const phases = overrides.phases ?? [
    { kind: 'percent' as const, value: 10 },
    { kind: 'percent' as const, value: 100 },
  ];
  return rolloutDetailSchema.parse({
    name: 'Eco Scheduler 1.0 to the thermostats',
    itemId: 'item_eco_scheduler',
    itemName: 'Eco Scheduler',
    releaseId: 'rel_eco_scheduler_1_0_0',
    version: '1.0.0',
    mode: 'test',
    target: { kind: 'entitled' },
    phases,
    successThreshold: 0.95,
    errorThreshold: 0.1,
    maintenanceWindow: null,
    status: 'draft',
    currentPhase: -1,
    pauseReason: null,
    deviceCount: 0,
    counts: zero(),
    createdBy: 'operator@acme.example',
    createdAt: NOW,
    startedAt: null,
    finishedAt: null,
    updatedAt: NOW,
    progress: phases.map((plan, phase) => ({ phase, plan, devices: 0, counts: zero() })),
    events: [
      { id: 1, kind: 'created', detail: null, actor: 'operator@acme.example', createdAt: NOW },
    ],
    sendingNow: false,
    ...overrides,
  });
}

export function rolloutDevice(
  overrides: Partial<RolloutDevice> & Pick<RolloutDevice, 'deviceId' | 'state'>,
): RolloutDevice {
  const device = devices.find((d) => d.id === overrides.deviceId);
  return {
    deviceName: device?.name ?? overrides.deviceId,
    model: device?.model ?? 'thermo-x1',
    firmwareVersion: device?.firmwareVersion ?? '2.0.1',
    phase: 0,
    reason: null,
    installJobId: null,
    installStatus: null,
    attempt: overrides.state === 'waiting' ? null : 1,
    updatedAt: NOW,
    ...overrides,
  };
}

/** Counts and each phase's progress, from the rollout's devices as they stand. */
export function recount(stored: StoredRollout) {
  const { detail } = stored;
  const counts = zero();
  const progress = detail.phases.map((plan, phase) => ({
    phase,
    plan,
    devices: 0,
    counts: zero(),
  }));
  for (const device of stored.devices) {
    counts[device.state] += 1;
    const phase = progress[device.phase]!;
    phase.counts[device.state] += 1;
    if (device.state !== 'cancelled' && device.state !== 'removed') phase.devices += 1;
  }
  Object.assign(detail, { counts, progress, deviceCount: stored.devices.length });
}

/** Puts a rollout with these devices in the state, as if the BFF held it. */
export function storeRollout(detail: RolloutDetail, rolloutDevices: RolloutDevice[] = []) {
  const stored = { detail, devices: rolloutDevices };
  recount(stored);
  rolloutsState.rollouts.unshift(stored);
  return stored;
}

const firmwareAtLeast = (firmware: string, min: string) =>
  firmware.localeCompare(min, undefined, { numeric: true }) >= 0;

const EXCLUSION_MESSAGES: Record<RolloutExclusionReason, string> = {
  not_entitled: 'No active test-mode entitlement to Eco Scheduler.',
  not_test_device: 'Not a test device: test-mode rollouts install on test devices only.',
  model_not_supported: 'Its model is not supported by this release.',
  firmware_too_old: 'Needs newer firmware.',
  already_installed: 'Already runs this version.',
  in_another_rollout: 'In another running or paused rollout of Eco Scheduler.',
};

/** The target narrowed to entitled ∩ compatible, as the BFF would narrow it. */
function narrow(request: RolloutPreviewRequest) {
  const release = releases.find((r) => r.id === request.releaseId);
  if (!release) return null;
  const targetIds =
    request.target.kind === 'entitled'
      ? [...installsState.entitled]
      : request.target.kind === 'filter'
        ? matchFilter(request.target.filter)
        : (groupDeviceIds(request.target.groupId) ?? []);
  const excluded: RolloutPreview['excluded']['devices'] = [];
  const eligible: string[] = [];
  for (const id of [...targetIds].sort()) {
    const device = devices.find((d) => d.id === id)!;
    const reason: RolloutExclusionReason | null = !installsState.entitled.has(id)
      ? 'not_entitled'
      : !release.compatibleModels.includes(device.model)
        ? 'model_not_supported'
        : !firmwareAtLeast(device.firmwareVersion, release.minFirmware)
          ? 'firmware_too_old'
          : null;
    if (reason) excluded.push({ deviceId: id, reason, message: EXCLUSION_MESSAGES[reason] });
    else eligible.push(id);
  }
  return { release, targeted: targetIds.length, eligible, excluded };
}

export function previewOf(request: RolloutPreviewRequest): RolloutPreview | null {
  const narrowed = narrow(request);
  if (!narrowed) return null;
  const { release, targeted, eligible, excluded } = narrowed;
  const byReason = new Map<RolloutExclusionReason, number>();
  for (const e of excluded) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
  return rolloutPreviewSchema.parse({
    itemId: release.itemId,
    itemName: release.itemName,
    releaseId: release.id,
    version: release.version,
    targeted,
    total: eligible.length,
    phases: phaseSizes(eligible.length, request.phases ?? [{ kind: 'percent', value: 100 }]),
    excluded: {
      total: excluded.length,
      byReason: [...byReason].map(([reason, count]) => ({ reason, count })),
      devices: excluded,
      truncated: false,
    },
  });
}

let nextRollout = 100;
let nextEvent = 100;

function addEvent(detail: RolloutDetail, kind: RolloutEventKind, detailText: string | null) {
  detail.events.push({
    id: nextEvent++,
    kind,
    detail: detailText,
    actor: authState.me.user.email,
    createdAt: new Date().toISOString(),
  });
}

/** What each action does to the stored rollout, or why it is refused. */
function act(stored: StoredRollout, action: string, reason?: string): string | null {
  const { detail } = stored;
  const now = new Date().toISOString();
  switch (action) {
    case 'start': {
      if (detail.status !== 'draft') return `The rollout is ${detail.status} already.`;
      const view = detail.target;
      const target =
        view.kind === 'group' ? { kind: 'group' as const, groupId: view.groupId! } : view;
      const eligible = narrow({ ...detail, target })?.eligible ?? [];
      const ends = phaseEnds(eligible.length, detail.phases);
      stored.devices = eligible.map((deviceId, position) => {
        const phase = phaseOfPosition(position, ends);
        return rolloutDevice({ deviceId, phase, state: phase === 0 ? 'active' : 'waiting' });
      });
      Object.assign(detail, {
        status: 'running',
        currentPhase: 0,
        startedAt: now,
        sendingNow: true,
      });
      addEvent(detail, 'started', null);
      return null;
    }
    case 'pause':
      if (detail.status !== 'running')
        return `Only a running rollout can be paused; it is ${detail.status}.`;
      Object.assign(detail, {
        status: 'paused',
        sendingNow: false,
        pauseReason: `Paused by ${authState.me.user.email}${reason ? `: ${reason}` : '.'}`,
      });
      addEvent(detail, 'paused', detail.pauseReason);
      return null;
    case 'resume':
      if (detail.status !== 'paused')
        return `Only a paused rollout can be resumed; it is ${detail.status}.`;
      Object.assign(detail, { status: 'running', pauseReason: null, sendingNow: true });
      addEvent(detail, 'resumed', null);
      return null;
    case 'abort':
      if (detail.status === 'completed' || detail.status === 'aborted')
        return `The rollout is ${detail.status}; there is nothing to abort.`;
      for (const device of stored.devices)
        if (device.state === 'waiting' || device.state === 'active') device.state = 'cancelled';
      Object.assign(detail, {
        status: 'aborted',
        pauseReason: null,
        finishedAt: now,
        sendingNow: false,
      });
      addEvent(detail, 'aborted', null);
      return null;
    case 'retry-failed': {
      const failed = stored.devices.filter((d) => d.state === 'failed');
      if (failed.length === 0) return 'No install has failed.';
      for (const device of failed)
        Object.assign(device, {
          state: 'active',
          reason: null,
          attempt: (device.attempt ?? 1) + 1,
        });
      if (detail.status === 'completed') detail.status = 'running';
      addEvent(detail, 'retried', `${failed.length} failed installs queued again.`);
      return null;
    }
  }
  return 'No such action.';
}

const find = (id: unknown) => rolloutsState.rollouts.find((r) => r.detail.id === id);
const notFound = () => apiError(404, 'NOT_FOUND', 'Rollout was not found.');

export const rolloutHandlers = [
  http.get('/api/rollouts', ({ request }) => {
    const url = new URL(request.url);
    const status = url.searchParams.get('status');
    const itemId = url.searchParams.get('itemId');
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = rolloutsState.rollouts
      .map((r) => r.detail)
      .filter((r) => (!status || r.status === status) && (!itemId || r.itemId === itemId));
    return HttpResponse.json(
      rolloutsPageSchema.parse({
        items: matching.slice(offset, offset + limit),
        nextCursor: offset + limit < matching.length ? String(offset + limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.post('/api/rollouts/preview', async ({ request }) => {
    const body = rolloutPreviewRequestSchema.parse(await request.json());
    rolloutsState.requests.push({ path: '/api/rollouts/preview', body });
    const preview = previewOf(body);
    return preview
      ? HttpResponse.json(preview)
      : apiError(404, 'NOT_FOUND', 'Release was not found.');
  }),
  http.get('/api/rollouts/:id', ({ params }) => {
    const stored = find(params.id);
    return stored ? HttpResponse.json(stored.detail) : notFound();
  }),
  http.get('/api/rollouts/:id/devices', ({ params, request }) => {
    const stored = find(params.id);
    if (!stored) return notFound();
    const url = new URL(request.url);
    const state = url.searchParams.get('state') as RolloutDeviceState | null;
    const phase = url.searchParams.get('phase');
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = stored.devices.filter(
      (d) => (!state || d.state === state) && (phase === null || d.phase === Number(phase)),
    );
    return HttpResponse.json(
      rolloutDevicesPageSchema.parse({
        items: matching.slice(offset, offset + limit),
        nextCursor: offset + limit < matching.length ? String(offset + limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.post('/api/rollouts', async ({ request }) => {
    const body = createRolloutRequestSchema.parse(await request.json());
    rolloutsState.requests.push({ path: '/api/rollouts', body });
    const release = releases.find((r) => r.id === body.releaseId)!;
    const target =
      body.target.kind === 'group'
        ? {
            kind: 'group' as const,
            groupId: body.target.groupId,
            groupName: groupById(body.target.groupId)!.name,
          }
        : body.target;
    const stored = storeRollout(
      rolloutDetail({
        ...body,
        id: rolloutId(nextRollout++),
        target,
        itemId: release.itemId,
        itemName: release.itemName,
        version: release.version,
        createdBy: authState.me.user.email,
      }),
    );
    return HttpResponse.json(stored.detail, { status: 201 });
  }),
  http.post('/api/rollouts/:id/:action', async ({ params, request }) => {
    const stored = find(params.id);
    if (!stored) return notFound();
    const action = String(params.action);
    const text = await request.text();
    const body =
      action === 'pause' ? pauseRolloutRequestSchema.parse(text ? JSON.parse(text) : {}) : null;
    rolloutsState.requests.push({ path: `/api/rollouts/${stored.detail.id}/${action}`, body });
    const refusal = act(stored, action, body?.reason);
    if (refusal) return apiError(409, 'ROLLOUT_STATE_CONFLICT', refusal);
    recount(stored);
    stored.detail.updatedAt = new Date().toISOString();
    return HttpResponse.json(rolloutDetailSchema.parse(stored.detail));
  }),
];

export function resetRolloutsState() {
  rolloutsState.rollouts.length = 0;
  rolloutsState.requests.length = 0;
  nextRollout = 100;
  nextEvent = 100;
}
