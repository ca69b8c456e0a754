import type { CheckoutMode } from '@repo/schemas';
import { ModeBadge } from './mode-badge';

type Props = {
  mode: CheckoutMode;
  onModeChange: (mode: CheckoutMode) => void;
  liveConfirmed: boolean;
  onLiveConfirmedChange: (confirmed: boolean) => void;
};

/** Test or live, said in words and colour; live has to be confirmed every time. */
export function ModeChooser({ mode, onModeChange, liveConfirmed, onLiveConfirmedChange }: Props) {
  return (
    <fieldset className="mode-chooser">
      <legend>Checkout mode</legend>
      <label className={`mode-option ${mode === 'test' ? 'mode-option--on' : ''}`}>
        <input
          type="radio"
          name="mode"
          value="test"
          checked={mode === 'test'}
          onChange={() => onModeChange('test')}
        />
        <ModeBadge mode="test" />
        <span>Test mode — no real money moves. Use Stripe's test cards.</span>
      </label>
      <label className={`mode-option ${mode === 'live' ? 'mode-option--on' : ''}`}>
        <input
          type="radio"
          name="mode"
          value="live"
          checked={mode === 'live'}
          onChange={() => {
            onLiveConfirmedChange(false);
            onModeChange('live');
          }}
        />
        <ModeBadge mode="live" />
        <span>Live mode — a real payment is taken.</span>
      </label>
      {mode === 'live' && (
        <label className="live-confirm">
          <input
            type="checkbox"
            checked={liveConfirmed}
            onChange={(e) => onLiveConfirmedChange(e.target.checked)}
          />
          <span>I understand that this purchase charges real money.</span>
        </label>
      )}
    </fieldset>
  );
}
