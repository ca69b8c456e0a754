import { useCallback, useMemo } from 'react';
import { z } from 'zod';
import { usePersistedState } from '../../lib/persisted-state';
import { useMe } from '../auth/api/queries';

const basketSchema = z.object({ itemIds: z.array(z.string()), deviceIds: z.array(z.string()) });
export type Basket = z.infer<typeof basketSchema>;
const EMPTY: Basket = { itemIds: [], deviceIds: [] };

const without = (list: string[], remove: string[]) => {
  const drop = new Set(remove);
  return list.filter((x) => !drop.has(x));
};

/**
 * The provider's basket for one marketplace: products and the devices to put them on. It lives
 * in the browser per organisation, so it survives reloads, navigation and a cancelled payment.
 */
export function useBasket(instanceId: string) {
  const { data: me } = useMe();
  const key = `dashboard.basket.${me?.organisation.id ?? 'anonymous'}.${instanceId}`;
  const [basket, update] = usePersistedState(key, basketSchema, EMPTY);

  const toggleItem = useCallback(
    (itemId: string) =>
      update((b) => ({
        ...b,
        itemIds: b.itemIds.includes(itemId) ? without(b.itemIds, [itemId]) : [...b.itemIds, itemId],
      })),
    [update],
  );
  const removeItems = useCallback(
    (itemIds: string[]) => update((b) => ({ ...b, itemIds: without(b.itemIds, itemIds) })),
    [update],
  );
  /** Devices picked from the fleet: each once. */
  const addDevices = useCallback(
    (deviceIds: string[]) =>
      update((b) => {
        const present = new Set(b.deviceIds);
        return { ...b, deviceIds: [...b.deviceIds, ...deviceIds.filter((id) => !present.has(id))] };
      }),
    [update],
  );
  /** IDs typed or pasted: kept as given, repeats included, so that the check can point at each one. */
  const addTypedDevices = useCallback(
    (deviceIds: string[]) => update((b) => ({ ...b, deviceIds: [...b.deviceIds, ...deviceIds] })),
    [update],
  );
  const removeDeviceAt = useCallback(
    (index: number) =>
      update((b) => ({ ...b, deviceIds: b.deviceIds.filter((_, i) => i !== index) })),
    [update],
  );
  const removeDevices = useCallback(
    (deviceIds: string[]) => update((b) => ({ ...b, deviceIds: without(b.deviceIds, deviceIds) })),
    [update],
  );
  const clear = useCallback(() => update(() => EMPTY), [update]);

  return useMemo(
    () => ({
      ...basket,
      toggleItem,
      removeItems,
      addDevices,
      addTypedDevices,
      removeDevices,
      removeDeviceAt,
      clear,
    }),
    [
      basket,
      toggleItem,
      removeItems,
      addDevices,
      addTypedDevices,
      removeDevices,
      removeDeviceAt,
      clear,
    ],
  );
}

/** Splits pasted text into device IDs: commas, spaces, semicolons and new lines all separate. */
export function parseDeviceIds(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}
