import { createHash } from 'node:crypto';

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code unit at every depth, no
 * whitespace, and otherwise `JSON.stringify`'s rules (properties whose value is undefined are
 * dropped, non-finite numbers become null). The same value always gives the same bytes, so the
 * SHA-256 of the UTF-8 result identifies a preserved item. Every evidence hash uses this form.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Returns the lower-case hex SHA-256 of a string's UTF-8 bytes or of a buffer. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return sortKeys((value as { toJSON: () => unknown }).toJSON());
  }
  const entries = Object.entries(value).sort(([a], [b]) => compareCodeUnits(a, b));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
}

// Plain `<` compares UTF-16 code units, unlike `localeCompare`, so the order is the same everywhere.
function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
