import { useCallback, useSyncExternalStore } from 'react';
import { checkoutModeSchema, type CheckoutMode } from '@repo/schemas';

const STORAGE_KEY = 'dashboard.checkoutMode';
const listeners = new Set<() => void>();

function read(): CheckoutMode {
  const parsed = checkoutModeSchema.safeParse(window.localStorage.getItem(STORAGE_KEY));
  return parsed.success ? parsed.data : 'test';
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('storage', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}

/** The checkout mode chosen for this browser; test until someone deliberately picks live. */
export function useCheckoutMode(): [CheckoutMode, (mode: CheckoutMode) => void] {
  const mode = useSyncExternalStore(subscribe, read, () => 'test' as const);
  const setMode = useCallback((next: CheckoutMode) => {
    window.localStorage.setItem(STORAGE_KEY, next);
    listeners.forEach((listener) => listener());
  }, []);
  return [mode, setMode];
}
