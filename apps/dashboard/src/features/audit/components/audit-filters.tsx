import { AUDIT_ACTIONS, AUDIT_OBJECT_TYPES } from '@repo/schemas';
import { DebouncedTextField } from '../../../components/debounced-text-field';
import type { AuditLogFilters } from '../api/queries';
import { AUDIT_ACTION_LABELS, AUDIT_OBJECT_TYPE_LABELS } from '../audit-labels';

type Props = {
  filters: AuditLogFilters;
  onChange: (change: Partial<AuditLogFilters>) => void;
};

/** Who, what and when; the text fields apply once typing pauses, the others at once. */
export function AuditFiltersBar({ filters, onChange }: Props) {
  // A link may name an action or type this list does not know yet: keep it choosable.
  const withCurrent = (known: readonly string[], current: string | undefined) =>
    current && !known.includes(current) ? [...known, current] : known;

  return (
    <div className="filters" role="search" aria-label="Filter the audit log">
      <DebouncedTextField
        label="Who"
        value={filters.actor}
        onChange={(actor) => onChange({ actor })}
        placeholder="Email, user or key id, or system"
        grow
      />
      <label className="field field--inline">
        <span>Action</span>
        <select
          value={filters.action ?? ''}
          onChange={(e) => onChange({ action: e.target.value || undefined })}
        >
          <option value="">All</option>
          {withCurrent(AUDIT_ACTIONS, filters.action).map((action) => (
            <option key={action} value={action}>
              {AUDIT_ACTION_LABELS[action] ?? action}
            </option>
          ))}
        </select>
      </label>
      <label className="field field--inline">
        <span>Object type</span>
        <select
          value={filters.objectType ?? ''}
          onChange={(e) => onChange({ objectType: e.target.value || undefined })}
        >
          <option value="">All</option>
          {withCurrent(AUDIT_OBJECT_TYPES, filters.objectType).map((type) => (
            <option key={type} value={type}>
              {AUDIT_OBJECT_TYPE_LABELS[type] ?? type}
            </option>
          ))}
        </select>
      </label>
      <DebouncedTextField
        label="Object ID"
        value={filters.objectId}
        onChange={(objectId) => onChange({ objectId })}
        placeholder="e.g. pur_…"
      />
      {(['from', 'to'] as const).map((key) => (
        <label key={key} className="field field--inline">
          <span>{key === 'from' ? 'From (UTC)' : 'To (UTC)'}</span>
          <input
            type="date"
            value={filters[key] ?? ''}
            onChange={(e) => onChange({ [key]: e.target.value || undefined })}
          />
        </label>
      ))}
    </div>
  );
}
