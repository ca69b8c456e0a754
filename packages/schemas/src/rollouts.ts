import { z } from 'zod';
import { checkoutModeSchema, cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';
import { deviceGroupFilterSchema } from './device-groups';
import { deviceGroupIdSchema } from './devices';
import { installStatusSchema } from './installs';

/**
 * Staged rollouts: one release put on the devices of a target that are entitled to its item (in
 * the rollout's mode) and able to run it, phase by phase. Phases are numbered from 0 on the wire
 * (`currentPhase`, `phase`); people read them from 1.
 */

export const rolloutIdSchema = z.string().regex(/^rol_[a-f0-9]{32}$/, 'a rollout id');

export const rolloutStatusSchema = z.enum(['draft', 'running', 'paused', 'completed', 'aborted']);
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;

/**
 * Where one device of a rollout stands: `waiting` for its phase, `active` (an install queued or on
 * its way), `succeeded`, `failed`, `cancelled` (the rollout was aborted first), `removed` (its
 * entitlement ended, or its install was cancelled by hand).
 */
export const rolloutDeviceStateSchema = z.enum([
  'waiting',
  'active',
  'succeeded',
  'failed',
  'cancelled',
  'removed',
]);
export type RolloutDeviceState = z.infer<typeof rolloutDeviceStateSchema>;

/**
 * A phase's size, counted from the start of the rollout: a share of all its devices (`percent`,
 * rounded up) or a number of devices (`count`). The last phase always takes every device.
 */
export const rolloutPhasePlanSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), value: z.number().gt(0).max(100) }),
  z.strictObject({ kind: z.literal('count'), value: z.number().int().min(1).max(10_000_000) }),
]);
export type RolloutPhasePlanInput = z.infer<typeof rolloutPhasePlanSchema>;

/** UTC hours [startHour, endHour) in which installs are sent; it may wrap midnight (22 → 4). */
export const maintenanceWindowSchema = z.strictObject({
  startHour: z.number().int().min(0).max(23),
  endHour: z.number().int().min(0).max(23),
});
export type MaintenanceWindowInput = z.infer<typeof maintenanceWindowSchema>;

/** Which devices a rollout aims at, before they are narrowed to the entitled and compatible. */
export const rolloutTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('group'), groupId: deviceGroupIdSchema }),
  z.strictObject({ kind: z.literal('filter'), filter: deviceGroupFilterSchema }),
  /** Every device entitled to the release's item in the rollout's mode. */
  z.strictObject({ kind: z.literal('entitled') }),
]);
export type RolloutTarget = z.infer<typeof rolloutTargetSchema>;

const releaseIdSchema = z.string().trim().min(1).max(128);

export const MAX_ROLLOUT_PHASES = 10;

/** Shares from 0 to 1 (0.95 is 95 %), kept to a hundredth of a per cent. */
export const createRolloutRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'give the rollout a name').max(100),
  releaseId: releaseIdSchema,
  /** Which entitlements count: test-mode ones install on test devices only. */
  mode: checkoutModeSchema,
  target: rolloutTargetSchema,
  phases: z.array(rolloutPhasePlanSchema).min(1).max(MAX_ROLLOUT_PHASES),
  /** Share of a phase's devices that must have installed before the next phase starts. */
  successThreshold: z.number().min(0.0001).max(1),
  /** Share of failures among a phase's finished installs above which the rollout pauses. */
  errorThreshold: z.number().min(0).max(0.9999),
  maintenanceWindow: maintenanceWindowSchema.nullable().default(null),
});
export type CreateRolloutRequest = z.input<typeof createRolloutRequestSchema>;

/** The create body without what does not change the devices (the phases default to one of 100 %). */
export const rolloutPreviewRequestSchema = createRolloutRequestSchema
  .partial({ name: true, successThreshold: true, errorThreshold: true, maintenanceWindow: true })
  .extend({
    phases: z
      .array(rolloutPhasePlanSchema)
      .min(1)
      .max(MAX_ROLLOUT_PHASES)
      .default([{ kind: 'percent', value: 100 }]),
  });
export type RolloutPreviewRequest = z.input<typeof rolloutPreviewRequestSchema>;

/** Why a device the target names is left out. */
export const rolloutExclusionReasonSchema = z.enum([
  /** No active entitlement to the item in the rollout's mode. */
  'not_entitled',
  /** A test-mode rollout installs on test devices only. */
  'not_test_device',
  'model_not_supported',
  'firmware_too_old',
  /** It already runs the release's version. */
  'already_installed',
  /** Another running or paused rollout of the same item has it. */
  'in_another_rollout',
]);
export type RolloutExclusionReason = z.infer<typeof rolloutExclusionReasonSchema>;

export const MAX_PREVIEW_EXCLUDED_DEVICES = 200;

export const rolloutPreviewSchema = z.object({
  itemId: z.string(),
  itemName: z.string(),
  releaseId: z.string(),
  version: z.string(),
  /** Devices the target names. */
  targeted: z.number().int().nonnegative(),
  /** Devices the rollout would install on. */
  total: z.number().int().nonnegative(),
  phases: z.array(
    z.object({
      phase: z.number().int().nonnegative(),
      /** Devices in this phase. */
      devices: z.number().int().nonnegative(),
      /** Devices from the start up to the end of this phase. */
      cumulative: z.number().int().nonnegative(),
    }),
  ),
  excluded: z.object({
    total: z.number().int().nonnegative(),
    byReason: z.array(
      z.object({ reason: rolloutExclusionReasonSchema, count: z.number().int().positive() }),
    ),
    /** The first ones by device ID, each with its reason in words ("already runs 2.0.0"). */
    devices: z.array(
      z.object({ deviceId: z.string(), reason: rolloutExclusionReasonSchema, message: z.string() }),
    ),
    truncated: z.boolean(),
  }),
});
export type RolloutPreview = z.infer<typeof rolloutPreviewSchema>;

