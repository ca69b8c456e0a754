import { z } from 'zod';
import { AppError } from './errors';

/** Opaque keyset cursors: the sort key of the last row seen, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(
  schema: T,
  cursor: string | undefined,
): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(
      400,
      'INVALID_CURSOR',
      'The cursor is not valid. Start again from the first page.',
      [{ path: 'cursor', message: 'not a cursor this API issued' }],
    );
  }
}

/** Escapes %, _ and \ so that user text matches literally in `LIKE … ESCAPE '\'`. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The key of lists shown newest first: when a row was created, and its id to break ties. */
export const createdAtCursorSchema = z.object({ createdAt: z.string(), id: z.string() });

/**
 * A page from rows fetched with `limit + 1`: the extra row only tells that there is more, and the
 * next cursor is the sort key of the last row shown.
 */
export function keysetPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (last: Row) => Record<string, string | number>,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null,
  };
}
