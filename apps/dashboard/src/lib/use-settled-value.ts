import { useMemo } from 'react';
import { useDebouncedValue } from './use-debounced-value';

/**
 * A value being edited (a form's filter, a rollout plan), once edits pause. Compared by content:
 * a form builds such values afresh on every render, which would never settle by identity.
 */
export function useSettledValue<T>(value: T, delayMs = 400): { settled: T; settling: boolean } {
  const text = JSON.stringify(value);
  const settledText = useDebouncedValue(text, delayMs);
  const settled = useMemo(() => JSON.parse(settledText) as T, [settledText]);
  return { settled, settling: settledText !== text };
}
