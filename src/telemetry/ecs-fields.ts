/**
 * Field readers and value normalisers for ECS documents. Documents from Elasticsearch may store
 * a field nested (`{"winlog":{"event_data":{...}}}`), dotted (`{"kibana.alert.rule.name": ...}`)
 * or mixed, so every read goes through `readPath`.
 */
import type { HostRef } from '../alert/alert';
import { isRecord, readField } from '../alert/fields';
import * as identifiers from '../alert/identifiers';

export { isRecord };

/** Reads a dotted ECS path in nested, dotted or mixed form (see `readField`). */
export const readPath = readField;

/**
 * Reads a string field; numbers are rendered in base 10. Windows writes `-` for an empty value
 * (ParentImage, IpAddress, TargetUserName), so `-` and blank strings read as missing.
 */
export function readString(doc: unknown, path: string): string | undefined {
  const value = readPath(doc, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '-' ? undefined : value;
}

/** Returns the value of the first path that contains a string. */
export function readFirstString(doc: unknown, paths: string[]): string | undefined {
  for (const path of paths) {
    const value = readString(doc, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Reads an integer written as a number, a decimal string or a `0x` hex string. */
export function readInteger(doc: unknown, path: string): number | undefined {
  const value = readPath(doc, path);
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  return parseInteger(value);
}

function parseInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^0x[0-9a-f]+$/i.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  return undefined;
}

/** Reads a field that may be a string or an array of strings, as an array. */
export function readStrings(doc: unknown, path: string): string[] {
  const value = readPath(doc, path);
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}

/**
 * Normalises a logon id so that ids compare as numbers: `0x16E3DB3`, `0x00000000016e3db3` and
 * `0x16e3db3` all become `0x16e3db3`. Decimal numbers are read as numbers. Returns undefined for
 * anything else.
 */
export function normaliseLogonId(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? `0x${value.toString(16)}` : undefined;
  }
  return typeof value === 'string' ? identifiers.normaliseHexId(value) : undefined;
}

/** Normalises an access mask the same way, so `0x000014C0` equals `0x14c0`. */
export function normaliseAccessMask(value: string | undefined): string | undefined {
  return value === undefined ? undefined : (normaliseLogonId(value) ?? value.trim().toLowerCase());
}

/**
 * Normalises a GUID (a Sysmon ProcessGuid) to lower case with braces. Other strings are only
 * trimmed, because Elastic Defend's `process.entity_id` is case-sensitive base64 and its suspend
 * action needs the id exactly as stored.
 */
export function normaliseGuid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return identifiers.normaliseGuid(value) ?? value.trim();
}

/** Windows logon type names as the Winlogbeat security module writes them in `winlog.logon.type`. */
const LOGON_TYPE_NUMBERS: Record<string, number> = {
  interactive: 2,
  network: 3,
  batch: 4,
  service: 5,
  unlock: 7,
  networkcleartext: 8,
  newcredentials: 9,
  remoteinteractive: 10,
  cachedinteractive: 11,
  cachedremoteinteractive: 12,
  cachedunlock: 13,
};

/** Parses a logon type written as a number (`9`, `"9"`) or a name (`NewCredentials`). */
export function parseLogonType(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  return LOGON_TYPE_NUMBERS[trimmed.toLowerCase().replace(/[\s_-]/g, '')];
}

/**
 * Decides whether two host references name the same endpoint: by `host.id` when both have one,
 * else by computer name, case-insensitively, comparing only the part before the first dot so
 * that a short name matches its FQDN.
 */
export function isSameHost(left: HostRef, right: HostRef): boolean {
  if (left.id !== undefined && right.id !== undefined) return isSameHostId(left.id, right.id);
  return shortHostName(left.name) === shortHostName(right.name);
}

/**
 * Compares two `host.id` values. GUIDs compare in any case, with or without braces; other ids
 * compare case-insensitively.
 */
export function isSameHostId(left: string, right: string): boolean {
  if (identifiers.isGuid(left) && identifiers.isGuid(right)) {
    return identifiers.isSameGuid(left, right);
  }
  return left.trim().toLowerCase() === right.trim().toLowerCase();
}

/** Returns the lower-case computer name up to the first dot. */
export function shortHostName(name: string): string {
  return name.trim().toLowerCase().split('.')[0] ?? '';
}

/** Returns the file name of a Windows or POSIX path, lower case. */
export function baseName(path: string | undefined): string | undefined {
  return path === undefined ? undefined : identifiers.baseName(path).toLowerCase();
}
