import {
  deviceGroupFilterSchema,
  type CheckoutMode,
  type DeviceGroupFilter,
  type InstalledRelation,
} from '@repo/schemas';

/** A dynamic group's filter as its form holds it: every field a string or a list of them. */
export type FilterDraft = {
  models: string[];
  firmwareMin: string;
  firmwareMax: string;
  tags: string[];
  sites: string[];
  entitledItemId: string;
  entitledMode: '' | CheckoutMode;
  installedItemId: string;
  installedRelation: InstalledRelation;
  installedVersion: string;
};

export const emptyFilterDraft: FilterDraft = {
  models: [],
  firmwareMin: '',
  firmwareMax: '',
  tags: [],
  sites: [],
  entitledItemId: '',
  entitledMode: '',
  installedItemId: '',
  installedRelation: 'below',
  installedVersion: '',
};

export function draftFromFilter(filter: DeviceGroupFilter | null): FilterDraft {
  if (!filter) return emptyFilterDraft;
  return {
    models: filter.models ?? [],
    firmwareMin: filter.firmwareMin ?? '',
    firmwareMax: filter.firmwareMax ?? '',
    tags: filter.tags ?? [],
    sites: filter.sites ?? [],
    entitledItemId: filter.entitledTo?.itemId ?? '',
    entitledMode: filter.entitledTo?.mode ?? '',
    installedItemId: filter.installed?.itemId ?? '',
    installedRelation: filter.installed?.relation ?? 'below',
    installedVersion: filter.installed?.version ?? '',
  };
}

export type FilterParse =
  | { ok: true; filter: DeviceGroupFilter }
  | { ok: false; problems: Partial<Record<keyof FilterDraft, string>> };

/** The draft as the API takes it, or what is wrong with each field, in words. */
export function filterFromDraft(draft: FilterDraft): FilterParse {
  const text = (value: string) => value.trim() || undefined;
  const list = (values: string[]) => (values.length > 0 ? values : undefined);
  const installedVersion = draft.installedRelation === 'none' ? undefined : draft.installedVersion;
  const candidate = {
    models: list(draft.models),
    firmwareMin: text(draft.firmwareMin),
    firmwareMax: text(draft.firmwareMax),
    tags: list(draft.tags),
    sites: list(draft.sites),
    entitledTo: draft.entitledItemId
      ? { itemId: draft.entitledItemId, mode: draft.entitledMode || undefined }
      : undefined,
    installed: draft.installedItemId
      ? {
          itemId: draft.installedItemId,
          relation: draft.installedRelation,
          version: installedVersion === undefined ? undefined : text(installedVersion),
        }
      : undefined,
  };
  const parsed = deviceGroupFilterSchema.safeParse(
    Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined)),
  );
  if (parsed.success) return { ok: true, filter: parsed.data };
  const problems: Partial<Record<keyof FilterDraft, string>> = {};
  for (const issue of parsed.error.issues) {
    const [field, sub] = issue.path;
    if (field === 'firmwareMin' || field === 'firmwareMax')
      problems[field] = 'Write a version such as 2.4.0.';
    else if (field === 'installed' && sub === 'version')
      problems.installedVersion = 'Write a version such as 2.4.0.';
    else problems.models ??= issue.message;
  }
  return { ok: false, problems };
}

export const SITE_TAG_PREFIX = 'site:';

const either = (values: string[]) =>
  values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/** A filter in words, one criterion a line; an empty filter is the whole fleet. */
export function describeFilter(
  filter: DeviceGroupFilter,
  itemName: (itemId: string) => string,
): string[] {
  const lines: string[] = [];
  if (filter.models) lines.push(`Model ${either(filter.models)}`);
  if (filter.firmwareMin && filter.firmwareMax)
    lines.push(`Firmware ${filter.firmwareMin} to ${filter.firmwareMax}`);
  else if (filter.firmwareMin) lines.push(`Firmware ${filter.firmwareMin} or newer`);
  else if (filter.firmwareMax) lines.push(`Firmware ${filter.firmwareMax} or older`);
  if (filter.tags) lines.push(`Tagged ${filter.tags.join(' and ')}`);
  if (filter.sites) lines.push(`At site ${either(filter.sites)}`);
  if (filter.entitledTo)
    lines.push(
      `Entitled to ${itemName(filter.entitledTo.itemId)}${filter.entitledTo.mode ? ` (${filter.entitledTo.mode} mode)` : ''}`,
    );
  if (filter.installed) {
    const { itemId, relation, version } = filter.installed;
    const item = itemName(itemId);
    lines.push(
      relation === 'none'
        ? `${item} not installed`
        : relation === 'equal'
          ? `${item} ${version} installed`
          : relation === 'below'
            ? `${item} installed, older than ${version}`
            : `${item} ${version} or newer installed`,
    );
  }
  return lines.length > 0 ? lines : ['Every device of the organisation'];
}

export const INSTALLED_RELATION_LABELS: Record<InstalledRelation, string> = {
  below: 'Installed, older than',
  equal: 'Installed, exactly',
  atLeast: 'Installed, this version or newer',
  none: 'Not installed',
};
