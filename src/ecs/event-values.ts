/** Readers for EventData values as the ECS mappings need them. */
import { isIP } from 'node:net';
import { isRecord, type JsonRecord } from '../alert/fields';
import { baseName, normaliseGuid } from '../alert/identifiers';

/** An ECS fragment: nested objects whose undefined leaves are dropped when merged. */
export type EcsFragment = JsonRecord;

/**
 * Reads an EventData value as text. Windows writes `-` for an empty value (ParentImage,
 * IpAddress, TargetUserName), so `-` and empty strings read as missing.
 */
export function dataText(data: JsonRecord, key: string): string | undefined {
  const value = data[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '-' ? undefined : value;
}

/**
 * Reads a process id, thread id or port written in decimal (Sysmon) or `0x` hex (Security).
 * Zero reads as missing, because Windows writes 0 for "none" in these fields.
 */
export function dataNumber(data: JsonRecord, key: string): number | undefined {
  const value = dataText(data, key)?.trim();
  if (value === undefined) return undefined;
  let pid: number;
  if (/^0x[0-9a-f]+$/i.test(value)) pid = Number.parseInt(value.slice(2), 16);
  else if (/^\d+$/.test(value)) pid = Number(value);
  else return undefined;
  return pid > 0 ? pid : undefined;
}

/** Reads a Sysmon GUID as an ECS entity id, lower case with braces. The all-zero GUID reads as missing. */
export function dataEntityId(data: JsonRecord, key: string): string | undefined {
  const guid = normaliseGuid(dataText(data, key));
  return guid === '{00000000-0000-0000-0000-000000000000}' ? undefined : guid;
}

/** Reads an IP address; anything `net.isIP` rejects reads as missing. */
export function dataIp(data: JsonRecord, key: string): string | undefined {
  const value = dataText(data, key)?.trim();
  return value !== undefined && isIP(value) !== 0 ? value : undefined;
}

/** Splits a Sysmon `DOMAIN\name` account into ECS `user.domain` and `user.name`. */
export function splitAccount(account: string | undefined): { domain?: string; name?: string } {
  if (account === undefined) return {};
  const slash = account.indexOf('\\');
  if (slash < 0) return { name: account };
  return { domain: account.slice(0, slash), name: account.slice(slash + 1) };
}

/** Builds ECS `process.*` from an image path, a pid and a Sysmon GUID. */
export function processFields(image?: string, pid?: number, entityId?: string): EcsFragment {
  return {
    entity_id: entityId,
    pid,
    executable: image,
    name: image === undefined ? undefined : baseName(image),
  };
}

/** Parses Sysmon `Hashes` (`SHA1=..,MD5=..,SHA256=..,IMPHASH=..`) into lower-case ECS `hash.*`. */
export function parseHashes(hashes: string | undefined): EcsFragment | undefined {
  if (hashes === undefined) return undefined;
  const out: EcsFragment = {};
  for (const pair of hashes.split(',')) {
    const [algorithm, value] = pair.split('=');
    if (algorithm === undefined || value === undefined) continue;
    const name = algorithm.trim().toLowerCase();
    if (['md5', 'sha1', 'sha256', 'imphash'].includes(name)) out[name] = value.trim().toLowerCase();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Merges fragment into target, recursively. Undefined leaves and objects left empty are dropped,
 * so mappings can list optional fields without guarding each one.
 */
export function mergeFragment(target: JsonRecord, fragment: EcsFragment): JsonRecord {
  for (const [key, value] of Object.entries(fragment)) {
    if (value === undefined) continue;
    if (!isRecord(value)) {
      target[key] = value;
      continue;
    }
    const existing = target[key];
    const merged = mergeFragment(isRecord(existing) ? existing : {}, value);
    if (Object.keys(merged).length > 0) target[key] = merged;
  }
  return target;
}
