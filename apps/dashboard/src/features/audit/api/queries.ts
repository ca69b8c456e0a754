import { infiniteQueryOptions } from '@tanstack/react-query';
import type { AuditQuery } from '@repo/schemas';
import { api } from '../../../lib/api';

/** The Audit log's filters, as they stand in the URL. */
export type AuditLogFilters = Pick<
  AuditQuery,
  'actor' | 'action' | 'objectType' | 'objectId' | 'from' | 'to'
>;

export const auditKeys = {
  all: ['audit'] as const,
  lists: () => [...auditKeys.all, 'list'] as const,
  list: (filters: AuditLogFilters) => [...auditKeys.lists(), filters] as const,
};

export const AUDIT_PAGE_SIZE = 50;

export const auditInfiniteQueryOptions = (filters: AuditLogFilters) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.audit.list({ ...filters, cursor: pageParam, limit: AUDIT_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const NAME = /^[a-z][a-z_]*(\.[a-z][a-z_]*)*$/;

/**
 * Filters as they stand in the URL, so that a link or a reload keeps them. Values the BFF would
 * refuse are dropped here, so that a mangled link shows everything rather than an error.
 */
export function auditFiltersFromSearch(search: URLSearchParams): AuditLogFilters {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const matching = (key: string, pattern: RegExp) => {
    const value = read(key);
    return value && pattern.test(value) ? value : undefined;
  };
  return {
    actor: read('actor')?.slice(0, 254),
    action: matching('action', NAME),
    objectType: matching('objectType', NAME),
    objectId: read('objectId')?.slice(0, 128),
    from: matching('from', DAY),
    to: matching('to', DAY),
  };
}
