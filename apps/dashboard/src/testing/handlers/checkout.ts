import { http, HttpResponse } from 'msw';
import {
  checkoutSessionSchema,
  createCheckoutSessionRequestSchema,
  deviceIdSchema,
  validateDevicesRequestSchema,
  validateDevicesResponseSchema,
  type CheckoutSession,
  type DeviceValidationResult,
} from '@repo/schemas';
import { devices } from './devices';
import { apiError } from './errors';
import { items } from './marketplaces';

/** Devices of another organisation, and devices that already own an item, as the BFF would know. */
export const foreignDeviceIds = ['GLX-TX1-0004'];
export const alreadyOwned = { deviceId: 'ACM-THE-0006', itemId: 'item_eco_scheduler' };
/** A device another tab put in an open checkout between the basket check and the payment. */
export const takenMeanwhile = {
  deviceId: 'ACM-THE-0012',
  checkoutSessionId: 'chk_00000000000000000000000000000012',
};
/** A device whose item is being paid for in another open checkout. */
export const inOpenCheckout = {
  deviceId: 'ACM-THE-0009',
  itemId: 'item_eco_scheduler',
  checkoutSessionId: 'chk_00000000000000000000000000000009',
};

export const checkoutState = {
  createRequests: [] as { body: unknown; idempotencyKey: string | null }[],
  sessions: new Map<string, CheckoutSession>(),
};

/** A small stand-in for the BFF's basket check, answering in the shared schema. */
function validate(body: unknown) {
  const request = validateDevicesRequestSchema.parse(body);
  const chosen = request.itemIds.map((id) => items.find((i) => i.id === id));
  const seen = new Set<string>();
  const results: DeviceValidationResult[] = request.deviceIds.map((input) => {
    const base = { input, itemIds: [] as string[] };
    const parsed = deviceIdSchema.safeParse(input);
    if (!parsed.success)
      return { ...base, deviceId: null, status: 'invalid', message: 'Not a device ID.' };
    const id = parsed.data;
    if (seen.has(id))
      return {
        ...base,
        deviceId: id,
        status: 'duplicate',
        message: 'This device is already in the basket.',
      };
    seen.add(id);
    if (foreignDeviceIds.includes(id)) {
      return {
        ...base,
        deviceId: id,
        status: 'not_in_organisation',
        message: 'This device does not belong to your organisation.',
      };
    }
    const device = devices.find((d) => d.id === id);
    if (!device)
      return { ...base, deviceId: id, status: 'unknown', message: 'No device has this ID.' };
    const incompatible = chosen
      .filter((i) => i && !i.compatibleModels.includes(device.model))
      .map((i) => i!.id);
    if (incompatible.length) {
      return {
        input,
        deviceId: id,
        status: 'incompatible',
        message: `A ${device.model} cannot run it.`,
        itemIds: incompatible,
      };
    }
    if (
      request.mode &&
      id === alreadyOwned.deviceId &&
      request.itemIds.includes(alreadyOwned.itemId)
    ) {
      return {
        input,
        deviceId: id,
        status: 'already_entitled',
        message: 'Already owns it.',
        itemIds: [alreadyOwned.itemId],
      };
    }
    // Once a payment was tried for it, the BFF knows the other tab's checkout holds it.
    const tried = checkoutState.createRequests.some((r) =>
      (r.body as { deviceIds: string[] }).deviceIds.includes(id),
    );
    if (request.mode && id === takenMeanwhile.deviceId && tried) {
      return {
        input,
        deviceId: id,
        status: 'in_checkout',
        message: `Eco Scheduler already in open checkout ${takenMeanwhile.checkoutSessionId}.`,
        itemIds: request.itemIds,
        checkoutSessionId: takenMeanwhile.checkoutSessionId,
      };
    }
    if (
      request.mode &&
      request.ownCheckoutSessionId !== inOpenCheckout.checkoutSessionId &&
      id === inOpenCheckout.deviceId &&
      request.itemIds.includes(inOpenCheckout.itemId)
    ) {
      return {
        input,
        deviceId: id,
        status: 'in_checkout',
        message: `Eco Scheduler already in open checkout ${inOpenCheckout.checkoutSessionId}.`,
        itemIds: [inOpenCheckout.itemId],
        checkoutSessionId: inOpenCheckout.checkoutSessionId,
      };
    }
    return { ...base, deviceId: id, status: 'ok', message: 'OK' };
  });
  const itemResults = request.itemIds.map((itemId) => {
    const item = items.find((i) => i.id === itemId);
    return item?.listed
      ? { itemId, status: 'ok' as const, message: 'OK' }
      : {
          itemId,
          status: item ? ('unlisted' as const) : ('unknown' as const),
          message: 'Cannot be bought.',
        };
  });
  const valid =
    results.every((r) => r.status === 'ok') && itemResults.every((r) => r.status === 'ok');
  const lines = chosen.flatMap((item) =>
    item
      ? [
          {
            itemId: item.id,
            name: item.name,
            unitAmount: item.price.amount,
            quantity: results.length,
            amount: item.price.amount * results.length,
          },
        ]
      : [],
  );
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  return validateDevicesResponseSchema.parse({
    valid,
    results,
    items: itemResults,
    quote: valid
      ? {
          currency: 'eur',
          subtotal,
          platformFee: Math.round(subtotal * 0.05),
          total: subtotal,
          lines,
        }
      : null,
  });
}

