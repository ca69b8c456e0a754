import { z } from 'zod';
import { cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';
import { deviceIdSchema } from './devices';

export const installStatusSchema = z.enum([
  'queued',
  'sent',
  'downloading',
  'installing',
  'succeeded',
  'failed',
  'cancelled',
]);
export type InstallStatus = z.infer<typeof installStatusSchema>;

export const installJobSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  releaseId: z.string(),
  version: z.string(),
  status: installStatusSchema,
  /** 1 for the first try; a retry is a new job with the next attempt number. */
  attempt: z.number().int().positive(),
  retryOf: z.string().nullable(),
  progress: z.number().int().min(0).max(100).nullable(),
  /** Why the job failed or was cancelled. */
  reason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export type InstallJob = z.infer<typeof installJobSchema>;

/** One state a job went through, as recorded when it happened: the job's history. */
export const installJobEventSchema = z.object({
  status: installStatusSchema,
  progress: z.number().int().min(0).max(100).nullable(),
  /** Why it failed or was cancelled. */
  detail: z.string().nullable(),
  createdAt: isoDateTime,
});
export type InstallJobEvent = z.infer<typeof installJobEventSchema>;

export const installJobEventsSchema = z.object({ items: z.array(installJobEventSchema) });
export type InstallJobEvents = z.infer<typeof installJobEventsSchema>;

export const installJobsPageSchema = pageSchema(installJobSchema);
export type InstallJobsPage = z.infer<typeof installJobsPageSchema>;

export const installsQuerySchema = z.object({
  status: installStatusSchema.optional(),
  deviceId: deviceIdSchema.optional(),
  itemId: z.string().trim().min(1).max(64).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type InstallsQuery = z.input<typeof installsQuerySchema>;

const releaseIdSchema = z.string().trim().min(1).max(128);

export const createInstallRequestSchema = z.strictObject({
  deviceId: deviceIdSchema,
  releaseId: releaseIdSchema,
});
export type CreateInstallRequest = z.infer<typeof createInstallRequestSchema>;

export const MAX_BULK_INSTALL_DEVICES = 1000;

export const bulkInstallRequestSchema = z.strictObject({
  deviceIds: z.array(deviceIdSchema).min(1).max(MAX_BULK_INSTALL_DEVICES),
  releaseId: releaseIdSchema,
});
export type BulkInstallRequest = z.infer<typeof bulkInstallRequestSchema>;

export const installRefusalSchema = z.object({
  deviceId: z.string(),
  code: z.string(),
  message: z.string(),
});
export type InstallRefusal = z.infer<typeof installRefusalSchema>;

export const bulkInstallResultSchema = z.object({
  queued: z.array(installJobSchema),
  refused: z.array(installRefusalSchema),
});
export type BulkInstallResult = z.infer<typeof bulkInstallResultSchema>;

/** What the device API hands a device: enough to fetch and install one release. */
export const deviceJobSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  releaseId: z.string(),
  version: z.string(),
  status: installStatusSchema,
});
export type DeviceJob = z.infer<typeof deviceJobSchema>;

export const deviceJobReportSchema = z.strictObject({
  status: z.enum(['downloading', 'installing', 'succeeded', 'failed']),
  progress: z.number().int().min(0).max(100).optional(),
  error: z.string().trim().min(1).max(500).optional(),
});
export type DeviceJobReport = z.infer<typeof deviceJobReportSchema>;
