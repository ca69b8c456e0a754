import { createHash } from 'node:crypto';
import { expressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import { z } from 'zod';
import {
  dateBoundToIso,
  type AuditAction,
  type AuditActor,
  type AuditEntry,
  type AuditFilters,
  type AuditObjectType,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { AuditActorType, AuditEntriesTable, DB } from '../../db/schema';
import { decodeCursor, keysetPage } from '../../http/cursor';
import { csvText } from '../../lib/csv';

export type NewAuditEntry = {
  organisationId: string | null;
  /** The user who acted; null when an API key, a payment link or the marketplace itself did. */
  userId: string | null;
  /** One of AUDIT_ACTIONS, so that the audit log's filters offer every action written. */
  action: AuditAction;
  objectType: AuditObjectType;
  objectId?: string | null;
  /** A key or a link that acted names itself here, as `apiKeyId` or `paymentLinkId`. */
  details?: unknown;
  requestId?: string;
};

/** Who an entry's filter asks for: one actor, or (an unknown email) nobody. */
export type ActorFilter =
  | { type: 'user'; email: string }
  | { type: Exclude<AuditActorType, 'system'>; id: string }
  | { type: 'system' };

export type AuditSearch = Omit<AuditFilters, 'actor'> & { actor?: ActorFilter };

/** Who acted, as the entry's columns say: the user, else the key or link its details name. */
function actorColumns(entry: NewAuditEntry): { actorType: AuditActorType; actorId: string | null } {
  if (entry.userId) return { actorType: 'user', actorId: entry.userId };
  const details = (entry.details ?? {}) as Record<string, unknown>;
  if (typeof details.apiKeyId === 'string')
    return { actorType: 'api_key', actorId: details.apiKeyId };
  if (typeof details.paymentLinkId === 'string')
    return { actorType: 'payment_link', actorId: details.paymentLinkId };
  return { actorType: 'system', actorId: null };
}

/** An entry with who acted: the user's email, the API key's name and prefix while the key is known. */
const entryRows = (db: Kysely<DB>) =>
  db
    .selectFrom('auditEntries as a')
    .leftJoin('users as u', 'u.id', 'a.userId')
    .leftJoin('apiKeys as k', (join) =>
      join
        .onRef('k.id', '=', 'a.actorId')
        .onRef('k.organisationId', '=', 'a.organisationId')
        .on('a.actorType', '=', 'api_key'),
    )
    .select([
      'a.id',
      'a.actorType',
      'a.actorId',
      'u.email',
      'k.name as apiKeyName',
      'k.keyPrefix as apiKeyPrefix',
      'a.action',
      'a.objectType',
      'a.objectId',
      'a.details',
      'a.requestId',
      'a.createdAt',
    ]);
export type AuditRow = Awaited<ReturnType<ReturnType<typeof entryRows>['executeTakeFirstOrThrow']>>;

function actorOf(row: AuditRow): AuditActor {
  switch (row.actorType) {
    case 'user':
      return { type: 'user', userId: row.actorId ?? '', email: row.email ?? '' };
    case 'api_key':
      return {
        type: 'api_key',
        apiKeyId: row.actorId ?? '',
        name: row.apiKeyName,
        prefix: row.apiKeyPrefix,
      };
    case 'payment_link':
      return { type: 'payment_link', paymentLinkId: row.actorId ?? '' };
    case 'system':
      return { type: 'system' };
  }
}

export const toAuditEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  actor: actorOf(row),
  action: row.action,
  objectType: row.objectType,
  objectId: row.objectId,
  details: row.details === null ? null : (JSON.parse(row.details) as AuditEntry['details']),
  requestId: row.requestId,
  createdAt: row.createdAt,
});

export const AUDIT_CSV_COLUMNS = [
  'entry_id',
  'created_at',
  'actor_type',
  'actor_id',
  'actor',
  'action',
  'object_type',
  'object_id',
  'details',
  'request_id',
] as const;

/** One CSV record, in the order of AUDIT_CSV_COLUMNS; `actor` is the email or the key's name. */
export const toAuditCsvRecord = (row: AuditRow): (string | number)[] => [
  row.id,
  row.createdAt,
  row.actorType,
  row.actorId ?? '',
  csvText(row.email ?? row.apiKeyName ?? ''),
  csvText(row.action),
  csvText(row.objectType),
  csvText(row.objectId ?? ''),
  csvText(row.details ?? ''),
  csvText(row.requestId ?? ''),
];

