/**
 * The one device-ID rule: an ID is matched without regard to case or surrounding spaces, so every
 * door (typed IDs, URLs, filters, the device API) turns what it is given into the canonical form,
 * and the database keeps only that form (a CHECK holds `id = upper(id)`). Only ASCII letters change
 * case, as the databases' `upper()` does under their byte-wise collations: the same input gives
 * the same ID in the browser, the BFF, SQLite and PostgreSQL.
 */
export function normaliseDeviceId(input: string): string {
  return input.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
