import { formList, type FormObject, type FormValue } from './form-encoding';
import { invalidRequest, missingParameter, unknownParameter } from './stripe-error';

/**
 * Readers for decoded form parameters that fail with Stripe's error for the exact parameter path
 * (`line_items[0][quantity]`). Stripe treats an empty string as "not set" (the SDK sends `''`
 * for `null`), so every optional reader does the same.
 */

export function childParam(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}[${key}]`;
}

export function rejectUnknown(params: FormObject, allowed: readonly string[], parent = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParameter(childParam(parent, key));
  }
}

function isBlank(value: FormValue | undefined): value is undefined | '' {
  return value === undefined || value === '';
}

export function optionalString(params: FormObject, key: string, parent = ''): string | null {
  const value = params[key];
  if (isBlank(value)) return null;
  if (typeof value !== 'string') {
    throw invalidRequest(`Invalid string: ${childParam(parent, key)}`, childParam(parent, key));
  }
  return value;
}

export function requiredString(params: FormObject, key: string, parent = ''): string {
  const value = optionalString(params, key, parent);
  if (value === null) throw missingParameter(childParam(parent, key));
  return value;
}

export function optionalInteger(
  params: FormObject,
  key: string,
  parent = '',
  bounds: { min?: number; max?: number } = {},
): number | null {
  const text = optionalString(params, key, parent);
  if (text === null) return null;
  const param = childParam(parent, key);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidRequest(`Invalid integer: ${text}`, param, 'parameter_invalid_integer');
  }
  const value = Number(text);
  if (bounds.min !== undefined && value < bounds.min) {
    throw invalidRequest(
      `This value must be greater than or equal to ${bounds.min}.`,
      param,
      'parameter_invalid_integer',
    );
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw invalidRequest(
      `This value must be less than or equal to ${bounds.max}.`,
      param,
      'parameter_invalid_integer',
    );
  }
  return value;
}

export function requiredInteger(
  params: FormObject,
  key: string,
  parent = '',
  bounds: { min?: number; max?: number } = {},
): number {
  const value = optionalInteger(params, key, parent, bounds);
  if (value === null) throw missingParameter(childParam(parent, key));
  return value;
}

export function optionalBoolean(params: FormObject, key: string, parent = ''): boolean | null {
  const text = optionalString(params, key, parent);
  if (text === null) return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${text}`, childParam(parent, key));
}

export function optionalObject(params: FormObject, key: string, parent = ''): FormObject | null {
  const value = params[key];
  if (isBlank(value)) return null;
  if (typeof value === 'string' || Array.isArray(value)) {
    throw invalidRequest(`Invalid object`, childParam(parent, key));
  }
  return value;
}

export function optionalList(params: FormObject, key: string, parent = ''): FormValue[] | null {
  const value = params[key];
  if (isBlank(value)) return null;
  const list = formList(value);
  if (list === null) throw invalidRequest(`Invalid array`, childParam(parent, key));
  return list;
}

export function optionalStringList(params: FormObject, key: string, parent = ''): string[] | null {
  const list = optionalList(params, key, parent);
  if (list === null) return null;
  return list.map((entry, index) => {
    if (typeof entry !== 'string' || entry === '') {
      throw invalidRequest(`Invalid string`, childParam(childParam(parent, key), index));
    }
    return entry;
  });
}

const metadataLimits = { keys: 50, keyLength: 40, valueLength: 500 };

/** Stripe's metadata rules: at most 50 keys of up to 40 characters, values up to 500. */
export function optionalMetadata(
  params: FormObject,
  key: string,
  parent = '',
): Record<string, string> {
  const object = optionalObject(params, key, parent);
  const param = childParam(parent, key);
  // Null prototype, so a metadata key named `__proto__` is stored like any other key.
  const metadata = Object.create(null) as Record<string, string>;
  if (object === null) return metadata;
  for (const [metadataKey, value] of Object.entries(object)) {
    const entryParam = childParam(param, metadataKey);
    if (typeof value !== 'string') throw invalidRequest(`Invalid string`, entryParam);
    if (value === '') continue;
    if (metadataKey.length > metadataLimits.keyLength) {
      throw invalidRequest(
        `Metadata keys can have up to ${metadataLimits.keyLength} characters; "${metadataKey}" has ${metadataKey.length}.`,
        entryParam,
      );
    }
    if (value.length > metadataLimits.valueLength) {
      throw invalidRequest(
        `Metadata values can have up to ${metadataLimits.valueLength} characters, but the value of "${metadataKey}" has ${value.length}.`,
        entryParam,
      );
    }
    metadata[metadataKey] = value;
  }
  if (Object.keys(metadata).length > metadataLimits.keys) {
    throw invalidRequest(`Metadata can have up to ${metadataLimits.keys} keys.`, param);
  }
  return metadata;
}

export function optionalEnum<T extends string>(
  params: FormObject,
  key: string,
  allowed: readonly T[],
  parent = '',
): T | null {
  const value = optionalString(params, key, parent);
  if (value === null) return null;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw invalidRequest(
      `Invalid ${key}: must be one of ${allowed.join(', ')}`,
      childParam(parent, key),
    );
  }
  return match;
}
