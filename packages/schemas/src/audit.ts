import { z } from 'zod';
import { cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';
import { dateBoundSchema, dateBoundToIso } from './purchases';

/**
 * The audit log: who did what to which object, and when. Admins only:
 * `GET /api/audit` (a cursor-paged list, newest first) and `GET /api/audit/export.csv` (the same
 * filters, every matching entry).
 */

/** The actions written today; the wire takes any action name, so a new one needs no release. */
export const AUDIT_ACTIONS = [
  'api_key.create',
  'api_key.revoke',
  'auth.login',
  'auth.logout',
  'checkout.cancel',
  'checkout.create',
  'checkout.fulfill',
  'device_group.create',
  'device_group.delete',
  'device_group.update',
  'install.cancel',
  'install.queue',
  'install.retry',
  'payment_link.create',
  'payment_link.deactivate',
  'purchase.dispute',
  'purchase.refund',
  'rollout.abort',
  'rollout.create',
  'rollout.pause',
  'rollout.resume',
  'rollout.retry_failed',
  'rollout.start',
  'webhook_delivery.resend',
  'webhook_endpoint.create',
  'webhook_endpoint.disable',
] as const;

export const AUDIT_OBJECT_TYPES = [
  'api_key',
  'checkout_session',
  'device_group',
  'install_job',
  'payment_link',
  'purchase',
  'rollout',
  'user',
  'webhook_delivery',
  'webhook_endpoint',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

const dottedName = z
  .string()
  .trim()
  .max(64)
  .regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)*$/, 'lowercase words joined by "." or "_"');

const auditFilterFields = {
  /**
   * Who acted: a user's email (any letter case) or id (`usr_…`), an API key's id (`key_…`), a
   * payment link's id (`plink_…`), or `system` for what the marketplace did by itself.
   */
  actor: z.string().trim().min(1).max(254).optional(),
  /** One action, exactly (`purchase.refund`). */
  action: dottedName.optional(),
  objectType: dottedName.optional(),
  /** Exactly, as stored (`pur_…`, `ACM-TX1-0004`). */
  objectId: z.string().trim().min(1).max(128).optional(),
  /** A UTC day (the whole day) or an exact ISO-8601 date-time; `to` is inclusive. */
  from: dateBoundSchema.optional(),
  to: dateBoundSchema.optional(),
};

function boundsInOrder(value: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (
    value.from &&
    value.to &&
    dateBoundToIso(value.from, 'start') > dateBoundToIso(value.to, 'end')
  )
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before "from"' });
}

/** Unknown parameters are refused: a misspelt filter must not quietly answer "everything". */
export const auditFiltersSchema = z.strictObject(auditFilterFields).superRefine(boundsInOrder);
export type AuditFilters = z.input<typeof auditFiltersSchema>;

export const auditQuerySchema = z
  .strictObject({ ...auditFilterFields, cursor: cursorSchema, limit: limitSchema })
  .superRefine(boundsInOrder);
export type AuditQuery = z.input<typeof auditQuerySchema>;

/**
 * Who acted. A user by id and email; an API key or a payment link when one acted for the
 * organisation (no user: the key's or link's id is in the entry's details); the marketplace itself
 * for automatic actions (a duplicate payment refunded, a webhook's effects).
 */
export const auditActorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.string(), email: z.string() }),
  z.object({
    type: z.literal('api_key'),
    apiKeyId: z.string(),
    /** Null when the key is no longer known. */
    name: z.string().nullable(),
    prefix: z.string().nullable(),
  }),
  z.object({ type: z.literal('payment_link'), paymentLinkId: z.string() }),
  z.object({ type: z.literal('system') }),
]);
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int().positive(),
  actor: auditActorSchema,
  action: z.string(),
  objectType: z.string(),
  /** Null for an action on no one object. */
  objectId: z.string().nullable(),
  /** What the action recorded beside it, as stored: any JSON, or null. Never a secret. */
  details: z.json().nullable(),
  requestId: z.string().nullable(),
  createdAt: isoDateTime,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = pageSchema(auditEntrySchema);
export type AuditPage = z.infer<typeof auditPageSchema>;
