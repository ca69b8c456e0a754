import { http, HttpResponse } from 'msw';
import {
  SEARCH_RESULTS_LIMIT,
  searchQuerySchema,
  searchResponseSchema,
  type CheckoutSession,
  type Device,
  type DeviceItemAnswer,
  type DeviceOwnership,
  type SearchResult,
} from '@repo/schemas';
import { authState } from './auth';
import { checkoutState } from './checkout';
import { developersState } from './developers';
import { devices } from './devices';
import { apiError } from './errors';
import { installsState } from './installs';
import { items } from './marketplaces';
import { purchases } from './purchases';

/** Stripe's PaymentIntent ids of our checkout sessions, which only Stripe's answers carry. */
export const searchState = {
  paymentIntents: new Map<string, string>(),
  requests: [] as string[],
};

export function resetSearchState(): void {
  searchState.paymentIntents.clear();
  searchState.requests.length = 0;
}

const day = (iso: string) => iso.slice(0, 10);

function installedVersion(deviceId: string, itemId: string): string | null {
  const job = installsState.jobs.find(
    (j) => j.deviceId === deviceId && j.itemId === itemId && j.status === 'succeeded',
  );
  return job?.version ?? null;
}

/** One line per item and mode: the newest active purchase, else the newest refunded one. */
function ownershipOf(deviceId: string): DeviceOwnership[] {
  const lines = new Map<string, DeviceOwnership>();
  // The fixture lists purchases newest first.
  for (const p of purchases.filter((x) => x.deviceId === deviceId)) {
    const key = `${p.itemId}:${p.mode}`;
    const known = lines.get(key);
    if (known && (known.status === 'active' || p.status === 'refunded')) continue;
    lines.set(key, {
      itemId: p.itemId,
      itemName: p.itemName,
      status: p.status,
      purchaseId: p.id,
      mode: p.mode,
      installedVersion: installedVersion(deviceId, p.itemId),
    });
  }
  return [...lines.values()];
}

function answerFor(device: Device, words: string): DeviceItemAnswer | null {
  const item = items.find((i) => i.id === words || i.name.toLowerCase().includes(words));
  if (!item) return null;
  const bought = purchases.filter((p) => p.deviceId === device.id && p.itemId === item.id);
  const purchase = bought.find((p) => p.status === 'active') ?? bought[0];
  return {
    itemId: item.id,
    itemName: item.name,
    owned: purchase?.status === 'active',
    purchase: purchase
      ? {
          id: purchase.id,
          status: purchase.status,
          mode: purchase.mode,
          createdAt: purchase.createdAt,
        }
      : null,
    installedVersion: installedVersion(device.id, item.id),
  };
}

function deviceResult(
  device: Device,
  matchedOn: SearchResult['matchedOn'],
  words = '',
): SearchResult {
  return {
    kind: 'device',
    id: device.id,
    title: device.id,
    subtitle: `${device.name} · ${device.model} · firmware ${device.firmwareVersion}`,
    matchedOn,
    name: device.name,
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    ownership: ownershipOf(device.id),
    answer: words ? answerFor(device, words) : null,
  };
}

function sessionResult(session: CheckoutSession, matchedOn: SearchResult['matchedOn']) {
  return {
    kind: 'checkout_session' as const,
    id: session.id,
    title: `Checkout ${session.id}`,
    subtitle: `${session.deviceIds.length} device(s) · ${session.itemIds.length} product(s) · ${day(session.createdAt)}`,
    matchedOn,
    mode: session.mode,
    status: session.status,
    paymentStatus: session.paymentStatus,
    total: { amount: session.amounts.total, currency: session.amounts.currency },
    stripeSessionId: session.stripeSessionId,
    createdAt: session.createdAt,
  };
}

/**
 * A small stand-in for the BFF's search over the other handlers' fixtures: ids by their prefix,
 * device IDs in any letter case (exactly or by their start), then item and device names. A device
 * ID followed by words that name an item answers whether the device owns it.
 */
