import type { DeviceGroupKind } from '@repo/schemas';

const LABELS: Record<DeviceGroupKind, string> = { static: 'Static', dynamic: 'Dynamic' };

/** A static group lists its devices; a dynamic one is a filter read afresh each time. */
export function GroupKindBadge({ kind }: { kind: DeviceGroupKind }) {
  return (
    <span
      className={`badge ${kind === 'dynamic' ? 'badge--working' : 'badge--muted'}`}
      title={kind === 'dynamic' ? 'A saved filter' : 'A fixed list of devices'}
    >
      {LABELS[kind]}
    </span>
  );
}
