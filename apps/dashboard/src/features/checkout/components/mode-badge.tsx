import type { CheckoutMode } from '@repo/schemas';

const LABELS: Record<CheckoutMode, string> = { test: 'Test mode', live: 'Live mode' };

/** Mode in colour and in words, never colour alone. */
export function ModeBadge({ mode }: { mode: CheckoutMode }) {
  return (
    <span className={`mode-badge mode-badge--${mode}`} data-mode={mode}>
      {LABELS[mode]}
    </span>
  );
}
