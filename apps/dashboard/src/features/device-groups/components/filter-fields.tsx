import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';
import { installedRelationSchema } from '@repo/schemas';
import { deviceFacetsQueryOptions } from '../../devices/api/queries';
import { itemsOfReleases, releasesQueryOptions } from '../../installs/api/queries';
import {
  INSTALLED_RELATION_LABELS,
  SITE_TAG_PREFIX,
  type FilterDraft,
  type FilterParse,
} from '../group-filter';

type Props = {
  draft: FilterDraft;
  onChange: (change: Partial<FilterDraft>) => void;
  problems: Extract<FilterParse, { ok: false }>['problems'];
};

/** Tick boxes for one list criterion; none ticked means the criterion is not used. */
function CheckList({
  legend,
  options,
  chosen,
  onChange,
  label = (option) => option,
}: {
  legend: string;
  options: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  label?: (option: string) => string;
}) {
  // A saved filter may name a value the fleet no longer has: keep it visible and removable.
  const all = [...new Set([...options, ...chosen])];
  return (
    <fieldset className="check-list">
      <legend>{legend}</legend>
      {all.length === 0 ? (
        <p className="small muted">None in your fleet.</p>
      ) : (
        all.map((option) => (
          <label key={option} className="check-list__option">
            <input
              type="checkbox"
              checked={chosen.includes(option)}
              onChange={(e) =>
                onChange(
                  e.target.checked ? [...chosen, option] : chosen.filter((c) => c !== option),
                )
              }
            />
            {label(option)}
          </label>
        ))
      )}
    </fieldset>
  );
}

function Problem({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <span id={id} className="field__problem">
      {text}
    </span>
  );
}

/**
 * The criteria of a dynamic group. Every one that is set must hold; lists match any of their
 * values, except tags, which must all be there.
 */
export function FilterFields({ draft, onChange, problems }: Props) {
  const id = useId();
  const facets = useQuery(deviceFacetsQueryOptions());
  const releases = useQuery(releasesQueryOptions());
  const items = itemsOfReleases(releases.data?.items ?? []);
  const tags = facets.data?.tags ?? [];
  const sites = tags
    .filter((t) => t.startsWith(SITE_TAG_PREFIX))
    .map((t) => t.slice(SITE_TAG_PREFIX.length));
  const otherTags = tags.filter((t) => !t.startsWith(SITE_TAG_PREFIX));
  const itemSelect = (value: string, onPick: (itemId: string) => void, empty: string) => (
    <select value={value} onChange={(e) => onPick(e.target.value)}>
      <option value="">{empty}</option>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </select>
  );

  return (
    <div className="filter-fields">
      <CheckList
        legend="Model (any of)"
        options={facets.data?.models ?? []}
        chosen={draft.models}
        onChange={(models) => onChange({ models })}
      />
      <fieldset className="check-list">
        <legend>Firmware range</legend>
        <div className="filter-fields__row">
          <label className="field field--inline">
            <span>From (inclusive)</span>
            <input
              value={draft.firmwareMin}
              onChange={(e) => onChange({ firmwareMin: e.target.value })}
              placeholder="e.g. 2.0.0"
              inputMode="decimal"
              aria-invalid={!!problems.firmwareMin}
              aria-describedby={problems.firmwareMin ? `${id}-min` : undefined}
            />
            <Problem id={`${id}-min`} text={problems.firmwareMin} />
          </label>
          <label className="field field--inline">
            <span>To (inclusive)</span>
            <input
              value={draft.firmwareMax}
              onChange={(e) => onChange({ firmwareMax: e.target.value })}
              placeholder="e.g. 2.4.0"
              inputMode="decimal"
              aria-invalid={!!problems.firmwareMax}
              aria-describedby={problems.firmwareMax ? `${id}-max` : undefined}
            />
            <Problem id={`${id}-max`} text={problems.firmwareMax} />
          </label>
        </div>
      </fieldset>
      <CheckList
        legend="Tags (all of)"
        options={otherTags}
        chosen={draft.tags}
        onChange={(chosen) => onChange({ tags: chosen })}
      />
      <CheckList
        legend="Site (any of)"
        options={sites}
        chosen={draft.sites}
        onChange={(chosen) => onChange({ sites: chosen })}
      />
      <fieldset className="check-list">
        <legend>Entitlement</legend>
        <div className="filter-fields__row">
          <label className="field field--inline">
            <span>Entitled to</span>
            {itemSelect(
              draft.entitledItemId,
              (entitledItemId) => onChange({ entitledItemId }),
              'Any or none',
            )}
          </label>
          {draft.entitledItemId && (
            <label className="field field--inline">
              <span>In mode</span>
              <select
                value={draft.entitledMode}
                onChange={(e) =>
                  onChange({ entitledMode: e.target.value as FilterDraft['entitledMode'] })
                }
              >
                <option value="">Test or live</option>
                <option value="test">Test mode</option>
                <option value="live">Live mode</option>
              </select>
            </label>
          )}
        </div>
      </fieldset>
      <fieldset className="check-list">
        <legend>Installed version</legend>
        <div className="filter-fields__row">
          <label className="field field--inline">
            <span>Item</span>
            {itemSelect(
              draft.installedItemId,
              (installedItemId) => onChange({ installedItemId }),
              'Any',
            )}
          </label>
          {draft.installedItemId && (
            <>
              <label className="field field--inline">
                <span>Which</span>
                <select
                  value={draft.installedRelation}
                  onChange={(e) =>
                    onChange({
                      installedRelation: e.target.value as FilterDraft['installedRelation'],
                    })
                  }
                >
                  {installedRelationSchema.options.map((relation) => (
                    <option key={relation} value={relation}>
                      {INSTALLED_RELATION_LABELS[relation]}
                    </option>
                  ))}
                </select>
              </label>
              {draft.installedRelation !== 'none' && (
                <label className="field field--inline">
                  <span>Version</span>
                  <input
                    value={draft.installedVersion}
                    onChange={(e) => onChange({ installedVersion: e.target.value })}
                    placeholder="e.g. 2.0.0"
                    inputMode="decimal"
                    aria-invalid={!!problems.installedVersion}
                    aria-describedby={problems.installedVersion ? `${id}-version` : undefined}
                  />
                  <Problem id={`${id}-version`} text={problems.installedVersion} />
                </label>
              )}
            </>
          )}
        </div>
      </fieldset>
    </div>
  );
}
