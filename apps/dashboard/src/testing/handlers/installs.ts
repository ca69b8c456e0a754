import { http, HttpResponse } from 'msw';
import { isInstallActive, nextInstallStatus } from '@repo/domain';
import {
  bulkInstallRequestSchema,
  bulkInstallResultSchema,
  createInstallRequestSchema,
  deviceDetailSchema,
  installJobEventsSchema,
  installJobSchema,
  installJobsPageSchema,
  releasesSchema,
  type Device,
  type InstallJob,
  type InstallJobEvent,
  type InstallRefusal,
  type Release,
} from '@repo/schemas';
import { apiError } from './errors';

export const releases: Release[] = releasesSchema.parse({
  items: [
    {
      id: 'rel_eco_scheduler_2_0_0',
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      version: '2.0.0',
      minFirmware: '2.4.0',
      compatibleModels: ['thermo-x1'],
      publishedAt: '2026-09-14T09:00:00.000Z',
    },
    {
      id: 'rel_eco_scheduler_1_0_0',
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      version: '1.0.0',
      minFirmware: '1.8.0',
      compatibleModels: ['thermo-x1'],
      publishedAt: '2026-03-02T09:00:00.000Z',
    },
  ],
}).items;

/** The thermostats that own Eco Scheduler, and the install jobs so far, as the BFF would know. */
export const installsState = {
  entitled: new Set(['ACM-THE-0003', 'ACM-THE-0006']),
  jobs: [] as InstallJob[],
  /** What each job went through, as the device reported it; a job without any shows its state. */
  events: new Map<string, InstallJobEvent[]>(),
  requests: [] as { path: string; body: unknown }[],
};

export function installJob(overrides: Partial<InstallJob> & Pick<InstallJob, 'id' | 'deviceId'>) {
  return installJobSchema.parse({
    itemId: 'item_eco_scheduler',
    itemName: 'Eco Scheduler',
    releaseId: 'rel_eco_scheduler_1_0_0',
    version: '1.0.0',
    status: 'queued',
    attempt: 1,
    retryOf: null,
    progress: null,
    reason: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: null,
    ...overrides,
  });
}

const firmwareAtLeast = (firmware: string, min: string) =>
  firmware.localeCompare(min, undefined, { numeric: true }) >= 0;

/** A device's detail page data, built from the fleet and the jobs above. */
export function deviceDetail(device: Device) {
  const entitled = installsState.entitled.has(device.id);
  const jobs = installsState.jobs.filter((j) => j.deviceId === device.id);
  const succeeded = jobs.find((j) => j.status === 'succeeded');
  return deviceDetailSchema.parse({
    ...device,
    entitlements: entitled
      ? [
          {
            id: `ent_${device.id}`,
            itemId: 'item_eco_scheduler',
            itemName: 'Eco Scheduler',
            mode: 'test',
            status: 'active',
            purchaseId: `pur_${device.id}`,
            createdAt: '2026-11-20T09:00:00.000Z',
            revokedAt: null,
          },
        ]
      : [],
    items: entitled
      ? [
          {
            itemId: 'item_eco_scheduler',
            itemName: 'Eco Scheduler',
            entitled: true,
            releases: releases.map((r) => {
              const fits = firmwareAtLeast(device.firmwareVersion, r.minFirmware);
              return {
                ...r,
                compatible: fits,
                incompatibleReason: fits
                  ? null
                  : `Needs firmware ${r.minFirmware} or newer; the device runs ${device.firmwareVersion}.`,
              };
            }),
            installed: succeeded
              ? {
                  releaseId: succeeded.releaseId,
                  version: succeeded.version,
                  installedAt: succeeded.updatedAt,
                }
              : null,
            activeInstall: jobs.find((j) => isInstallActive(j.status)) ?? null,
          },
        ]
      : [],
    installs: jobs,
  });
}

let nextId = 1;
const newJobId = () => `inst_${String(nextId++).padStart(32, '0')}`;

