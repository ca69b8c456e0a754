import { useState, type FormEvent, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { RolloutDetail } from '@repo/schemas';
import { ErrorDetails } from '../../../components/error-details';
import { Field } from '../../../components/field';
import { plural } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { deviceGroupChoicesQueryOptions } from '../../device-groups/api/queries';
import { describeFilter } from '../../device-groups/group-filter';
import { itemsOfReleases, releasesQueryOptions } from '../../installs/api/queries';
import { useItemName } from '../../installs/use-item-name';
import { useCreateRollout } from '../api/mutations';
import { formatHour } from '../labels';
import {
  createRequestOf,
  newRolloutDraft,
  previewRequestOf,
  type RolloutDraft,
  type TargetChoice,
} from '../rollout-draft';
import { useRolloutPreview } from '../use-rollout-preview';
import { PhasePlanEditor } from './phase-plan-editor';
import { RolloutPreviewPanel } from './rollout-preview-panel';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

function FieldProblem({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span id={id} className="field__problem">
      {text}
    </span>
  ) : null;
}

/**
 * A rollout of one release: what, to whom, in which phases, and when to stop by itself. The
 * server's preview beside it says which devices it would reach before anything is written.
 */
export function NewRolloutForm({
  initialGroupId,
  onCreated,
}: {
  initialGroupId?: string;
  onCreated: (rollout: RolloutDetail) => void;
}) {
  const releases = useQuery(releasesQueryOptions());
  const groups = useQuery(deviceGroupChoicesQueryOptions());
  const itemName = useItemName();
  const create = useCreateRollout();
  const initialGroup = groups.data?.items.find((g) => g.id === initialGroupId);
  const [draft, setDraft] = useState<RolloutDraft>(() =>
    newRolloutDraft(initialGroupId, initialGroup?.kind === 'dynamic' ? 'savedFilter' : 'group'),
  );
  const [tried, setTried] = useState(false);
  const change = (update: Partial<RolloutDraft>) => setDraft((d) => ({ ...d, ...update }));

  const items = itemsOfReleases(releases.data?.items ?? []);
  const itemReleases = (releases.data?.items ?? [])
    .filter((r) => r.itemId === draft.itemId)
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
  const staticGroups = (groups.data?.items ?? []).filter((g) => g.kind === 'static');
  const savedFilters = (groups.data?.items ?? []).filter((g) => g.kind === 'dynamic');
  const chosenFilter = savedFilters.find((g) => g.id === draft.groupId);
  const parsed = createRequestOf(draft);
  const problems = tried && !parsed.ok ? parsed.problems : { phases: [] };
  const { preview, updating } = useRolloutPreview(previewRequestOf(draft));
  const item = draft.itemId ? itemName(draft.itemId) : 'this item';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (parsed.ok) create.mutate(parsed.body, { onSuccess: onCreated });
  };
  const chooseTarget = (targetChoice: TargetChoice) => change({ targetChoice, groupId: '' });
  const targetRadio = (choice: TargetChoice, label: ReactNode) => (
    <label className={`mode-option ${draft.targetChoice === choice ? 'mode-option--on' : ''}`}>
      <input
        type="radio"
        name="rollout-target"
        checked={draft.targetChoice === choice}
        onChange={() => chooseTarget(choice)}
      />
      <span>{label}</span>
    </label>
  );
  const groupSelect = (label: string, choices: typeof staticGroups) => (
    <Field label={label} problem={problems.target}>
      {(control) => (
        <select
          {...control}
          value={draft.groupId}
          onChange={(e) => change({ groupId: e.target.value })}
        >
          <option value="">Choose…</option>
          {choices.map((group) => (
            <option key={group.id} value={group.id}>
              {group.name} ({plural(group.deviceCount, 'device')})
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <form className="form-grid" onSubmit={submit} noValidate aria-label="New rollout">
      <div className="form">
        <section className="panel form" aria-labelledby="what-heading">
          <h2 id="what-heading">What</h2>
          <Field label="Name" problem={problems.name}>
            {(control) => (
              <input
                {...control}
                value={draft.name}
                onChange={(e) => change({ name: e.target.value })}
                maxLength={100}
                placeholder="e.g. Eco Scheduler 2.0 to the thermostats"
              />
            )}
          </Field>
          <div className="form-row">
            <Field label="Item">
              {(control) => (
                <select
                  {...control}
                  value={draft.itemId}
                  onChange={(e) => change({ itemId: e.target.value, releaseId: '' })}
                  disabled={!releases.data}
                >
                  <option value="">
                    {releases.isError ? 'Items could not be loaded' : 'Choose an item…'}
                  </option>
                  {items.map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Release" problem={problems.release}>
              {(control) => (
                <select
                  {...control}
                  value={draft.releaseId}
                  onChange={(e) => change({ releaseId: e.target.value })}
                  disabled={!draft.itemId}
                >
                  <option value="">Choose a release…</option>
                  {itemReleases.map((release) => (
                    <option key={release.id} value={release.id}>
                      {release.version} · {release.compatibleModels.join(', ')} · firmware ≥{' '}
                      {release.minFirmware}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <fieldset className="mode-chooser">
            <legend>Mode</legend>
            <label className={`mode-option ${draft.mode === 'test' ? 'mode-option--on' : ''}`}>
              <input
                type="radio"
                name="rollout-mode"
                checked={draft.mode === 'test'}
                onChange={() => change({ mode: 'test', liveConfirmed: false })}
              />
              <ModeBadge mode="test" />
              <span>Test devices entitled in test mode only.</span>
            </label>
            <label className={`mode-option ${draft.mode === 'live' ? 'mode-option--on' : ''}`}>
              <input
                type="radio"
                name="rollout-mode"
                checked={draft.mode === 'live'}
                onChange={() => change({ mode: 'live', liveConfirmed: false })}
              />
              <ModeBadge mode="live" />
              <span>Your customers&apos; devices, entitled by real purchases.</span>
            </label>
            {draft.mode === 'live' && (
              <label className="live-confirm">
                <input
                  type="checkbox"
                  checked={draft.liveConfirmed}
                  onChange={(e) => change({ liveConfirmed: e.target.checked })}
                  aria-invalid={!!problems.live}
                  aria-describedby={problems.live ? 'live-problem' : undefined}
                />
                <span>I understand that this rollout installs on live devices.</span>
              </label>
            )}
            <FieldProblem id="live-problem" text={problems.live} />
          </fieldset>
        </section>

        <section className="panel form" aria-labelledby="who-heading">
          <h2 id="who-heading">To whom</h2>
          <fieldset className="mode-chooser">
            <legend>Target</legend>
            {targetRadio('group', 'A device group')}
            {targetRadio('savedFilter', 'A saved filter (a dynamic group)')}
            {targetRadio('entitled', `Every device entitled to ${item}`)}
          </fieldset>
          {draft.targetChoice === 'group' && groupSelect('Device group', staticGroups)}
          {draft.targetChoice === 'savedFilter' && (
            <>
              {groupSelect('Saved filter', savedFilters)}
              {chosenFilter?.filter && (
                <p className="small muted">
                  Matches: {describeFilter(chosenFilter.filter, itemName).join(' · ')}
                </p>
              )}
            </>
          )}
          <p className="small muted">
            Whatever the target, only devices entitled to the item in this mode and able to run the
            release take part; the preview lists the others with why.
          </p>
        </section>

        <section className="panel form" aria-labelledby="how-heading">
          <h2 id="how-heading">How</h2>
          <PhasePlanEditor
            phases={draft.phases}
            onChange={(phases) => change({ phases })}
            problems={problems.phases}
          />
          <div className="form-row">
            <Field
              label="Success threshold (%)"
              problem={problems.successPercent}
              help="The share of a phase's devices that must have installed before the next phase starts."
            >
              {(control) => (
                <input
                  {...control}
                  type="number"
                  inputMode="decimal"
                  min={0.01}
                  max={100}
                  step={0.01}
                  value={draft.successPercent}
                  onChange={(e) => change({ successPercent: e.target.value })}
                />
              )}
            </Field>
            <Field
              label="Error threshold (%)"
              problem={problems.errorPercent}
              help="The rollout pauses by itself when more of a phase's finished installs than this have failed."
            >
              {(control) => (
                <input
                  {...control}
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={99.99}
                  step={0.01}
                  value={draft.errorPercent}
                  onChange={(e) => change({ errorPercent: e.target.value })}
                />
              )}
            </Field>
          </div>
          <fieldset className="check-list">
            <legend>Maintenance window</legend>
            <label className="check-list__option">
              <input
                type="checkbox"
                checked={draft.windowOn}
                onChange={(e) => change({ windowOn: e.target.checked })}
              />
              Send installs only between two hours of the day (UTC)
            </label>
            {draft.windowOn && (
              <div className="form-row">
                <Field label="From (UTC)" inline>
                  {(control) => (
                    <select
                      {...control}
                      value={draft.windowStart}
                      onChange={(e) => change({ windowStart: Number(e.target.value) })}
                    >
                      {HOURS.map((hour) => (
                        <option key={hour} value={hour}>
                          {formatHour(hour)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Until (UTC)" problem={problems.window} inline>
                  {(control) => (
                    <select
                      {...control}
                      value={draft.windowEnd}
                      onChange={(e) => change({ windowEnd: Number(e.target.value) })}
                    >
                      {HOURS.map((hour) => (
                        <option key={hour} value={hour}>
                          {formatHour(hour)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <p className="small muted">
                  It may span midnight (22:00 until 04:00). Outside it, installs wait; devices
                  already installing finish.
                </p>
              </div>
            )}
          </fieldset>
        </section>
      </div>

      <div className="form-grid__side">
        {previewRequestOf(draft) ? (
          <RolloutPreviewPanel
            preview={preview.data}
            error={preview.error}
            updating={updating}
            onRetry={() => preview.refetch()}
          />
        ) : (
          <section className="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">Who it reaches</h2>
            <p className="muted">
              Choose a release and a target to see which devices it reaches, and which are left out
              and why.
            </p>
          </section>
        )}
        <ErrorDetails error={create.error} title="The rollout was not created." />
        {tried && !parsed.ok && (
          <p className="form-error" role="alert">
            Some fields need a look before the rollout can be created.
          </p>
        )}
        <button
          type="submit"
          className="button button--primary button--large"
          disabled={create.isPending}
        >
          {create.isPending ? 'Creating…' : 'Create rollout'}
        </button>
        <p className="small muted">
          It is created as a draft: nothing is installed until you start it from its page.
        </p>
      </div>
    </form>
  );
}
