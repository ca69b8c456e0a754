import { http, HttpResponse } from 'msw';
import {
  auditEntrySchema,
  auditPageSchema,
  auditQuerySchema,
  dateBoundToIso,
  type AuditActor,
  type AuditEntry,
} from '@repo/schemas';
import { authState } from './auth';
import { apiError } from './errors';
import { purchases } from './purchases';

const hex = (n: number) => n.toString(16).padStart(32, '0');

export const auditActors = {
  admin: { type: 'user', userId: 'usr_acme_admin', email: 'admin@acme.example' },
  operator: { type: 'user', userId: 'usr_acme_operator', email: 'operator@acme.example' },
  support: { type: 'user', userId: 'usr_acme_support', email: 'support@acme.example' },
  webShop: {
    type: 'api_key',
    apiKeyId: `key_${hex(7)}`,
    name: 'Web shop',
    prefix: 'mk_live_Ab12',
  },
  system: { type: 'system' },
} satisfies Record<string, AuditActor>;

type Template = Omit<AuditEntry, 'id' | 'createdAt' | 'requestId'>;

/** What an organisation's day looks like in the log, as the BFF records it. */
function template(n: number): Template {
  const purchase = purchases[n % purchases.length]!;
  switch (n % 8) {
    case 0:
      return {
        actor: auditActors.admin,
        action: 'auth.login',
        objectType: 'user',
        objectId: 'usr_acme_admin',
        details: null,
      };
    case 1:
      return {
        actor: auditActors.admin,
        action: 'checkout.create',
        objectType: 'checkout_session',
        objectId: purchase.checkoutSessionId,
        details: { mode: purchase.mode, itemIds: [purchase.itemId], devices: 1, total: 1499 },
      };
    case 2:
      return {
        actor: auditActors.operator,
        action: 'install.queue',
        objectType: 'install_job',
        objectId: `inst_${hex(n)}`,
        details: { deviceId: 'ACM-THE-0003', releaseId: 'rel_eco_scheduler_2_0_0', attempt: 1 },
      };
    case 3:
      return {
        actor: auditActors.webShop,
        action: 'checkout.create',
        objectType: 'checkout_session',
        objectId: `chk_${hex(100 + n)}`,
        details: {
          mode: 'live',
          itemIds: ['item_eco_scheduler'],
          devices: 2,
          total: 2998,
          apiKeyId: auditActors.webShop.apiKeyId,
        },
      };
    case 4:
      return {
        actor: auditActors.system,
        action: 'purchase.refund',
        objectType: 'purchase',
        objectId: purchase.id,
        details: {
          refundId: `rfd_${hex(n)}`,
          amount: 1499,
          automatic: true,
          ownerPurchaseId: purchases[0]!.id,
        },
      };
    case 5:
      return {
        actor: auditActors.support,
        action: 'auth.login',
        objectType: 'user',
        objectId: 'usr_acme_support',
        details: null,
      };
    case 6:
      return {
        actor: auditActors.admin,
        action: 'purchase.refund',
        objectType: 'purchase',
        objectId: purchase.id,
        details: { refundId: `rfd_${hex(n)}`, amount: 1499 },
      };
    default:
      return {
        actor: auditActors.operator,
        action: 'install.cancel',
        objectType: 'install_job',
        objectId: `inst_${hex(n - 5)}`,
        details: { from: 'queued' },
      };
  }
}

/** Sixty entries, newest first, one every three hours back from the fixtures' "now". */
export const auditEntries: AuditEntry[] = Array.from({ length: 60 }, (_, i) =>
  auditEntrySchema.parse({
    id: 60 - i,
    ...template(60 - i),
    requestId: `req_${hex(60 - i).slice(-12)}`,
    createdAt: new Date(Date.parse('2026-11-21T14:00:00.000Z') - i * 3 * 3_600_000).toISOString(),
  }),
);

export const auditState = { listRequests: [] as URL[] };

export function resetAuditState(): void {
  auditState.listRequests.length = 0;
}

/** `actor` as the BFF reads it: an email, a user, key or link id, or `system`. */
function actedBy(actor: AuditActor, wanted: string): boolean {
  const value = wanted.toLowerCase();
  switch (actor.type) {
    case 'user':
      return actor.email.toLowerCase() === value || actor.userId === wanted;
    case 'api_key':
      return actor.apiKeyId === wanted;
    case 'payment_link':
      return actor.paymentLinkId === wanted;
    case 'system':
      return value === 'system';
  }
}

export const auditHandlers = [
  http.get('/api/audit', ({ request }) => {
    const url = new URL(request.url);
    auditState.listRequests.push(url);
    if (authState.me.user.role !== 'admin')
      return apiError(403, 'FORBIDDEN', 'Only admins can read the audit log.');
    const query = auditQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return apiError(400, 'VALIDATION_FAILED', 'The request query is not valid.');
    const q = query.data;
    const matching = auditEntries.filter(
      (e) =>
        (!q.actor || actedBy(e.actor, q.actor)) &&
        (!q.action || e.action === q.action) &&
        (!q.objectType || e.objectType === q.objectType) &&
        (!q.objectId || e.objectId === q.objectId) &&
        (!q.from || e.createdAt >= dateBoundToIso(q.from, 'start')) &&
        (!q.to || e.createdAt <= dateBoundToIso(q.to, 'end')),
    );
    const offset = Number(q.cursor ?? 0);
    return HttpResponse.json(
      auditPageSchema.parse({
        items: matching.slice(offset, offset + q.limit),
        nextCursor: offset + q.limit < matching.length ? String(offset + q.limit) : null,
        total: matching.length,
      }),
    );
  }),
];
