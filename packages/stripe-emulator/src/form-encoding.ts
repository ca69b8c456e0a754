/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` where nesting is spelled with
 * brackets (`line_items[0][price_data][unit_amount]=500`, `metadata[orgId]=x`, `expand[]=a`).
 *
 * Indexed segments (`[0]`) become object keys, not array slots: only the reader of a parameter
 * knows whether `metadata[0]` is a key called "0" or the first element of a list, so lists are
 * recovered later with `formList`. Empty brackets (`[]`) always append to a list.
 */
export type FormValue = string | FormValue[] | FormObject;
export type FormObject = { [key: string]: FormValue };

export class FormEncodingError extends Error {
  constructor(readonly param: string) {
    super(`Invalid array or hash for parameter: ${param}`);
    this.name = 'FormEncodingError';
  }
}

export function parseFormEncoded(body: string): FormObject {
  const root = emptyObject();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const key = decodeComponent(rawKey);
    if (key === '') continue;
    assign(root, key, keyPath(key), decodeComponent(rawValue));
  }
  return root;
}

/** A list parameter, sent either as `a[]=x&a[]=y` or `a[0]=x&a[1]=y`, in index order. */
export function formList(value: FormValue): FormValue[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return null;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return null;
  return keys
    .map((key) => Number(key))
    .sort((a, b) => a - b)
    .map((index) => value[String(index)] as FormValue);
}

function emptyObject(): FormObject {
  // A null prototype makes keys such as `__proto__` or `constructor` plain data.
  return Object.create(null) as FormObject;
}

function decodeComponent(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** `a[b][0][]` → `['a', 'b', '0', '']`; a key without brackets is a one-segment path. */
function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const segments = [key.slice(0, open)];
  const rest = key.slice(open);
  const pattern = /\[([^\]]*)\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest)) !== null) {
    segments.push(match[1] ?? '');
    consumed = pattern.lastIndex;
  }
  return consumed === rest.length ? segments : [key];
}

function assign(root: FormObject, fullKey: string, path: string[], value: string): void {
  let container: FormObject | FormValue[] = root;
  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index] as string;
    const isLast = index === path.length - 1;
    const nextIsAppend = path[index + 1] === '';
    const paramSoFar = bracketed(path.slice(0, index + 1));

    if (Array.isArray(container)) {
      if (segment !== '') throw new FormEncodingError(paramSoFar);
      if (isLast) {
        container.push(value);
        return;
      }
      const child: FormObject | FormValue[] = nextIsAppend ? [] : emptyObject();
      container.push(child);
      container = child;
      continue;
    }

    if (segment === '') throw new FormEncodingError(fullKey);
    if (isLast) {
      const existing = container[segment];
      if (existing !== undefined && typeof existing !== 'string') {
        throw new FormEncodingError(paramSoFar);
      }
      container[segment] = value;
      return;
    }
    const existing: FormValue | undefined = container[segment];
    if (existing === undefined) {
      const child: FormObject | FormValue[] = nextIsAppend ? [] : emptyObject();
      container[segment] = child;
      container = child;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== nextIsAppend) {
      throw new FormEncodingError(paramSoFar);
    } else {
      container = existing;
    }
  }
}

function bracketed(path: string[]): string {
  const [head = '', ...rest] = path;
  return head + rest.map((segment) => `[${segment}]`).join('');
}
