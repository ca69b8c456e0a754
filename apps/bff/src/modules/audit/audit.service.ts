import { Readable } from 'node:stream';
import type { AuditFilters, AuditPage } from '@repo/schemas';
import type { Actor } from '../../http/auth';
import {
  AUDIT_CSV_COLUMNS,
  toAuditCsvRecord,
  type ActorFilter,
  type AuditRepo,
  type AuditSearch,
} from './audit.repo';

export { AUDIT_CSV_COLUMNS };

/**
 * Who the actor filter names: a user by email (any letter case) or id, an API key or a payment
 * link by id, or the marketplace itself. Other text names nobody: the Who field filters as it is
 * typed, and half an email must show an empty log rather than an error.
 */
export function actorFilter(text: string): ActorFilter | 'nobody' {
  const value = text.trim();
  if (value.toLowerCase() === 'system') return { type: 'system' };
  if (value.includes('@')) return { type: 'user', email: value.toLowerCase() };
  if (/^usr_\w+$/.test(value)) return { type: 'user', id: value };
  if (/^key_[0-9a-f]{32}$/.test(value)) return { type: 'api_key', id: value };
  if (/^plink_[0-9a-f]{32}$/.test(value)) return { type: 'payment_link', id: value };
  return 'nobody';
}

type Filters = AuditFilters;

/** The organisation's audit log, for its admins (the routes check the role). */
export function createAuditService({ audit }: { audit: AuditRepo }) {
  const toSearch = ({ actor, ...filters }: Filters): AuditSearch | 'nobody' => {
    if (actor === undefined) return filters;
    const who = actorFilter(actor);
    return who === 'nobody' ? 'nobody' : { ...filters, actor: who };
  };

  return {
    async list(
      actor: Actor,
      query: Filters & { cursor?: string; limit: number },
    ): Promise<AuditPage> {
      const { cursor, limit, ...filters } = query;
      const search = toSearch(filters);
      if (search === 'nobody') return { items: [], nextCursor: null, total: 0 };
      return audit.list(actor.organisationId, search, { cursor, limit });
    },

    /** The CSV records of a search, read only as fast as the client takes them. */
    exportRows(actor: Actor, filters: Filters): Readable {
      const search = toSearch(filters);
      const rows = search === 'nobody' ? [] : audit.stream(actor.organisationId, search);
      async function* records() {
        for await (const row of rows) yield toAuditCsvRecord(row);
      }
      return Readable.from(records(), { objectMode: true, highWaterMark: 64 });
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
