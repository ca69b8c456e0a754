import { useCallback } from 'react';
import { checkoutModeSchema, type CheckoutMode } from '@repo/schemas';
import { usePersistedState } from '../../lib/persisted-state';

const DEFAULT_MODE: CheckoutMode = 'test';

/** The checkout mode chosen in this browser; test until someone deliberately picks live. */
export function useCheckoutMode(): [CheckoutMode, (mode: CheckoutMode) => void] {
  const [mode, update] = usePersistedState(
    'dashboard.checkoutMode',
    checkoutModeSchema,
    DEFAULT_MODE,
  );
  const setMode = useCallback((next: CheckoutMode) => update(() => next), [update]);
  return [mode, setMode];
}
