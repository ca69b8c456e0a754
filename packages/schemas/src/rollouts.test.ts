import { describe, expect, it } from 'vitest';
import {
  createDeviceGroupRequestSchema,
  createRolloutRequestSchema,
  deviceGroupFilterSchema,
  rolloutDevicesQuerySchema,
  rolloutPreviewRequestSchema,
  updateDeviceGroupRequestSchema,
} from './index';

const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('device group requests', () => {
  it('takes a static list of devices, canonical IDs, or a saved filter', () => {
    expect(
      createDeviceGroupRequestSchema.parse({
        name: ' Lab ',
        kind: 'static',
        deviceIds: ['acm-tx1-0005'],
      }),
    ).toEqual({ name: 'Lab', kind: 'static', deviceIds: ['ACM-TX1-0005'] });
    expect(
      createDeviceGroupRequestSchema.parse({
        name: 'Old thermostats in Lyon',
        kind: 'dynamic',
        filter: { models: ['thermo-x1'], firmwareMax: '2.0.1', sites: ['lyon'] },
      }).kind,
    ).toBe('dynamic');
  });

  it('refuses a filter on a static group and a list on a dynamic one', () => {
    const mixed = createDeviceGroupRequestSchema.safeParse({
      name: 'x',
      kind: 'static',
      filter: {},
    });
    expect(paths(mixed)).toEqual(['deviceIds', '']);
  });

  it('asks for a version with equal, below and atLeast, and none with none', () => {
    expect(
      paths(deviceGroupFilterSchema.safeParse({ installed: { itemId: 'i', relation: 'below' } })),
    ).toEqual(['installed.version']);
    expect(
      paths(
        deviceGroupFilterSchema.safeParse({
          installed: { itemId: 'i', relation: 'none', version: '1.0.0' },
        }),
      ),
    ).toEqual(['installed.version']);
    expect(
      paths(deviceGroupFilterSchema.safeParse({ firmwareMin: 'v2', tags: [], colour: 'red' })),
    ).toEqual(['firmwareMin', 'tags', '']);
  });

  it('needs something to change', () => {
    expect(updateDeviceGroupRequestSchema.safeParse({}).success).toBe(false);
    expect(updateDeviceGroupRequestSchema.safeParse({ name: 'New name' }).success).toBe(true);
  });
});

describe('rollout requests', () => {
  const body = {
    name: 'Eco Scheduler 2.0',
    releaseId: 'rel_eco_scheduler_2_0_0',
    mode: 'live',
    target: { kind: 'entitled' },
    phases: [
      { kind: 'percent', value: 1 },
      { kind: 'percent', value: 100 },
    ],
    successThreshold: 0.95,
    errorThreshold: 0.05,
  };

  it('parses a staged plan, with no maintenance window unless given', () => {
    expect(createRolloutRequestSchema.parse(body).maintenanceWindow).toBeNull();
  });

  it('says which fields are wrong', () => {
    const result = createRolloutRequestSchema.safeParse({
      ...body,
      target: { kind: 'group', groupId: 'lab' },
      phases: [{ kind: 'percent', value: 0 }],
      successThreshold: 1.5,
      maintenanceWindow: { startHour: 22, endHour: 24 },
    });
    expect(paths(result)).toEqual([
      'target.groupId',
      'phases.0.value',
      'successThreshold',
      'maintenanceWindow.endHour',
    ]);
  });

  it('previews without a name or thresholds, one phase of every device by default', () => {
    const preview = rolloutPreviewRequestSchema.parse({
      releaseId: body.releaseId,
      mode: 'test',
      target: { kind: 'entitled' },
    });
    expect(preview.phases).toEqual([{ kind: 'percent', value: 100 }]);
    expect(rolloutPreviewRequestSchema.safeParse({ ...preview, colour: 'red' }).success).toBe(
      false,
    );
  });

  it('reads the phase of the device list from the query string', () => {
    expect(rolloutDevicesQuerySchema.parse({ phase: '2', state: 'failed' })).toMatchObject({
      phase: 2,
      state: 'failed',
    });
    expect(rolloutDevicesQuerySchema.safeParse({ phase: '-1' }).success).toBe(false);
  });
});
