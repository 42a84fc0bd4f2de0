/**
 * Readers for documents whose fields may be nested (`{"kibana":{"alert":{"uuid":...}}}`), dotted
 * (`{"kibana.alert.uuid": ...}`, as alert indices store them) or a mix of both.
 */

export type JsonRecord = Record<string, unknown>;

/** Type guard for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a dotted field path from a document in nested, dotted or mixed form. At every level the
 * longest matching dotted key is tried first. Returns undefined when no form contains the field.
 */
export function readField(doc: unknown, path: string): unknown {
  return readSegments(doc, path.split('.'));
}

function readSegments(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  if (!isRecord(value)) return undefined;
  for (let take = segments.length; take >= 1; take -= 1) {
    const key = segments.slice(0, take).join('.');
    if (!Object.hasOwn(value, key)) continue;
    const found = readSegments(value[key], segments.slice(take));
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads a string field. Numbers are rendered in base 10 because some shippers store ids and
 * codes as numbers. Returns undefined for any other type and for an empty string.
 */
export function readText(doc: unknown, path: string): string | undefined {
  const value = readField(doc, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '') return undefined;
  return value;
}

/** Returns the first of several paths whose value is a non-empty string. */
export function readFirstText(doc: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = readText(doc, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A dotted key whose value disagrees with the nested form of the same field. */
export interface FieldConflict {
  path: (string | number)[];
  message: string;
}

/**
 * Rewrites every dotted key into nested objects, recursively, so that a schema can validate one
 * form. Arrays are expanded element by element. When a dotted and a nested key name the same
 * leaf with different values, the nested value is kept and the clash is returned as a conflict.
 */
export function expandDottedKeys(value: unknown): { value: unknown; conflicts: FieldConflict[] } {
  const conflicts: FieldConflict[] = [];
  return { value: expandValue(value, [], conflicts), conflicts };
}

/** Deepest nesting expanded; real alert documents stay under 10 levels. */
export const MAX_DOCUMENT_DEPTH = 64;

/**
 * Key names that would reach `Object.prototype` when assigned on a plain object. No ECS or
 * Windows field uses them, so a document that does is rejected instead of expanded.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function expandValue(value: unknown, at: (string | number)[], conflicts: FieldConflict[]): unknown {
  if (at.length > MAX_DOCUMENT_DEPTH) {
    conflicts.push({ path: at, message: `nested deeper than ${MAX_DOCUMENT_DEPTH} levels` });
    return undefined;
  }
  if (Array.isArray(value)) return value.map((item, i) => expandValue(item, [...at, i], conflicts));
  if (!isRecord(value)) return value;

  const out: JsonRecord = {};
  // Nested keys first, so that they win over dotted duplicates.
  const keys = Object.keys(value).sort((a, b) => Number(a.includes('.')) - Number(b.includes('.')));
  for (const key of keys) {
    const segments = key.split('.').filter((segment) => segment !== '');
    if (segments.length === 0) continue;
    const reserved = segments.find((segment) => RESERVED_KEYS.has(segment));
    if (reserved !== undefined) {
      conflicts.push({ path: [...at, key], message: `key '${reserved}' is not allowed in a document; remove it` });
      continue;
    }
    const expanded = expandValue(value[key], [...at, ...segments], conflicts);
    mergeAt(out, segments, expanded, at, conflicts);
  }
  return out;
}

function mergeAt(
  target: JsonRecord,
  segments: string[],
  value: unknown,
  at: (string | number)[],
  conflicts: FieldConflict[],
): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const existing = Object.hasOwn(target, head) ? target[head] : undefined;
  if (rest.length === 0) {
    if (existing === undefined) target[head] = value;
    else if (isRecord(existing) && isRecord(value))
      mergeRecords(existing, value, [...at, head], conflicts);
    else if (JSON.stringify(existing) !== JSON.stringify(value)) {
      conflicts.push({
        path: [...at, head],
        message: 'dotted and nested forms of this field differ',
      });
    }
    return;
  }
  if (existing === undefined) target[head] = {};
  const next = Object.hasOwn(target, head) ? target[head] : undefined;
  if (!isRecord(next)) {
    conflicts.push({ path: [...at, head], message: 'field is both a value and an object' });
    return;
  }
  mergeAt(next, rest, value, [...at, head], conflicts);
}

function mergeRecords(
  target: JsonRecord,
  source: JsonRecord,
  at: (string | number)[],
  conflicts: FieldConflict[],
): void {
  for (const [key, value] of Object.entries(source)) mergeAt(target, [key], value, at, conflicts);
}

/**
 * Formats a path inside a document as JSONPath: `$.winlog.event_data.GrantedAccess`,
 * `$[3].host.name`, `$['@timestamp']`. `root` replaces the leading `$`, for example `$[3]` for the
 * fourth document of a batch.
 */
export function toJsonPath(path: readonly PropertyKey[], root = '$'): string {
  let out = root;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment))
      out += `.${segment}`;
    else out += `['${String(segment).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}
