import { randomUUID } from 'node:crypto';

/** Our ids: a prefix naming the kind of object, then 32 hex digits (`pur_…`, `chk_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
