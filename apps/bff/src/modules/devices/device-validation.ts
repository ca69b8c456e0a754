import { feeFromBasisPoints, isItemCompatible } from '@repo/domain';
import {
  deviceIdSchema,
  type CheckoutMode,
  type DeviceValidationResult,
  type ItemValidationResult,
  type Quote,
  type ValidateDevicesResponse,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { ConnectedAccounts } from '../../stripe/connected-accounts';

export type BasketItem = {
  id: string;
  name: string;
  priceAmount: number;
  currency: string;
  listed: boolean;
  compatibleModels: string[];
};

/** A device × item of the basket that is already bought, or being paid for elsewhere. */
export type BasketConflict = {
  deviceId: string;
  itemId: string;
  itemName: string;
} & (
  | { reason: 'entitled'; purchaseId: string }
  | { reason: 'in_checkout'; checkoutSessionId: string; expiresAt: string }
);

export type BasketValidation = ValidateDevicesResponse & {
  /** The basket's items as the database knows them, in the order asked for. */
  basketItems: BasketItem[];
  /** Every device × item already entitled or held by another open checkout (with a mode only). */
  conflicts: BasketConflict[];
};

type Basket = {
  organisationId: string;
  instanceId: string;
  itemIds: string[];
  deviceIds: string[];
  mode?: CheckoutMode;
  /** A checkout whose holds do not count: the caller's own open one (a payment link's, a tab's). */
  ownCheckoutSessionId?: string | null;
};

/**
 * Judges a basket: each item (exists in this organisation's marketplace, listed) and each
 * device ID as typed (well-formed, not repeated, known, ours, compatible, not already owned, not
 * in another open checkout),
 * and prices it from the database when all is well.
 */
export function createDeviceValidation(db: Database, connectedAccount: ConnectedAccounts) {
  const itemsStatement = db.prepare(
    `SELECT i.id, i.name, i.price_amount AS priceAmount, i.currency, i.listed,
            (SELECT json_group_array(model) FROM item_compatible_models WHERE item_id = i.id) AS models
     FROM marketplace_items i
     WHERE i.organisation_id = ? AND i.instance_id = ? AND i.id IN (SELECT value FROM json_each(?))`,
  );
  const devicesStatement = db.prepare(
    `SELECT id, organisation_id AS organisationId, model FROM devices
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const entitledStatement = db.prepare(
    `SELECT device_id AS deviceId, item_id AS itemId, purchase_id AS purchaseId FROM entitlements
     WHERE status = 'active' AND mode = ? AND organisation_id = ?
       AND device_id IN (SELECT value FROM json_each(?)) AND item_id IN (SELECT value FROM json_each(?))`,
  );
  // A hold whose page has outlived its expiry no longer counts, even if Stripe's expiry event
  // never reached us: Stripe takes no payment on an expired page.
  const heldStatement = db.prepare(
    `SELECT h.device_id AS deviceId, h.item_id AS itemId, h.checkout_session_id AS checkoutSessionId,
            c.expires_at AS expiresAt
     FROM checkout_holds h JOIN checkout_sessions c ON c.id = h.checkout_session_id
     WHERE h.organisation_id = @organisationId AND h.mode = @mode
       AND h.device_id IN (SELECT value FROM json_each(@deviceIds))
       AND h.item_id IN (SELECT value FROM json_each(@itemIds))
       AND NOT (c.status = 'open' AND c.expires_at <= @now)
       AND h.checkout_session_id IS NOT @ignore`,
  );
  const feeStatement = db
    .prepare('SELECT platform_fee_bps FROM marketplace_instances WHERE id = ?')
    .pluck();

  return function validateBasket(basket: Basket): BasketValidation {
    const found = new Map(
      (
        itemsStatement.all(
          basket.organisationId,
          basket.instanceId,
          JSON.stringify(basket.itemIds),
        ) as {
          id: string;
          name: string;
          priceAmount: number;
          currency: string;
          listed: number;
          models: string;
        }[]
      ).map((row) => [
        row.id,
        {
          id: row.id,
          name: row.name,
          priceAmount: row.priceAmount,
          currency: row.currency,
          listed: row.listed === 1,
          compatibleModels: JSON.parse(row.models) as string[],
        } satisfies BasketItem,
      ]),
    );
    const items: ItemValidationResult[] = basket.itemIds.map((itemId) => {
      const item = found.get(itemId);
      if (!item)
        return { itemId, status: 'unknown', message: 'No such product in this marketplace.' };
      if (!item.listed)
        return {
          itemId,
          status: 'unlisted',
          message: `${item.name} is not listed and cannot be bought.`,
        };
      return { itemId, status: 'ok', message: 'OK' };
    });
    const basketItems = basket.itemIds.flatMap((id) => found.get(id) ?? []);

    const wellFormed = basket.deviceIds.map((input) => deviceIdSchema.safeParse(input));
    const candidateIds = wellFormed.flatMap((r) => (r.success ? [r.data] : []));
    const devices = new Map(
      (
        devicesStatement.all(JSON.stringify(candidateIds)) as {
          id: string;
          organisationId: string;
          model: string;
        }[]
      ).map((d) => [d.id, d]),
    );
    const owned = new Map<string, string>();
    const held = new Map<string, { checkoutSessionId: string; expiresAt: string }>();
    if (basket.mode) {
      const rows = entitledStatement.all(
        basket.mode,
        basket.organisationId,
        JSON.stringify(candidateIds),
        JSON.stringify(basket.itemIds),
      ) as { deviceId: string; itemId: string; purchaseId: string }[];
      for (const row of rows) owned.set(`${row.deviceId}\u0000${row.itemId}`, row.purchaseId);
      const holds = heldStatement.all({
        organisationId: basket.organisationId,
        mode: basket.mode,
        deviceIds: JSON.stringify(candidateIds),
        itemIds: JSON.stringify(basket.itemIds),
        now: new Date().toISOString(),
        ignore: basket.ownCheckoutSessionId ?? null,
      }) as { deviceId: string; itemId: string; checkoutSessionId: string; expiresAt: string }[];
      for (const row of holds) held.set(`${row.deviceId}\u0000${row.itemId}`, row);
    }
    const conflicts: BasketConflict[] = [];

    const seen = new Set<string>();
    const results: DeviceValidationResult[] = basket.deviceIds.map((input, index) => {
      const parsed = wellFormed[index]!;
      if (!parsed.success) {
        return {
          input,
          deviceId: null,
          status: 'invalid',
          message: 'Not a device ID: use letters, digits, ".", "_" or "-".',
          itemIds: [],
        };
      }
      const deviceId = parsed.data;
      if (seen.has(deviceId)) {
        return {
          input,
          deviceId,
          status: 'duplicate',
          message: 'This device is already in the basket.',
          itemIds: [],
        };
      }
      seen.add(deviceId);
      const device = devices.get(deviceId);
      if (!device)
        return {
          input,
          deviceId,
          status: 'unknown',
          message: 'No device has this ID.',
          itemIds: [],
        };
      // Whose device it is stays private: only that it is not one of ours.
      if (device.organisationId !== basket.organisationId) {
        return {
          input,
          deviceId,
          status: 'not_in_organisation',
          message: 'This device does not belong to your organisation.',
          itemIds: [],
        };
      }
      const incompatible = basketItems.filter((item) => !isItemCompatible(device, item));
      if (incompatible.length > 0) {
        return {
          input,
          deviceId,
          status: 'incompatible',
          message: `A ${device.model} cannot run ${incompatible.map((i) => i.name).join(', ')}.`,
          itemIds: incompatible.map((i) => i.id),
        };
      }
      for (const item of basketItems) {
        const key = `${deviceId}\u0000${item.id}`;
        const purchaseId = owned.get(key);
        const hold = held.get(key);
        const line = { deviceId, itemId: item.id, itemName: item.name };
        if (purchaseId) conflicts.push({ ...line, reason: 'entitled', purchaseId });
        else if (hold) conflicts.push({ ...line, reason: 'in_checkout', ...hold });
      }
      const alreadyOwned = basketItems.filter((item) => owned.has(`${deviceId}\u0000${item.id}`));
      if (alreadyOwned.length > 0) {
        return {
          input,
          deviceId,
          status: 'already_entitled',
          message: `Already owns ${alreadyOwned.map((i) => i.name).join(', ')} in ${basket.mode} mode.`,
          itemIds: alreadyOwned.map((i) => i.id),
        };
      }
      const inCheckout = basketItems.filter((item) => held.has(`${deviceId}\u0000${item.id}`));
      if (inCheckout.length > 0) {
        const checkoutSessionId = held.get(
          `${deviceId}\u0000${inCheckout[0]!.id}`,
        )!.checkoutSessionId;
        return {
          input,
          deviceId,
          status: 'in_checkout',
          message: `${inCheckout.map((i) => i.name).join(', ')} already in open checkout ${checkoutSessionId}: continue or cancel it first.`,
          itemIds: inCheckout.map((i) => i.id),
          checkoutSessionId,
        };
      }
      return { input, deviceId, status: 'ok', message: 'OK', itemIds: [] };
    });

    const valid = items.every((i) => i.status === 'ok') && results.every((r) => r.status === 'ok');
    let quote: Quote | null = null;
    if (valid) {
      const feeBps = (feeStatement.get(basket.instanceId) as number | undefined) ?? 0;
      // Without a mode (a first look at the basket) the quote is priced as test mode, the default.
      const connected = connectedAccount(basket.organisationId, basket.mode ?? 'test');
      const quantity = results.length;
      const lines = basketItems.map((item) => ({
        itemId: item.id,
        name: item.name,
        unitAmount: item.priceAmount,
        quantity,
        amount: item.priceAmount * quantity,
      }));
      const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
      // The marketplace's fee is taken out of the payment, and only from a connected provider.
      const platformFee = connected ? feeFromBasisPoints(subtotal, feeBps) : 0;
      quote = {
        currency: basketItems[0]?.currency ?? 'eur',
        subtotal,
        platformFee,
        total: subtotal,
        lines,
      };
    }
    return { valid, results, items, quote, basketItems, conflicts };
  };
}
export type ValidateBasket = ReturnType<typeof createDeviceValidation>;