function search(q: string): SearchResult[] {
  const [token = '', ...rest] = q.split(/\s+/);
  const first = token.toLowerCase();
  const words = rest.join(' ').toLowerCase();
  const results: SearchResult[] = [];
  const byPrefix = (id: string) => (id === token ? 'id' : 'id_prefix') as 'id' | 'id_prefix';

  if (first.startsWith('pur_'))
    for (const p of purchases.filter((x) => x.id.startsWith(token)))
      results.push({
        kind: 'purchase',
        id: p.id,
        title: `${p.itemName} for ${p.deviceId}`,
        subtitle: `${p.id} · bought ${day(p.createdAt)}`,
        matchedOn: byPrefix(p.id),
        deviceId: p.deviceId,
        itemId: p.itemId,
        itemName: p.itemName,
        price: p.price,
        mode: p.mode,
        status: p.status,
        createdAt: p.createdAt,
      });
  const sessions = [...checkoutState.sessions.values()];
  if (first.startsWith('chk_'))
    for (const s of sessions.filter((x) => x.id.startsWith(token)))
      results.push(sessionResult(s, byPrefix(s.id)));
  if (first.startsWith('cs_'))
    for (const s of sessions.filter((x) => x.stripeSessionId === token))
      results.push(sessionResult(s, 'stripe_checkout_session'));
  const paid = checkoutState.sessions.get(searchState.paymentIntents.get(token) ?? '');
  if (first.startsWith('pi_') && paid) results.push(sessionResult(paid, 'stripe_payment_intent'));
  if (first.startsWith('inst_'))
    for (const job of installsState.jobs.filter((j) => j.id.startsWith(token)))
      results.push({
        kind: 'install_job',
        id: job.id,
        title: `${job.itemName} ${job.version} on ${job.deviceId}`,
        subtitle: `${job.id} · ${day(job.updatedAt)}`,
        matchedOn: byPrefix(job.id),
        deviceId: job.deviceId,
        itemId: job.itemId,
        itemName: job.itemName,
        version: job.version,
        status: job.status,
        attempt: job.attempt,
        updatedAt: job.updatedAt,
      });
  // Only admins see API keys, here as on the Developers pages.
  if (first.startsWith('mk_') && authState.me.user.role === 'admin')
    for (const key of developersState.apiKeys.filter(
      (k) => k.prefix.startsWith(token) || token.startsWith(k.prefix),
    ))
      results.push({
        kind: 'api_key',
        id: key.id,
        title: key.name,
        subtitle: `${key.prefix}… · created ${day(key.createdAt)}`,
        matchedOn: 'id_prefix',
        name: key.name,
        prefix: key.prefix,
        mode: key.mode,
        revokedAt: key.revokedAt,
      });

  const exact = devices.find((d) => d.id.toLowerCase() === first);
  if (exact) results.push(deviceResult(exact, 'id', words));
  else if (!words && first.length >= 3)
    for (const d of devices.filter((x) => x.id.toLowerCase().startsWith(first)))
      results.push(deviceResult(d, 'id_prefix'));

  const whole = q.toLowerCase();
  if (!exact) {
    for (const item of items.filter((i) => i.id === whole || i.name.toLowerCase().includes(whole)))
      results.push({
        kind: 'item',
        id: item.id,
        title: item.name,
        subtitle: item.description,
        matchedOn: item.id === whole ? 'id' : 'name',
        name: item.name,
        instanceId: item.instanceId,
        price: item.price,
        listed: item.listed,
      });
    for (const d of devices.filter((x) => x.name.toLowerCase().includes(whole)))
      if (!results.some((r) => r.kind === 'device' && r.id === d.id))
        results.push(deviceResult(d, 'name'));
  }
  return results.slice(0, SEARCH_RESULTS_LIMIT);
}

export const searchHandlers = [
  http.get('/api/search', ({ request }) => {
    const url = new URL(request.url);
    const query = searchQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return apiError(400, 'VALIDATION_FAILED', 'The request query is not valid.');
    searchState.requests.push(query.data.q);
    return HttpResponse.json(
      searchResponseSchema.parse({ query: query.data.q, results: search(query.data.q) }),
    );
  }),
];
