import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  MAX_STATIC_GROUP_DEVICES,
  type DeviceGroup,
  type DeviceGroupFilter,
  type DeviceGroupKind,
} from '@repo/schemas';
import { ErrorDetails } from '../../../components/error-details';
import { Field } from '../../../components/field';
import { plural } from '../../../lib/format';
import { useSettledValue } from '../../../lib/use-settled-value';
import { parseDeviceIds } from '../../checkout/basket';
import { deviceGroupPreviewQueryOptions } from '../api/queries';
import {
  draftFromFilter,
  emptyFilterDraft,
  filterFromDraft,
  type FilterDraft,
} from '../group-filter';
import { FilterFields } from './filter-fields';

export type DeviceGroupFormValue =
  /** Without devices: the list stays as it is. */
  | { name: string; kind: 'static'; deviceIds?: string[] }
  | { name: string; kind: 'dynamic'; filter: DeviceGroupFilter };

type Props = {
  /** The group being edited; a new one otherwise, whose kind can still be chosen. */
  group?: DeviceGroup;
  /** A static group's devices as they stand; null when there are too many to edit here. */
  deviceIds?: string[] | null;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (value: DeviceGroupFormValue) => void;
};

/** How many devices the filter matches now, said as the criteria change. */
function FilterPreview({ filter }: { filter: DeviceGroupFilter | null }) {
  // Typing a version asks once it pauses, not at every key.
  const { settled, settling } = useSettledValue(filter);
  const preview = useQuery({
    ...deviceGroupPreviewQueryOptions(settled ?? {}),
    enabled: settled !== null,
  });
  let text: string;
  if (!filter) text = 'Fix the criteria above to see how many devices match.';
  else if (preview.isError) text = `The devices could not be counted: ${preview.error.message}`;
  else if (!preview.data) text = 'Counting the devices that match…';
  else
    text = `Matches ${plural(preview.data.deviceCount, 'device')} now${
      preview.isFetching || settling ? ' · updating…' : ''
    }.`;
  return (
    <p className="group-preview" role="status" aria-live="polite">
      {text}
    </p>
  );
}

/**
 * A group's name and members: a fixed list of device IDs (static) or criteria that are read
 * afresh each time the group is used (dynamic), with the count they match as they change.
 */
export function DeviceGroupForm({
  group,
  deviceIds = [],
  submitLabel,
  pending,
  error,
  onSubmit,
}: Props) {
  const [name, setName] = useState(group?.name ?? '');
  const [kind, setKind] = useState<DeviceGroupKind>(group?.kind ?? 'dynamic');
  const [draft, setDraft] = useState<FilterDraft>(
    group ? draftFromFilter(group.filter) : emptyFilterDraft,
  );
  const [idsText, setIdsText] = useState((deviceIds ?? []).join('\n'));
  const [tried, setTried] = useState(false);

  const parsed = filterFromDraft(draft);
  const ids = [...new Set(parseDeviceIds(idsText).map((id) => id.toUpperCase()))];
  const nameProblem = name.trim() ? null : 'Give the group a name.';
  const idsProblem =
    ids.length === 0
      ? 'Add at least one device ID.'
      : ids.length > MAX_STATIC_GROUP_DEVICES
        ? `At most ${MAX_STATIC_GROUP_DEVICES} devices; use a filter for more.`
        : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (nameProblem) return;
    if (kind === 'static') {
      if (deviceIds === null) onSubmit({ name: name.trim(), kind });
      else if (!idsProblem) onSubmit({ name: name.trim(), kind, deviceIds: ids });
    } else if (parsed.ok) onSubmit({ name: name.trim(), kind, filter: parsed.filter });
  };

  return (
    <form className="form panel" onSubmit={submit} noValidate>
      <Field label="Name" problem={tried ? nameProblem : null}>
        {(control) => (
          <input
            {...control}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={80}
            required
          />
        )}
      </Field>
      {group ? null : (
        <fieldset className="mode-chooser">
          <legend>Kind</legend>
          <label className={`mode-option ${kind === 'dynamic' ? 'mode-option--on' : ''}`}>
            <input
              type="radio"
              name="group-kind"
              checked={kind === 'dynamic'}
              onChange={() => setKind('dynamic')}
            />
            <span>
              <strong>Dynamic</strong>: a saved filter. Its devices are whichever match it each time
              the group is used.
            </span>
          </label>
          <label className={`mode-option ${kind === 'static' ? 'mode-option--on' : ''}`}>
            <input
              type="radio"
              name="group-kind"
              checked={kind === 'static'}
              onChange={() => setKind('static')}
            />
            <span>
              <strong>Static</strong>: a fixed list of devices.
            </span>
          </label>
        </fieldset>
      )}
      {kind === 'dynamic' ? (
        <>
          <FilterFields
            draft={draft}
            onChange={(change) => setDraft((d) => ({ ...d, ...change }))}
            problems={parsed.ok ? {} : parsed.problems}
          />
          <FilterPreview filter={parsed.ok ? parsed.filter : null} />
        </>
      ) : deviceIds === null ? (
        <p className="muted">
          This group lists more devices than can be edited here; its name can still change.
        </p>
      ) : (
        <Field
          label="Device IDs"
          problem={tried ? idsProblem : null}
          help={`${plural(ids.length, 'device')} listed. You can also select devices on the Devices page and save them as a group.`}
        >
          {(control) => (
            <textarea
              {...control}
              value={idsText}
              onChange={(e) => setIdsText(e.target.value)}
              rows={6}
              placeholder="ACM-TX1-0004, ACM-TX1-0008 (one per line, or separated by commas or spaces)"
            />
          )}
        </Field>
      )}
      <ErrorDetails error={error} title="The group was not saved." />
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
