import { useId, useState } from 'react';
import type { CheckoutMode } from '@repo/schemas';
import {
  DEFAULT_PRESET,
  RANGE_PRESETS,
  todayUtc,
  type OverviewRange,
  type OverviewSearch,
} from '../api/queries';

type Props = {
  search: OverviewSearch;
  range: OverviewRange;
  onChange: (change: Partial<OverviewSearch>) => void;
};

/** The range (a preset or two UTC days) and the mode; all of it lives in the URL. */
export function OverviewFilters({ search, range, onChange }: Props) {
  const custom = range.preset === null;
  const rangeLabel = useId();
  return (
    <div className="filters overview-filters" role="group" aria-label="Overview filters">
      <div className="field field--inline" role="group" aria-labelledby={rangeLabel}>
        <span id={rangeLabel}>Range</span>
        <div className="segmented">
          {RANGE_PRESETS.map((days) => (
            <button
              key={days}
              type="button"
              className="segmented__option"
              aria-pressed={range.preset === days}
              onClick={() =>
                onChange({
                  range: days === DEFAULT_PRESET ? undefined : String(days),
                  from: undefined,
                  to: undefined,
                })
              }
            >
              {days} days
            </button>
          ))}
          <button
            type="button"
            className="segmented__option"
            aria-pressed={custom}
            onClick={() =>
              !custom && onChange({ range: undefined, from: range.from, to: range.to })
            }
          >
            Custom
          </button>
        </div>
      </div>
      {custom && <CustomRange range={range} onChange={onChange} />}
      <label className="field field--inline">
        <span>Mode</span>
        <select
          value={search.mode ?? ''}
          onChange={(e) => onChange({ mode: (e.target.value || undefined) as CheckoutMode })}
        >
          <option value="">Both modes</option>
          <option value="live">Live</option>
          <option value="test">Test</option>
        </select>
      </label>
    </div>
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The two days of a custom range. What is typed stays in the fields (a cleared field stays
 * empty) and goes to the URL, both days together, whenever both are whole dates; a change of the
 * URL from elsewhere shows in the fields.
 */
function CustomRange({
  range,
  onChange,
}: {
  range: OverviewRange;
  onChange: (change: Partial<OverviewSearch>) => void;
}) {
  const [draft, setDraft] = useState({ from: range.from, to: range.to });
  const [shown, setShown] = useState(range);
  // Field by field: the URL catching up with one day must not undo what is being typed in the other.
  if (shown.from !== range.from || shown.to !== range.to) {
    setShown(range);
    setDraft((typed) => ({
      from: shown.from !== range.from ? range.from : typed.from,
      to: shown.to !== range.to ? range.to : typed.to,
    }));
  }
  const edit = (key: 'from' | 'to', value: string) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    if (DAY.test(next.from) && DAY.test(next.to)) onChange({ range: undefined, ...next });
  };
  const today = todayUtc();
  return (
    <>
      <label className="field field--inline">
        <span>From (UTC)</span>
        <input
          type="date"
          value={draft.from}
          max={today}
          onChange={(e) => edit('from', e.target.value)}
        />
      </label>
      <label className="field field--inline">
        <span>To (UTC)</span>
        <input
          type="date"
          value={draft.to}
          max={today}
          onChange={(e) => edit('to', e.target.value)}
        />
      </label>
    </>
  );
}
