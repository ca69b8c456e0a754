import { useState } from 'react';
import type { RolloutDetail } from '@repo/schemas';
import { ErrorDetails } from '../../../components/error-details';
import { plural } from '../../../lib/format';
import { useRolloutAction, type RolloutAction } from '../api/mutations';

type Confirming = 'abort' | 'pause' | 'start' | null;

/**
 * What an operator can do with the rollout in its current status. Aborting, and starting a
 * live rollout, are confirmed first; a pause may say why.
 */
export function RolloutActions({ rollout }: { rollout: RolloutDetail }) {
  const action = useRolloutAction(rollout.id);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [reason, setReason] = useState('');
  // The button whose confirmation was just cancelled takes the focus back, as after a dialog.
  const [returnTo, setReturnTo] = useState<Confirming>(null);
  const { status } = rollout;
  const failed = rollout.counts.failed;
  const busy = action.isPending;

  const run = (next: RolloutAction) =>
    action.mutate(next, {
      onSuccess: () => {
        setReturnTo(null);
        setConfirming(null);
        setReason('');
      },
    });
  const open = (which: Exclude<Confirming, null>) => {
    action.reset();
    setReturnTo(null);
    setConfirming(which);
  };
  const close = () => {
    setReturnTo(confirming);
    setConfirming(null);
  };
  const pending = (label: string, doing: string, kind: RolloutAction['kind']) =>
    busy && action.variables?.kind === kind ? doing : label;

  if (confirming === 'abort')
    return (
      <div
        className="confirm-box"
        role="alertdialog"
        aria-modal="false"
        aria-labelledby="abort-confirm"
        onKeyDown={(e) => e.key === 'Escape' && !busy && close()}
      >
        <p id="abort-confirm">
          <strong>Abort {rollout.name}?</strong> Installs not yet sent are cancelled and waiting
          devices will not get {rollout.version}. Installs already on their way finish. This cannot
          be undone.
        </p>
        <ErrorDetails error={action.error} title="Not aborted." />
        <div className="confirm-box__actions">
          <button type="button" className="button" onClick={close} disabled={busy} autoFocus>
            Keep it
          </button>
          <button
            type="button"
            className="button button--danger"
            onClick={() => run({ kind: 'abort' })}
            disabled={busy}
          >
            {pending('Yes, abort', 'Aborting…', 'abort')}
          </button>
        </div>
      </div>
    );

  if (confirming === 'start')
    return (
      <div
        className="confirm-box"
        role="alertdialog"
        aria-modal="false"
        aria-labelledby="start-confirm"
        onKeyDown={(e) => e.key === 'Escape' && !busy && close()}
      >
        <p id="start-confirm">
          <strong>Start this live rollout?</strong> It installs {rollout.itemName} {rollout.version}{' '}
          on your customers&apos; devices, phase by phase.
        </p>
        <ErrorDetails error={action.error} title="Not started." />
        <div className="confirm-box__actions">
          <button type="button" className="button" onClick={close} disabled={busy} autoFocus>
            Not yet
          </button>
          <button
            type="button"
            className="button button--primary button--live"
            onClick={() => run({ kind: 'start' })}
            disabled={busy}
          >
            {pending('Yes, start on live devices', 'Starting…', 'start')}
          </button>
        </div>
      </div>
    );

  if (confirming === 'pause')
    return (
      <form
        className="confirm-box confirm-box--neutral"
        aria-label="Pause the rollout"
        onSubmit={(e) => {
          e.preventDefault();
          run({ kind: 'pause', body: reason.trim() ? { reason: reason.trim() } : {} });
        }}
        onKeyDown={(e) => e.key === 'Escape' && !busy && close()}
      >
        <label className="field">
          <span>Why (optional, shown with the pause)</span>
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={500}
            autoFocus
          />
        </label>
        <p className="small muted">
          No new installs are sent while it is paused; those on their way finish.
        </p>
        <ErrorDetails error={action.error} title="Not paused." />
        <div className="confirm-box__actions">
          <button type="button" className="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {pending('Pause now', 'Pausing…', 'pause')}
          </button>
        </div>
      </form>
    );

  const canRetry =
    failed > 0 && (status === 'running' || status === 'paused' || status === 'completed');
  return (
    <div className="rollout-actions">
      <div className="row-actions">
        {status === 'draft' && (
          <button
            autoFocus={returnTo === 'start'}
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => (rollout.mode === 'live' ? open('start') : run({ kind: 'start' }))}
          >
            {pending('Start rollout', 'Starting…', 'start')}
          </button>
        )}
        {status === 'paused' && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => run({ kind: 'resume' })}
          >
            {pending('Resume', 'Resuming…', 'resume')}
          </button>
        )}
        {status === 'running' && (
          <button
            autoFocus={returnTo === 'pause'}
            type="button"
            className="button"
            disabled={busy}
            onClick={() => open('pause')}
          >
            Pause…
          </button>
        )}
        {canRetry && (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => run({ kind: 'retryFailed' })}
          >
            {pending(`Retry ${plural(failed, 'failed device')}`, 'Retrying…', 'retryFailed')}
          </button>
        )}
        {(status === 'draft' || status === 'running' || status === 'paused') && (
          <button
            autoFocus={returnTo === 'abort'}
            type="button"
            className="button button--danger"
            disabled={busy}
            onClick={() => open('abort')}
          >
            Abort…
          </button>
        )}
      </div>
      <ErrorDetails error={action.error} title="That did not happen." />
    </div>
  );
}