function refusalFor(deviceId: string, releaseId: string): InstallRefusal | null {
  const release = releases.find((r) => r.id === releaseId);
  if (!release) return { deviceId, code: 'RELEASE_NOT_FOUND', message: 'No such release.' };
  if (!installsState.entitled.has(deviceId))
    return {
      deviceId,
      code: 'NO_ACTIVE_ENTITLEMENT',
      message: `${deviceId} has no active entitlement to Eco Scheduler.`,
    };
  if (installsState.jobs.some((j) => j.deviceId === deviceId && isInstallActive(j.status)))
    return {
      deviceId,
      code: 'INSTALL_ALREADY_ACTIVE',
      message: `Eco Scheduler is already being installed on ${deviceId}.`,
    };
  return null;
}

function queue(deviceId: string, releaseId: string, retryOf?: InstallJob) {
  const release = releases.find((r) => r.id === releaseId)!;
  const job = installJob({
    id: newJobId(),
    deviceId,
    releaseId,
    version: release.version,
    attempt: retryOf ? retryOf.attempt + 1 : 1,
    retryOf: retryOf?.id ?? null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
  installsState.jobs.unshift(job);
  return job;
}

export const installHandlers = [
  http.get('/api/releases', () => HttpResponse.json(releasesSchema.parse({ items: releases }))),
  http.get('/api/installs', ({ request }) => {
    const url = new URL(request.url);
    const status = url.searchParams.get('status');
    const deviceId = url.searchParams.get('deviceId');
    const itemId = url.searchParams.get('itemId');
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = installsState.jobs.filter(
      (j) =>
        (!status || j.status === status) &&
        (!deviceId || j.deviceId === deviceId) &&
        (!itemId || j.itemId === itemId),
    );
    return HttpResponse.json(
      installJobsPageSchema.parse({
        items: matching.slice(offset, offset + limit),
        nextCursor: offset + limit < matching.length ? String(offset + limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.get('/api/installs/:id/events', ({ params }) => {
    const job = installsState.jobs.find((j) => j.id === params.id);
    if (!job) return apiError(404, 'NOT_FOUND', 'Install was not found.');
    const items = installsState.events.get(job.id) ?? [
      { status: job.status, progress: job.progress, detail: job.reason, createdAt: job.updatedAt },
    ];
    return HttpResponse.json(installJobEventsSchema.parse({ items }));
  }),
  http.post('/api/installs', async ({ request }) => {
    const body = createInstallRequestSchema.parse(await request.json());
    installsState.requests.push({ path: '/api/installs', body });
    const refusal = refusalFor(body.deviceId, body.releaseId);
    if (refusal)
      return apiError(
        refusal.code === 'INSTALL_ALREADY_ACTIVE' ? 409 : 422,
        refusal.code,
        refusal.message,
      );
    return HttpResponse.json(queue(body.deviceId, body.releaseId), { status: 201 });
  }),
  http.post('/api/installs/bulk', async ({ request }) => {
    const body = bulkInstallRequestSchema.parse(await request.json());
    installsState.requests.push({ path: '/api/installs/bulk', body });
    const queued: InstallJob[] = [];
    const refused: InstallRefusal[] = [];
    for (const deviceId of body.deviceIds) {
      const refusal = refusalFor(deviceId, body.releaseId);
      if (refusal) refused.push(refusal);
      else queued.push(queue(deviceId, body.releaseId));
    }
    return HttpResponse.json(bulkInstallResultSchema.parse({ queued, refused }));
  }),
  http.post('/api/installs/:id/:action', ({ params }) => {
    const job = installsState.jobs.find((j) => j.id === params.id);
    if (!job) return apiError(404, 'NOT_FOUND', 'Install was not found.');
    installsState.requests.push({
      path: `/api/installs/${job.id}/${String(params.action)}`,
      body: null,
    });
    if (params.action === 'cancel') {
      if (!nextInstallStatus(job.status, 'cancel'))
        return apiError(409, 'INSTALL_NOT_CANCELLABLE', `This install is ${job.status}.`);
      Object.assign(job, { status: 'cancelled', reason: 'Cancelled by operator@acme.example.' });
      return HttpResponse.json(job);
    }
    if (job.status !== 'failed')
      return apiError(409, 'INSTALL_NOT_RETRYABLE', `This install is ${job.status}.`);
    return HttpResponse.json(queue(job.deviceId, job.releaseId, job), { status: 201 });
  }),
];

export function resetInstallsState() {
  installsState.entitled = new Set(['ACM-THE-0003', 'ACM-THE-0006']);
  installsState.jobs.length = 0;
  installsState.events.clear();
  installsState.requests.length = 0;
}
