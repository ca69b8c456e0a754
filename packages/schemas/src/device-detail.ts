import { z } from 'zod';
import { checkoutModeSchema, isoDateTime } from './common';
import { deviceSchema } from './devices';
import { installJobSchema } from './installs';

export const releaseSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  version: z.string(),
  minFirmware: z.string(),
  compatibleModels: z.array(z.string()),
  publishedAt: isoDateTime,
});
export type Release = z.infer<typeof releaseSchema>;

export const releasesSchema = z.object({ items: z.array(releaseSchema) });

export const entitlementSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  mode: checkoutModeSchema,
  status: z.enum(['active', 'revoked']),
  purchaseId: z.string(),
  createdAt: isoDateTime,
  revokedAt: isoDateTime.nullable(),
});
export type Entitlement = z.infer<typeof entitlementSchema>;

/** A release as seen from one device: whether it can run there, and if not, why. */
export const deviceReleaseSchema = releaseSchema.extend({
  compatible: z.boolean(),
  incompatibleReason: z.string().nullable(),
});
export type DeviceRelease = z.infer<typeof deviceReleaseSchema>;

export const installationSchema = z.object({
  releaseId: z.string(),
  version: z.string(),
  installedAt: isoDateTime,
});

/** One item the device has, had, or runs: its releases, what is installed and what is on its way. */
export const deviceItemSchema = z.object({
  itemId: z.string(),
  itemName: z.string(),
  /** An active entitlement, in either mode. */
  entitled: z.boolean(),
  releases: z.array(deviceReleaseSchema),
  installed: installationSchema.nullable(),
  activeInstall: installJobSchema.nullable(),
});
export type DeviceItem = z.infer<typeof deviceItemSchema>;

export const deviceDetailSchema = deviceSchema.extend({
  entitlements: z.array(entitlementSchema),
  items: z.array(deviceItemSchema),
  /** Newest first. */
  installs: z.array(installJobSchema),
});
export type DeviceDetail = z.infer<typeof deviceDetailSchema>;
