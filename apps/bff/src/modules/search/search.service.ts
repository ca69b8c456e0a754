import { normaliseDeviceId } from '@repo/domain';
import {
  SEARCH_RESULTS_LIMIT,
  type DeviceItemAnswer,
  type DeviceOwnership,
  type SearchResponse,
  type SearchResult,
} from '@repo/schemas';
import type { Actor } from '../../http/auth';
import { hashToken } from '../../security/tokens';
import { KEY_SHAPE, shownPrefix } from '../api-keys/api-keys.service';
import type { SearchRepo } from './search.repo';

type PurchaseRow = Awaited<ReturnType<SearchRepo['purchasesOfDevices']>>[number];
type DeviceRow = Awaited<ReturnType<SearchRepo['devicesById']>>[number];
type ItemRow = Awaited<ReturnType<SearchRepo['items']>>[number];

/** Our ids: a kind, then hex digits, of which a pasted start is enough. */
const OUR_ID = /^(pur|chk|inst)_[0-9a-f]{1,32}$/;
const STRIPE_SESSION = /^cs_[A-Za-z0-9_]{1,255}$/;
const STRIPE_PAYMENT_INTENT = /^pi_[A-Za-z0-9_]{1,255}$/;
const API_KEY_TEXT = /^mk_(test|live)_[A-Za-z0-9_-]*$/;
/** What the device-ID rule accepts (deviceIdSchema). */
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Fewer characters would name half the fleet. */
const DEVICE_PREFIX_MIN_LENGTH = 3;

/** Letters change case as the databases' lower() changes them under byte-wise collations: ASCII only. */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
const dayOf = (instant: string) => instant.slice(0, 10);

/** Exact ids and Stripe's ids first, then the starts of ids, then names. */
const RANK: Record<SearchResult['matchedOn'], number> = {
  id: 0,
  stripe_checkout_session: 0,
  stripe_payment_intent: 0,
  id_prefix: 1,
  name: 2,
};

/**
 * One line per item and mode a device bought: the newest active purchase, else the newest
 * refunded one; in order of each line's newest purchase. `purchases` are newest first.
 */
function ownershipOf(purchases: PurchaseRow[], installed: Map<string, string>): DeviceOwnership[] {
  const lines = new Map<string, DeviceOwnership>();
  for (const p of purchases) {
    const key = JSON.stringify([p.itemId, p.mode]);
    const known = lines.get(key);
    if (known && (known.status === 'active' || p.status === 'refunded')) continue;
    lines.set(key, {
      itemId: p.itemId,
      itemName: p.itemName,
      status: p.status,
      purchaseId: p.id,
      mode: p.mode,
      installedVersion: installed.get(p.itemId) ?? null,
    });
  }
  return [...lines.values()];
}

/** The item a device ID's trailing words name best: its id, its whole name, its start, any match. */
function bestItem(items: ItemRow[], words: string): ItemRow | undefined {
  const score = (item: ItemRow) => {
    const name = asciiLower(item.name);
    if (item.id === words) return 0;
    if (name === words) return 1;
    if (name.startsWith(words)) return 2;
    return 3;
  };
  return [...items].sort((a, b) => score(a) - score(b) || a.name.length - b.name.length)[0];
}

function answerFor(
  item: ItemRow,
  purchases: PurchaseRow[],
  installed: Map<string, string>,
): DeviceItemAnswer {
  const bought = purchases.filter((p) => p.itemId === item.id);
  const active = bought.find((p) => p.status === 'active');
  const purchase = active ?? bought[0];
  return {
    itemId: item.id,
    itemName: item.name,
    owned: active !== undefined,
    purchase: purchase
      ? {
          id: purchase.id,
          status: purchase.status,
          mode: purchase.mode,
          createdAt: purchase.createdAt,
        }
      : null,
    installedVersion: installed.get(item.id) ?? null,
  };
}

