import { http, HttpResponse } from 'msw';
import {
  createDeviceGroupRequestSchema,
  deviceGroupDetailSchema,
  deviceGroupPreviewRequestSchema,
  deviceGroupPreviewSchema,
  deviceGroupSchema,
  deviceGroupsPageSchema,
  updateDeviceGroupRequestSchema,
  type DeviceGroup,
  type DeviceGroupFilter,
  type DeviceGroupKind,
} from '@repo/schemas';
import { devices } from './devices';
import { apiError } from './errors';
import { installsState } from './installs';

type StoredGroup = {
  id: string;
  name: string;
  kind: DeviceGroupKind;
  filter: DeviceGroupFilter | null;
  deviceIds: string[];
  activeRolloutCount: number;
  updatedAt: string;
};

export const groupId = (n: number) => `grp_${String(n).padStart(32, '0')}`;

const initialGroups = (): StoredGroup[] => [
  {
    id: groupId(1),
    name: 'Lyon thermostats',
    kind: 'dynamic',
    filter: { models: ['thermo-x1'], sites: ['lyon'] },
    deviceIds: [],
    activeRolloutCount: 0,
    updatedAt: '2026-11-18T09:00:00.000Z',
  },
  {
    id: groupId(2),
    name: 'Berlin pilot',
    kind: 'static',
    filter: null,
    deviceIds: ['ACM-CAM-0001', 'ACM-THE-0003', 'ACM-THE-0009'],
    activeRolloutCount: 1,
    updatedAt: '2026-11-19T09:00:00.000Z',
  },
];

/** The groups as the BFF would hold them, and what the dashboard sent. */
export const deviceGroupsState = {
  groups: initialGroups(),
  requests: [] as { method: string; path: string; body: unknown }[],
};

const firmwareOrder = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** The devices of the fleet a filter matches (installed versions are not modelled here). */
export function matchFilter(filter: DeviceGroupFilter): string[] {
  return devices
    .filter(
      (d) =>
        (!filter.models || filter.models.includes(d.model)) &&
        (!filter.firmwareMin || firmwareOrder(d.firmwareVersion, filter.firmwareMin) >= 0) &&
        (!filter.firmwareMax || firmwareOrder(d.firmwareVersion, filter.firmwareMax) <= 0) &&
        (!filter.tags || filter.tags.every((tag) => d.tags.includes(tag))) &&
        (!filter.sites || filter.sites.some((site) => d.tags.includes(`site:${site}`))) &&
        (!filter.entitledTo || installsState.entitled.has(d.id)),
    )
    .map((d) => d.id);
}

/** The members of a group now, or null for no such group. */
export function groupDeviceIds(id: string): string[] | null {
  const group = deviceGroupsState.groups.find((g) => g.id === id);
  if (!group) return null;
  return group.filter ? matchFilter(group.filter) : group.deviceIds;
}

function toGroup(group: StoredGroup): DeviceGroup {
  return deviceGroupSchema.parse({
    id: group.id,
    name: group.name,
    kind: group.kind,
    filter: group.filter,
    deviceCount: groupDeviceIds(group.id)!.length,
    activeRolloutCount: group.activeRolloutCount,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: group.updatedAt,
  });
}

export const groupById = (id: string) => {
  const group = deviceGroupsState.groups.find((g) => g.id === id);
  return group ? toGroup(group) : undefined;
};

const nameTaken = (name: string, exceptId?: string) =>
  deviceGroupsState.groups.some(
    (g) => g.id !== exceptId && g.name.toLowerCase() === name.toLowerCase(),
  )
    ? apiError(409, 'GROUP_NAME_TAKEN', `A device group is already called "${name}".`, undefined, [
        { path: 'name', message: 'already used by another group' },
      ])
    : null;

const unknownDevices = (deviceIds: string[]) => {
  const unknown = deviceIds.filter((id) => !devices.some((d) => d.id === id));
  return unknown.length > 0
    ? apiError(
        422,
        'DEVICES_NOT_FOUND',
        `${unknown.length} device ID(s) are not devices of your organisation: ${unknown.join(', ')}.`,
        undefined,
        unknown.map((deviceId) => ({
          path: 'deviceIds',
          message: 'not a device of your organisation',
          deviceId,
        })),
      )
    : null;
};