/** The target as the rollout keeps it: a deleted group is remembered by its name. */
export const rolloutTargetViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), groupId: z.string().nullable(), groupName: z.string() }),
  z.object({ kind: z.literal('filter'), filter: deviceGroupFilterSchema }),
  z.object({ kind: z.literal('entitled') }),
]);
export type RolloutTargetView = z.infer<typeof rolloutTargetViewSchema>;

export const rolloutStateCountsSchema = z.object({
  waiting: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
});
export type RolloutStateCounts = z.infer<typeof rolloutStateCountsSchema>;

export const rolloutSchema = z.object({
  id: z.string(),
  name: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  releaseId: z.string(),
  version: z.string(),
  mode: checkoutModeSchema,
  target: rolloutTargetViewSchema,
  phases: z.array(rolloutPhasePlanSchema),
  successThreshold: z.number(),
  errorThreshold: z.number(),
  maintenanceWindow: maintenanceWindowSchema.nullable(),
  status: rolloutStatusSchema,
  /** The phase being rolled out, from 0; -1 before the start. */
  currentPhase: z.number().int().min(-1),
  /** Why it is paused, for people; null unless paused. */
  pauseReason: z.string().nullable(),
  /** Devices enrolled at the start and since (0 for a draft). */
  deviceCount: z.number().int().nonnegative(),
  /** Those devices by state, over every phase. */
  counts: rolloutStateCountsSchema,
  /** The email of whoever created it. */
  createdBy: z.string().nullable(),
  createdAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  updatedAt: isoDateTime,
});
export type Rollout = z.infer<typeof rolloutSchema>;

export const rolloutsPageSchema = pageSchema(rolloutSchema);
export type RolloutsPage = z.infer<typeof rolloutsPageSchema>;

export const rolloutsQuerySchema = z.object({
  status: rolloutStatusSchema.optional(),
  itemId: z.string().trim().min(1).max(64).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type RolloutsQuery = z.input<typeof rolloutsQuerySchema>;

export const rolloutEventKindSchema = z.enum([
  'created',
  'started',
  'phase_started',
  'paused',
  'resumed',
  'retried',
  'aborted',
  'completed',
]);
export type RolloutEventKind = z.infer<typeof rolloutEventKindSchema>;

/** One entry of a rollout's history, oldest first. */
export const rolloutEventSchema = z.object({
  id: z.number().int(),
  kind: rolloutEventKindSchema,
  /** The pause reason, the phase's size, …, in words. */
  detail: z.string().nullable(),
  /** The email of who did it; null when the rollout did it by itself. */
  actor: z.string().nullable(),
  createdAt: isoDateTime,
});
export type RolloutEvent = z.infer<typeof rolloutEventSchema>;

export const rolloutPhaseProgressSchema = z.object({
  phase: z.number().int().nonnegative(),
  plan: rolloutPhasePlanSchema,
  /** Devices the phase counts now (those removed or cancelled left it). */
  devices: z.number().int().nonnegative(),
  counts: rolloutStateCountsSchema,
});
export type RolloutPhaseProgress = z.infer<typeof rolloutPhaseProgressSchema>;

export const rolloutDetailSchema = rolloutSchema.extend({
  /** One entry per planned phase, in order. */
  progress: z.array(rolloutPhaseProgressSchema),
  events: z.array(rolloutEventSchema),
  /** Whether devices are handed its installs at this moment: running and within its window. */
  sendingNow: z.boolean(),
});
export type RolloutDetail = z.infer<typeof rolloutDetailSchema>;

export const rolloutDevicesQuerySchema = z.object({
  state: rolloutDeviceStateSchema.optional(),
  phase: z.coerce
    .number<string | number>()
    .int()
    .min(0)
    .max(MAX_ROLLOUT_PHASES - 1)
    .optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type RolloutDevicesQuery = z.input<typeof rolloutDevicesQuerySchema>;

export const rolloutDeviceSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  phase: z.number().int().nonnegative(),
  state: rolloutDeviceStateSchema,
  /** Why it failed (the install job's reason), was removed or cancelled. */
  reason: z.string().nullable(),
  installJobId: z.string().nullable(),
  installStatus: installStatusSchema.nullable(),
  attempt: z.number().int().positive().nullable(),
  updatedAt: isoDateTime,
});
export type RolloutDevice = z.infer<typeof rolloutDeviceSchema>;

export const rolloutDevicesPageSchema = pageSchema(rolloutDeviceSchema);
export type RolloutDevicesPage = z.infer<typeof rolloutDevicesPageSchema>;

export const pauseRolloutRequestSchema = z.strictObject({
  /** Shown with the pause: "Paused by operator@acme.example: <reason>". */
  reason: z.string().trim().min(1).max(500).optional(),
});
export type PauseRolloutRequest = z.infer<typeof pauseRolloutRequestSchema>;
