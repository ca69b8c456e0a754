import { z } from 'zod';
import { cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';

/**
 * A device ID as printed on the device: letters, digits, dashes, dots and underscores, in any case.
 * Parsed into the canonical form of the device-ID rule (normaliseDeviceId in @repo/domain: trimmed,
 * upper case), so that every door parsed with it finds the same device whatever case was typed.
 */
export const deviceIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"')
  .toUpperCase();

export const deviceGroupIdSchema = z.string().regex(/^grp_[a-f0-9]{32}$/, 'a device group id');

export const deviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  tags: z.array(z.string()),
  lastSeenAt: isoDateTime.nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const devicesPageSchema = pageSchema(deviceSchema);
export type DevicesPage = z.infer<typeof devicesPageSchema>;

export const devicesQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  model: z.string().trim().max(64).optional(),
  firmware: z.string().trim().max(32).optional(),
  tag: z.string().trim().max(64).optional(),
  /** Devices with at least one active entitlement (`active`), or with none (`none`). */
  entitlement: z.enum(['active', 'none']).optional(),
  /** The members of one device group (device-groups.ts), with the other filters on top. */
  groupId: deviceGroupIdSchema.optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type DevicesQuery = z.input<typeof devicesQuerySchema>;

export const deviceFacetsSchema = z.object({
  models: z.array(z.string()),
  firmwareVersions: z.array(z.string()),
  tags: z.array(z.string()),
});
export type DeviceFacets = z.infer<typeof deviceFacetsSchema>;

export const deviceIdsSchema = z.object({
  ids: z.array(z.string()),
  total: z.number().int().nonnegative(),
  /** True when more devices match than one basket can hold; only the first ones are listed. */
  truncated: z.boolean(),
});
export type DeviceIds = z.infer<typeof deviceIdsSchema>;