let nextGroup = 100;

export const deviceGroupHandlers = [
  http.get('/api/device-groups', ({ request }) => {
    const url = new URL(request.url);
    const q = url.searchParams.get('q')?.toLowerCase();
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = deviceGroupsState.groups
      .filter((g) => !q || g.name.toLowerCase().includes(q))
      .sort((a, b) => a.name.localeCompare(b.name));
    return HttpResponse.json(
      deviceGroupsPageSchema.parse({
        items: matching.slice(offset, offset + limit).map(toGroup),
        nextCursor: offset + limit < matching.length ? String(offset + limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.post('/api/device-groups/preview', async ({ request }) => {
    const body = deviceGroupPreviewRequestSchema.parse(await request.json());
    deviceGroupsState.requests.push({ method: 'POST', path: '/preview', body });
    return HttpResponse.json(
      deviceGroupPreviewSchema.parse({ deviceCount: matchFilter(body.filter).length }),
    );
  }),
  http.get('/api/device-groups/:id', ({ params, request }) => {
    const group = groupById(String(params.id));
    if (!group) return apiError(404, 'NOT_FOUND', 'Device group was not found.');
    const url = new URL(request.url);
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const ids = groupDeviceIds(group.id)!;
    const members = devices.filter((d) => ids.includes(d.id));
    return HttpResponse.json(
      deviceGroupDetailSchema.parse({
        ...group,
        members: {
          items: members.slice(offset, offset + limit),
          nextCursor: offset + limit < members.length ? String(offset + limit) : null,
          total: members.length,
        },
      }),
    );
  }),
  http.post('/api/device-groups', async ({ request }) => {
    const body = createDeviceGroupRequestSchema.parse(await request.json());
    deviceGroupsState.requests.push({ method: 'POST', path: '', body });
    const refusal =
      nameTaken(body.name) ?? (body.kind === 'static' ? unknownDevices(body.deviceIds) : null);
    if (refusal) return refusal;
    const stored: StoredGroup = {
      id: groupId(nextGroup++),
      name: body.name,
      kind: body.kind,
      filter: body.kind === 'dynamic' ? body.filter : null,
      deviceIds: body.kind === 'static' ? body.deviceIds : [],
      activeRolloutCount: 0,
      updatedAt: new Date().toISOString(),
    };
    deviceGroupsState.groups.push(stored);
    return HttpResponse.json(toGroup(stored), { status: 201 });
  }),
  http.patch('/api/device-groups/:id', async ({ params, request }) => {
    const stored = deviceGroupsState.groups.find((g) => g.id === params.id);
    if (!stored) return apiError(404, 'NOT_FOUND', 'Device group was not found.');
    const body = updateDeviceGroupRequestSchema.parse(await request.json());
    deviceGroupsState.requests.push({ method: 'PATCH', path: `/${stored.id}`, body });
    const refusal =
      (body.name ? nameTaken(body.name, stored.id) : null) ??
      (body.deviceIds ? unknownDevices(body.deviceIds) : null);
    if (refusal) return refusal;
    Object.assign(stored, {
      ...(body.name ? { name: body.name } : {}),
      ...(body.deviceIds ? { deviceIds: body.deviceIds } : {}),
      ...(body.filter ? { filter: body.filter } : {}),
      updatedAt: new Date().toISOString(),
    });
    return HttpResponse.json(toGroup(stored));
  }),
  http.delete('/api/device-groups/:id', ({ params }) => {
    const stored = deviceGroupsState.groups.find((g) => g.id === params.id);
    if (!stored) return apiError(404, 'NOT_FOUND', 'Device group was not found.');
    deviceGroupsState.requests.push({ method: 'DELETE', path: `/${stored.id}`, body: null });
    if (stored.activeRolloutCount > 0)
      return apiError(
        409,
        'GROUP_IN_USE',
        `${stored.name} is the target of ${stored.activeRolloutCount} draft, running or paused rollout; delete it once they end.`,
      );
    deviceGroupsState.groups = deviceGroupsState.groups.filter((g) => g !== stored);
    return new HttpResponse(null, { status: 204 });
  }),
];

export function resetDeviceGroupsState() {
  deviceGroupsState.groups = initialGroups();
  deviceGroupsState.requests.length = 0;
  nextGroup = 100;
}