/** Where the last page ended, with the total of the first page and the filter it belongs to. */
const auditCursorSchema = z.object({
  c: z.string(),
  i: z.number().int(),
  t: z.number().int().nonnegative(),
  f: z.string(),
});

const a = expressionBuilder<DB & { a: AuditEntriesTable }, 'a'>();

/** The WHERE clause of a search of one organisation's log, over `audit_entries as a`. */
function searchFilter(organisationId: string, search: AuditSearch): Expression<SqlBool> {
  const clauses: Expression<SqlBool>[] = [a('a.organisationId', '=', organisationId)];
  const { actor } = search;
  if (actor) {
    clauses.push(a('a.actorType', '=', actor.type));
    if (actor.type === 'user' && 'email' in actor)
      clauses.push(
        a(
          'a.actorId',
          'in',
          a
            .selectFrom('users')
            .select('users.id')
            .where('users.organisationId', '=', organisationId)
            .where('users.email', '=', actor.email),
        ),
      );
    else if ('id' in actor) clauses.push(a('a.actorId', '=', actor.id));
  }
  if (search.action !== undefined) clauses.push(a('a.action', '=', search.action));
  if (search.objectType !== undefined) clauses.push(a('a.objectType', '=', search.objectType));
  if (search.objectId !== undefined) clauses.push(a('a.objectId', '=', search.objectId));
  if (search.from !== undefined)
    clauses.push(a('a.createdAt', '>=', dateBoundToIso(search.from, 'start')));
  if (search.to !== undefined)
    clauses.push(a('a.createdAt', '<=', dateBoundToIso(search.to, 'end')));
  return a.and(clauses);
}

const searchKey = (organisationId: string, search: AuditSearch) =>
  createHash('sha256')
    .update(JSON.stringify({ organisationId, ...search }))
    .digest('base64url')
    .slice(0, 16);

/** Who did what, when, to which object: written in the transaction of the change it records. */
export function createAuditRepo(database: Database) {
  return {
    async record(entry: NewAuditEntry): Promise<void> {
      await database.db
        .insertInto('auditEntries')
        .values({
          organisationId: entry.organisationId,
          userId: entry.userId,
          ...actorColumns(entry),
          action: entry.action,
          objectType: entry.objectType,
          objectId: entry.objectId ?? null,
          details: entry.details === undefined ? null : JSON.stringify(entry.details),
          requestId: entry.requestId ?? null,
          createdAt: new Date().toISOString(),
        })
        .execute();
    },

    /**
     * One page of the organisation's log, newest first by (created_at, id), with the number of
     * entries the search matches: counted for the first page (unless it holds them all) and
     * carried in the cursor, since entries written meanwhile are newer than any later page.
     */
    async list(
      organisationId: string,
      search: AuditSearch,
      page: { cursor?: string; limit: number },
    ): Promise<{ items: AuditEntry[]; nextCursor: string | null; total: number }> {
      const { db } = database;
      const key = searchKey(organisationId, search);
      const after = decodeCursor(auditCursorSchema, page.cursor);
      const filter = searchFilter(organisationId, search);
      const rows = await entryRows(db)
        .where(filter)
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb(eb.refTuple('a.createdAt', 'a.id'), '<', eb.tuple(after!.c, after!.i)),
          ),
        )
        .orderBy('a.createdAt', 'desc')
        .orderBy('a.id', 'desc')
        .limit(page.limit + 1)
        .execute();
      let total = after && after.f === key ? after.t : undefined;
      if (total === undefined && !after && rows.length <= page.limit) total = rows.length;
      if (total === undefined) {
        const { count } = await db
          .selectFrom('auditEntries as a')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where(filter)
          .executeTakeFirstOrThrow();
        total = count;
      }
      const matching = total;
      return {
        ...keysetPage(rows, page.limit, toAuditEntry, (last) => ({
          c: last.createdAt,
          i: last.id,
          t: matching,
          f: key,
        })),
        total: matching,
      };
    },

    /** Every entry a search matches, newest first, one at a time, on a connection of its own. */
    stream(organisationId: string, search: AuditSearch): AsyncIterable<AuditRow> {
      const filter = searchFilter(organisationId, search);
      return database.stream((db) =>
        entryRows(db)
          .where(filter)
          .orderBy('a.createdAt', 'desc')
          .orderBy('a.id', 'desc')
          .stream(200),
      );
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
