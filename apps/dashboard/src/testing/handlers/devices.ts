import { http, HttpResponse } from 'msw';
import {
  deviceFacetsSchema,
  deviceIdsSchema,
  deviceSchema,
  devicesPageSchema,
  type Device,
} from '@repo/schemas';
import { groupDeviceIds } from './device-groups';
import { apiError } from './errors';
import { deviceDetail } from './installs';

const MODELS = ['thermo-x1', 'cam-c3', 'gateway-g3'] as const;

/** A small fleet, validated by the same schema the client parses with. */
export const devices: Device[] = Array.from({ length: 30 }, (_, i) => {
  const n = i + 1;
  const model = MODELS[n % MODELS.length]!;
  return deviceSchema.parse({
    id: `ACM-${model.slice(0, 3).toUpperCase()}-${String(n).padStart(4, '0')}`,
    name: `${n % 2 ? 'Berlin' : 'Lyon'} ${model} ${n}`,
    model,
    firmwareVersion: n % 4 ? '2.0.1' : '1.8.0',
    tags: [n % 2 ? 'site:berlin' : 'site:lyon'],
    lastSeenAt: '2026-11-01T08:00:00.000Z',
  });
}).sort((a, b) => a.id.localeCompare(b.id));

export const deviceRequests: URL[] = [];

export const deviceHandlers = [
  http.get('/api/devices/facets', () =>
    HttpResponse.json(
      deviceFacetsSchema.parse({
        models: [...MODELS].sort(),
        firmwareVersions: ['1.8.0', '2.0.1'],
        tags: ['site:berlin', 'site:lyon'],
      }),
    ),
  ),
  http.get('/api/devices', ({ request }) => {
    const url = new URL(request.url);
    deviceRequests.push(url);
    const q = url.searchParams.get('q')?.toLowerCase();
    const model = url.searchParams.get('model');
    const tag = url.searchParams.get('tag');
    const groupId = url.searchParams.get('groupId');
    const members = groupId ? groupDeviceIds(groupId) : null;
    if (groupId && !members) return apiError(404, 'NOT_FOUND', 'Device group was not found.');
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = devices.filter(
      (d) =>
        (!q || d.id.toLowerCase().startsWith(q) || d.name.toLowerCase().includes(q)) &&
        (!model || d.model === model) &&
        (!tag || d.tags.includes(tag)) &&
        (!members || members.includes(d.id)),
    );
    const page = matching.slice(offset, offset + limit);
    return HttpResponse.json(
      devicesPageSchema.parse({
        items: page,
        nextCursor: offset + limit < matching.length ? String(offset + limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.get('/api/devices/ids', ({ request }) => {
    const url = new URL(request.url);
    const model = url.searchParams.get('model');
    const groupId = url.searchParams.get('groupId');
    const members = groupId ? groupDeviceIds(groupId) : null;
    const ids = devices
      .filter((d) => (!model || d.model === model) && (!members || members.includes(d.id)))
      .map((d) => d.id);
    return HttpResponse.json(deviceIdsSchema.parse({ ids, total: ids.length, truncated: false }));
  }),
  http.get('/api/devices/:deviceId', ({ params }) => {
    const device = devices.find((d) => d.id === params.deviceId);
    return device
      ? HttpResponse.json(deviceDetail(device))
      : apiError(404, 'NOT_FOUND', 'Device was not found.');
  }),
];