/**
 * The one search box. What was pasted is read by its shape — one of our ids, a Stripe id, an API
 * key, a device ID (with, after it, words naming an item), or words of an item's name — and only
 * the lookups that shape calls for run, each one index hit in the caller's organisation.
 */
export function createSearchService({ search }: { search: SearchRepo }) {
  const limit = SEARCH_RESULTS_LIMIT;

  /** Device results with what each bought and what runs on it, in two queries for all of them. */
  async function deviceResults(
    organisationId: string,
    devices: { row: DeviceRow; matchedOn: SearchResult['matchedOn'] }[],
    answerItem?: ItemRow,
  ): Promise<SearchResult[]> {
    const ids = devices.map((d) => d.row.id);
    const [purchases, installations] = await Promise.all([
      search.purchasesOfDevices(organisationId, ids),
      search.installedOn(ids),
    ]);
    return devices.map(({ row, matchedOn }) => {
      const own = purchases.filter((p) => p.deviceId === row.id);
      const installed = new Map(
        installations.filter((i) => i.deviceId === row.id).map((i) => [i.itemId, i.version]),
      );
      return {
        kind: 'device',
        id: row.id,
        title: row.id,
        subtitle: `${row.name} · ${row.model} · firmware ${row.firmwareVersion}`,
        matchedOn,
        name: row.name,
        model: row.model,
        firmwareVersion: row.firmwareVersion,
        ownership: ownershipOf(own, installed),
        answer: answerItem ? answerFor(answerItem, own, installed) : null,
      };
    });
  }

  async function byOurId(organisationId: string, id: string): Promise<SearchResult[]> {
    const matchedOn = (found: string) => (found === id ? 'id' : 'id_prefix');
    if (id.startsWith('pur_'))
      return (await search.purchasesById(organisationId, id, limit)).map((p) => ({
        kind: 'purchase',
        id: p.id,
        title: `${p.itemName} for ${p.deviceId}`,
        subtitle: `${p.id} · bought ${dayOf(p.createdAt)}`,
        matchedOn: matchedOn(p.id),
        deviceId: p.deviceId,
        itemId: p.itemId,
        itemName: p.itemName,
        price: { amount: p.amount, currency: p.currency },
        mode: p.mode,
        status: p.status,
        createdAt: p.createdAt,
      }));
    if (id.startsWith('chk_'))
      return sessionResults(await search.checkoutSessionsById(organisationId, id, limit), (s) =>
        matchedOn(s.id),
      );
    return (await search.installJobsById(organisationId, id, limit)).map((j) => ({
      kind: 'install_job',
      id: j.id,
      title: `${j.itemName} ${j.version} on ${j.deviceId}`,
      subtitle: `${j.id} · ${dayOf(j.updatedAt)}`,
      matchedOn: matchedOn(j.id),
      deviceId: j.deviceId,
      itemId: j.itemId,
      itemName: j.itemName,
      version: j.version,
      status: j.status,
      attempt: j.attempt,
      updatedAt: j.updatedAt,
    }));
  }

  async function sessionResults(
    sessions: Awaited<ReturnType<SearchRepo['checkoutSessionsById']>>,
    matchedOn: (session: { id: string }) => SearchResult['matchedOn'],
  ): Promise<SearchResult[]> {
    const sizes = await search.sessionSizes(sessions.map((s) => s.id));
    return sessions.map((s) => {
      const size = sizes.get(s.id) ?? { devices: 0, items: 0 };
      return {
        kind: 'checkout_session',
        id: s.id,
        title: `Checkout ${s.id}`,
        subtitle: `${size.devices} device(s) · ${size.items} product(s) · ${dayOf(s.createdAt)}`,
        matchedOn: matchedOn(s),
        mode: s.mode,
        status: s.status,
        paymentStatus: s.paymentStatus,
        total: { amount: s.amountTotal, currency: s.currency },
        stripeSessionId: s.stripeSessionId,
        createdAt: s.createdAt,
      };
    });
  }

  async function apiKeyResults(organisationId: string, text: string): Promise<SearchResult[]> {
    const keyHash = KEY_SHAPE.test(text) ? hashToken(text) : undefined;
    const shown = shownPrefix(text);
    const keys = await search.apiKeys(
      organisationId,
      { keyHash, prefix: text, prefixesOfText: shown.length < text.length ? [shown] : [] },
      limit,
    );
    return keys.map((k) => ({
      kind: 'api_key',
      id: k.id,
      title: k.name,
      subtitle: `${k.keyPrefix}… · created ${dayOf(k.createdAt)}`,
      // The whole secret names one key; its start may be shared.
      matchedOn: keyHash ? 'id' : 'id_prefix',
      name: k.name,
      prefix: k.keyPrefix,
      mode: k.mode,
      revokedAt: k.revokedAt,
    }));
  }

  const itemResult = (item: ItemRow, matchedOn: SearchResult['matchedOn']): SearchResult => ({
    kind: 'item',
    id: item.id,
    title: item.name,
    subtitle: item.description,
    matchedOn,
    name: item.name,
    instanceId: item.instanceId,
    price: { amount: item.priceAmount, currency: item.currency },
    listed: item.listed === 1,
  });

  /** Items with this id, or whose name holds every word of the text. */
  const itemsNamed = (organisationId: string, text: string) => {
    const lower = asciiLower(text);
    return search.items(organisationId, { id: lower, words: lower.split(/\s+/) }, limit);
  };

  async function byDeviceOrName(actor: Actor, query: string): Promise<SearchResult[]> {
    const { organisationId } = actor;
    const [first = '', ...rest] = query.split(/\s+/);
    const words = asciiLower(rest.join(' '));
    if (DEVICE_ID.test(first)) {
      const deviceId = normaliseDeviceId(first);
      const devices = await search.devicesById(organisationId, deviceId, limit);
      const exact = devices.find((d) => d.id === deviceId);
      if (exact && words) {
        const answerItem = bestItem(await itemsNamed(organisationId, words), words);
        return deviceResults(organisationId, [{ row: exact, matchedOn: 'id' }], answerItem);
      }
      if (exact || (!words && first.length >= DEVICE_PREFIX_MIN_LENGTH)) {
        const found = await deviceResults(
          organisationId,
          devices.map((row) => ({ row, matchedOn: row.id === deviceId ? 'id' : 'id_prefix' })),
        );
        if (exact) return found;
        const items = await itemsNamed(organisationId, query);
        return [
          ...found,
          ...items.map((i) => itemResult(i, i.id === asciiLower(query) ? 'id' : 'name')),
        ];
      }
    }
    const items = await itemsNamed(organisationId, query);
    return items.map((i) => itemResult(i, i.id === asciiLower(query) ? 'id' : 'name'));
  }

  return {
    async search(actor: Actor, query: string): Promise<SearchResponse> {
      const { organisationId } = actor;
      const [first = ''] = query.split(/\s+/);
      const ourId = first.toLowerCase();
      let results: SearchResult[];
      if (OUR_ID.test(ourId)) results = await byOurId(organisationId, ourId);
      else if (STRIPE_SESSION.test(first))
        results = await sessionResults(
          await search.checkoutSessionByStripeId(organisationId, 'stripeSessionId', first),
          () => 'stripe_checkout_session',
        );
      else if (STRIPE_PAYMENT_INTENT.test(first))
        results = await sessionResults(
          await search.checkoutSessionByStripeId(organisationId, 'stripePaymentIntentId', first),
          () => 'stripe_payment_intent',
        );
      else if (API_KEY_TEXT.test(first))
        // Only admins see API keys, here as on the Developers pages.
        results = actor.role === 'admin' ? await apiKeyResults(organisationId, first) : [];
      else results = await byDeviceOrName(actor, query);
      return {
        query,
        results: results
          .map((result, order) => ({ result, order }))
          .sort((a, b) => RANK[a.result.matchedOn] - RANK[b.result.matchedOn] || a.order - b.order)
          .slice(0, limit)
          .map(({ result }) => result),
      };
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
