import { z } from 'zod';
import { checkoutModeSchema, cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';
import { deviceIdSchema, devicesPageSchema } from './devices';

/**
 * Device groups: a fixed list of devices (static) or a saved filter (dynamic) whose members are
 * whichever devices match it when it is read. A group is a device set wherever one is chosen:
 * `GET /api/devices?groupId=`, bulk installs, rollouts.
 */

/** Dotted numbers, compared part by part as numbers (2.10.0 is newer than 2.9.3). */
export const versionSchema = z
  .string()
  .trim()
  .max(32)
  .regex(/^\d+(\.\d+)*$/, 'a version such as 2.4.0');

const itemIdSchema = z.string().trim().min(1).max(64);
const labelSchema = z.string().trim().min(1).max(64);

/** How a device's installed version of an item compares: none installed, or against `version`. */
export const installedRelationSchema = z.enum(['none', 'equal', 'below', 'atLeast']);
export type InstalledRelation = z.infer<typeof installedRelationSchema>;

export const installedVersionFilterSchema = z
  .strictObject({
    itemId: itemIdSchema,
    /**
     * `none`: the item is not installed; `equal`, `below`, `atLeast`: an installed version that
     * is `version`, older than it, or it or newer (a device without the item matches none of these).
     */
    relation: installedRelationSchema,
    version: versionSchema.optional(),
  })
  .refine((f) => (f.relation === 'none') === (f.version === undefined), {
    path: ['version'],
    message: 'a version with equal, below or atLeast; none without one',
  });
export type InstalledVersionFilter = z.infer<typeof installedVersionFilterSchema>;

/**
 * A saved dynamic filter. Every given criterion must hold; an empty filter matches the whole
 * fleet of the organisation.
 */
export const deviceGroupFilterSchema = z.strictObject({
  /** Any of these models. */
  models: z.array(labelSchema).min(1).max(20).optional(),
  /** Firmware at least this version (inclusive). */
  firmwareMin: versionSchema.optional(),
  /** Firmware at most this version (inclusive). */
  firmwareMax: versionSchema.optional(),
  /** Every one of these tags. */
  tags: z.array(labelSchema).min(1).max(20).optional(),
  /** Any of these sites: the `site:<name>` tag. */
  sites: z.array(labelSchema).min(1).max(20).optional(),
  /** An active entitlement to the item, in this mode or (without one) in either. */
  entitledTo: z
    .strictObject({ itemId: itemIdSchema, mode: checkoutModeSchema.optional() })
    .optional(),
  installed: installedVersionFilterSchema.optional(),
});
export type DeviceGroupFilter = z.infer<typeof deviceGroupFilterSchema>;

export const deviceGroupKindSchema = z.enum(['static', 'dynamic']);
export type DeviceGroupKind = z.infer<typeof deviceGroupKindSchema>;

export const deviceGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: deviceGroupKindSchema,
  /** The saved filter of a dynamic group; null for a static one. */
  filter: deviceGroupFilterSchema.nullable(),
  /** Members now: the listed devices, or the devices the filter matches at this moment. */
  deviceCount: z.number().int().nonnegative(),
  /** Draft, running or paused rollouts that target the group; while there are any, it cannot be deleted. */
  activeRolloutCount: z.number().int().nonnegative(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type DeviceGroup = z.infer<typeof deviceGroupSchema>;

export const deviceGroupsPageSchema = pageSchema(deviceGroupSchema);
export type DeviceGroupsPage = z.infer<typeof deviceGroupsPageSchema>;

export const deviceGroupsQuerySchema = z.object({
  /** Part of the name, in any case. */
  q: z.string().trim().max(100).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type DeviceGroupsQuery = z.input<typeof deviceGroupsQuerySchema>;

/** `GET /api/device-groups/:id?cursor=&limit=`: the group and a page of its members, by device ID. */
export const deviceGroupMembersQuerySchema = z.object({ cursor: cursorSchema, limit: limitSchema });
export type DeviceGroupMembersQuery = z.input<typeof deviceGroupMembersQuerySchema>;

export const deviceGroupDetailSchema = deviceGroupSchema.extend({
  /** The devices list's shape: the same page `GET /api/devices?groupId=` answers. */
  members: devicesPageSchema,
});
export type DeviceGroupDetail = z.infer<typeof deviceGroupDetailSchema>;

export const MAX_STATIC_GROUP_DEVICES = 5000;

const groupNameSchema = z.string().trim().min(1, 'give the group a name').max(80);
const staticDeviceIdsSchema = z
  .array(deviceIdSchema)
  .min(1, 'choose at least one device')
  .max(
    MAX_STATIC_GROUP_DEVICES,
    `at most ${MAX_STATIC_GROUP_DEVICES} devices; use a filter for more`,
  );

export const createDeviceGroupRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    name: groupNameSchema,
    kind: z.literal('static'),
    deviceIds: staticDeviceIdsSchema,
  }),
  z.strictObject({
    name: groupNameSchema,
    kind: z.literal('dynamic'),
    filter: deviceGroupFilterSchema,
  }),
]);
export type CreateDeviceGroupRequest = z.infer<typeof createDeviceGroupRequestSchema>;

/** Rename, replace a static group's devices, or replace a dynamic group's filter. */
export const updateDeviceGroupRequestSchema = z
  .strictObject({
    name: groupNameSchema.optional(),
    deviceIds: staticDeviceIdsSchema.optional(),
    filter: deviceGroupFilterSchema.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'change at least the name, the devices or the filter',
  );
export type UpdateDeviceGroupRequest = z.infer<typeof updateDeviceGroupRequestSchema>;

/**
 * `POST /api/device-groups/preview`: how many devices a filter matches now, before it is saved,
 * so that whoever shapes a dynamic group sees its size as they go.
 */
export const deviceGroupPreviewRequestSchema = z.strictObject({ filter: deviceGroupFilterSchema });
export type DeviceGroupPreviewRequest = z.infer<typeof deviceGroupPreviewRequestSchema>;

export const deviceGroupPreviewSchema = z.object({
  deviceCount: z.number().int().nonnegative(),
});
export type DeviceGroupPreview = z.infer<typeof deviceGroupPreviewSchema>;