/** An open, unpaid session as the BFF describes it; tests change what they need. */
export function checkoutSessionFixture(overrides: Partial<CheckoutSession> = {}): CheckoutSession {
  return checkoutSessionSchema.parse({
    id: `chk_${'a'.repeat(32)}`,
    instanceId: 'mkt_eu',
    mode: 'test',
    status: 'open',
    paymentStatus: 'unpaid',
    phase: 'open',
    checkoutUrl: 'http://localhost:12111/checkout/cs_test_1',
    expiresAt: '2026-11-21T15:00:00.000Z',
    createdAt: '2026-11-21T14:00:00.000Z',
    amounts: { currency: 'eur', subtotal: 1499, platformFee: 75, total: 1499 },
    itemIds: ['item_eco_scheduler'],
    deviceIds: ['ACM-THE-0003'],
    fulfilled: false,
    stripeSessionId: 'cs_test_1',
    attempts: [
      {
        id: 1,
        kind: 'created',
        detail: null,
        stripeEventId: null,
        createdAt: '2026-11-21T14:00:00.000Z',
      },
    ],
    purchases: [],
    ...overrides,
  });
}

export const checkoutHandlers = [
  http.post('/api/devices/validate', async ({ request }) =>
    HttpResponse.json(validate(await request.json())),
  ),
  http.post('/api/checkout-sessions', async ({ request }) => {
    const body = createCheckoutSessionRequestSchema.parse(await request.json());
    const idempotencyKey = request.headers.get('Idempotency-Key');
    checkoutState.createRequests.push({ body, idempotencyKey });
    // Same key, same answer, as the BFF does.
    const replayed = [...checkoutState.sessions.values()].find(
      (x) => idempotencyKey && x.id.endsWith(idempotencyKey.slice(0, 8)),
    );
    if (replayed) return HttpResponse.json(replayed, { status: 201 });
    if (body.mode === 'live')
      return apiError(422, 'MODE_NOT_CONFIGURED', 'Live mode is not set up.');
    if (body.deviceIds.includes(takenMeanwhile.deviceId))
      return apiError(
        409,
        'ALREADY_OWNED_OR_IN_CHECKOUT',
        'Some devices already own these products or are being paid for in another open checkout. Nothing was created.',
        'req-test-1',
        [
          {
            path: `deviceIds.${body.deviceIds.indexOf(takenMeanwhile.deviceId)}`,
            deviceId: takenMeanwhile.deviceId,
            itemId: body.itemIds[0]!,
            checkoutSessionId: takenMeanwhile.checkoutSessionId,
            message: `${takenMeanwhile.deviceId}: Eco Scheduler is in open checkout ${takenMeanwhile.checkoutSessionId}; continue or cancel it.`,
          },
        ],
      );
    // The id ends with the key's first characters, so that a replay can find it.
    const id = `chk_${'0'.repeat(24)}${(idempotencyKey ?? '00000000').slice(0, 8)}`;
    const n = checkoutState.sessions.size + 1;
    const session = checkoutSessionFixture({
      id,
      mode: body.mode,
      checkoutUrl: `http://localhost:12111/checkout/cs_test_${n}`,
      stripeSessionId: `cs_test_${n}`,
      itemIds: body.itemIds,
      deviceIds: body.deviceIds,
    });
    checkoutState.sessions.set(id, session);
    return HttpResponse.json(session, { status: 201 });
  }),
  http.get('/api/checkout-sessions/:id', ({ params }) => {
    const session = checkoutState.sessions.get(String(params.id));
    return session
      ? HttpResponse.json(checkoutSessionSchema.parse(session))
      : apiError(404, 'NOT_FOUND', 'Checkout session was not found.');
  }),
];
