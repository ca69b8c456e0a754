import { useCallback, useSyncExternalStore } from 'react';
import type { z } from 'zod';

const listeners = new Map<string, Set<() => void>>();
const snapshots = new Map<string, { raw: string | null; value: unknown }>();

function notify(key: string) {
  listeners.get(key)?.forEach((listener) => listener());
}

function subscribe(key: string, listener: () => void) {
  const set = listeners.get(key) ?? new Set();
  set.add(listener);
  listeners.set(key, set);
  const onStorage = (event: StorageEvent) => event.key === key && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    set.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/**
 * State kept in localStorage, so that it survives reloads and is shared by tabs. What is read
 * back is parsed with its schema: anything stale or tampered with falls back to the default.
 */
export function usePersistedState<T>(
  key: string,
  schema: z.ZodType<T>,
  fallback: T,
): [T, (update: (previous: T) => T) => void] {
  const read = useCallback((): T => {
    const raw = window.localStorage.getItem(key);
    const cached = snapshots.get(key);
    if (cached && cached.raw === raw) return cached.value as T;
    let value = fallback;
    if (raw !== null) {
      try {
        const parsed = schema.safeParse(JSON.parse(raw));
        if (parsed.success) value = parsed.data;
      } catch {
        // Not JSON: keep the default.
      }
    }
    snapshots.set(key, { raw, value });
    return value;
  }, [key, schema, fallback]);

  const value = useSyncExternalStore(
    useCallback((listener) => subscribe(key, listener), [key]),
    read,
    () => fallback,
  );

  const update = useCallback(
    (change: (previous: T) => T) => {
      window.localStorage.setItem(key, JSON.stringify(change(read())));
      notify(key);
    },
    [key, read],
  );
  return [value, update];
}
