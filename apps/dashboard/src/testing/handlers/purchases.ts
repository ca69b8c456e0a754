import { http, HttpResponse } from 'msw';
import {
  purchaseDetailSchema,
  purchaseSchema,
  purchasesPageSchema,
  purchasesQuerySchema,
  refundSchema,
  type Purchase,
  type PurchaseDetail,
} from '@repo/schemas';
import { apiError } from './errors';
import { items } from './marketplaces';

const DEVICES = ['ACM-THE-0003', 'ACM-THE-0006', 'ACM-CAM-0001', 'ACM-CAM-0004'];

/** Thirty purchases, newest first, validated by the schema the client parses with. */
export const purchases: Purchase[] = Array.from({ length: 30 }, (_, i) => {
  const item = items[i % 2]!;
  return purchaseSchema.parse({
    id: `pur_${String(i + 1).padStart(32, '0')}`,
    deviceId: DEVICES[i % DEVICES.length],
    itemId: item.id,
    itemName: item.name,
    price: item.price,
    mode: i % 3 === 0 ? 'test' : 'live',
    status: i % 7 === 3 ? 'refunded' : 'active',
    checkoutSessionId: `chk_${String(i + 1).padStart(32, '0')}`,
    createdAt: new Date(Date.parse('2026-11-20T12:00:00.000Z') - i * 6 * 3_600_000).toISOString(),
    refundedAt: i % 7 === 3 ? '2026-11-21T08:00:00.000Z' : null,
  });
});

export function purchaseDetailFixture(purchase: Purchase): PurchaseDetail {
  return purchaseDetailSchema.parse({
    ...purchase,
    device: {
      id: purchase.deviceId,
      name: 'Lyon thermostat 3',
      model: 'thermo-x1',
      firmwareVersion: '2.0.1',
    },
    fees: {
      price: purchase.price,
      platformFee: { amount: 75, currency: 'eur' },
      providerNet: { amount: purchase.price.amount - 75, currency: 'eur' },
    },
    checkoutSession: {
      id: purchase.checkoutSessionId,
      status: 'complete',
      paymentStatus: 'paid',
      createdAt: purchase.createdAt,
      createdBy: 'admin@acme.example',
      amounts: { currency: 'eur', subtotal: 1499, platformFee: 75, total: 1499 },
      amountRefunded: 0,
      attempts: [
        {
          id: 1,
          kind: 'created',
          detail: null,
          stripeEventId: null,
          createdAt: purchase.createdAt,
        },
        {
          id: 2,
          kind: 'paid',
          detail: 'Payment confirmed by a webhook event.',
          stripeEventId: 'evt_1',
          createdAt: purchase.createdAt,
        },
        {
          id: 3,
          kind: 'fulfilled',
          detail: '1 purchase(s) and entitlement(s) recorded.',
          stripeEventId: 'evt_1',
          createdAt: purchase.createdAt,
        },
      ],
    },
    stripe: { checkoutSessionId: 'cs_test_1', paymentIntentId: 'pi_1', refundId: null },
    entitlement: {
      id: 'ent_1',
      mode: purchase.mode,
      status: 'active',
      createdAt: purchase.createdAt,
      revokedAt: null,
    },
    refund: null,
    installs: [
      {
        id: 'job_1',
        deviceId: purchase.deviceId,
        itemId: purchase.itemId,
        itemName: purchase.itemName,
        releaseId: 'rel_1',
        version: '2.0.0',
        status: 'succeeded',
        attempt: 1,
        retryOf: null,
        progress: 100,
        reason: null,
        createdAt: purchase.createdAt,
        updatedAt: purchase.createdAt,
        finishedAt: purchase.createdAt,
      },
    ],
  });
}

export const purchaseState = {
  listRequests: [] as URL[],
  refundRequests: [] as { purchaseId: string; idempotencyKey: string | null }[],
  details: new Map<string, PurchaseDetail>(),
};

export const purchaseHandlers = [
  http.get('/api/purchases', ({ request }) => {
    const url = new URL(request.url);
    purchaseState.listRequests.push(url);
    const query = purchasesQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return apiError(400, 'VALIDATION_FAILED', 'The request query is not valid.');
    const q = query.data;
    const matching = purchases.filter(
      (p) =>
        (!q.deviceId ||
          (q.deviceIdMatch === 'prefix'
            ? p.deviceId.toLowerCase().startsWith(q.deviceId.toLowerCase())
            : p.deviceId.toLowerCase() === q.deviceId.toLowerCase())) &&
        (!q.itemId || p.itemId === q.itemId) &&
        (!q.status || p.status === q.status) &&
        (!q.mode || p.mode === q.mode) &&
        (!q.from || p.createdAt.slice(0, 10) >= q.from) &&
        (!q.to || p.createdAt.slice(0, 10) <= q.to),
    );
    const offset = Number(q.cursor ?? 0);
    return HttpResponse.json(
      purchasesPageSchema.parse({
        items: matching.slice(offset, offset + q.limit),
        nextCursor: offset + q.limit < matching.length ? String(offset + q.limit) : null,
        total: matching.length,
      }),
    );
  }),
  http.get('/api/purchases/:id', ({ params }) => {
    const id = String(params.id);
    const known = purchaseState.details.get(id);
    if (known) return HttpResponse.json(purchaseDetailSchema.parse(known));
    const purchase = purchases.find((p) => p.id === id);
    return purchase
      ? HttpResponse.json(purchaseDetailFixture(purchase))
      : apiError(404, 'NOT_FOUND', 'Purchase was not found.');
  }),
  http.post('/api/purchases/:id/refund', ({ params, request }) => {
    const id = String(params.id);
    purchaseState.refundRequests.push({
      purchaseId: id,
      idempotencyKey: request.headers.get('Idempotency-Key'),
    });
    const purchase = purchases.find((p) => p.id === id);
    if (!purchase) return apiError(404, 'NOT_FOUND', 'Purchase was not found.');
    const detail = purchaseState.details.get(id) ?? purchaseDetailFixture(purchase);
    // One refund per purchase, as the BFF keeps it: asking again answers the same one.
    const refund =
      detail.refund ??
      refundSchema.parse({
        id: 'rfd_1',
        purchaseId: id,
        amount: purchase.price,
        status: 'requested',
        createdAt: '2026-11-21T09:00:00.000Z',
        completedAt: null,
        reason: null,
      });
    purchaseState.details.set(id, { ...detail, refund });
    return HttpResponse.json(refund);
  }),
];
