import { feeFromBasisPoints, isItemCompatible, normaliseDeviceId } from '@repo/domain';
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
import { createDevicesRepo } from './devices.repo';

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

export type Basket = {
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
export function createDeviceValidation(database: Database, connectedAccount: ConnectedAccounts) {
  const devicesRepo = createDevicesRepo(database);

  return async function validateBasket(basket: Basket): Promise<BasketValidation> {
    const found = new Map(
      (await devicesRepo.basketItems(basket.organisationId, basket.instanceId, basket.itemIds)).map(
        (item): [string, BasketItem] => [item.id, item],
      ),
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

    // Each typed ID in the canonical form of the device-ID rule, or null when it cannot be one.
    const typedIds = basket.deviceIds.map((input) => {
      const parsed = deviceIdSchema.safeParse(input);
      return parsed.success ? normaliseDeviceId(parsed.data) : null;
    });
    const candidateIds = typedIds.filter((id) => id !== null);
    const devices = new Map((await devicesRepo.byIds(candidateIds)).map((d) => [d.id, d]));
    const owned = new Map<string, string>();
    const held = new Map<string, { checkoutSessionId: string; expiresAt: string }>();
    if (basket.mode) {
      const [entitled, holds] = await Promise.all([
        devicesRepo.entitled(basket.organisationId, basket.mode, candidateIds, basket.itemIds),
        devicesRepo.held(
          basket.organisationId,
          basket.mode,
          candidateIds,
          basket.itemIds,
          new Date().toISOString(),
          basket.ownCheckoutSessionId ?? null,
        ),
      ]);
      for (const row of entitled) owned.set(`${row.deviceId}\u0000${row.itemId}`, row.purchaseId);
      for (const { deviceId, itemId, checkoutSessionId, expiresAt } of holds)
        held.set(`${deviceId}\u0000${itemId}`, { checkoutSessionId, expiresAt });
    }
    const conflicts: BasketConflict[] = [];

    const seen = new Set<string>();
    const results: DeviceValidationResult[] = basket.deviceIds.map((input, index) => {
      const deviceId = typedIds[index]!;
      if (deviceId === null) {
        return {
          input,
          deviceId: null,
          status: 'invalid',
          message: 'Not a device ID: use letters, digits, ".", "_" or "-".',
          itemIds: [],
        };
      }
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
      const feeBps = await devicesRepo.platformFeeBps(basket.instanceId);
      // Without a mode (a first look at the basket) the quote is priced as test mode, the default.
      const connected = await connectedAccount(basket.organisationId, basket.mode ?? 'test');
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
