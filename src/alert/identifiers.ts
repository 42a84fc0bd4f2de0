/**
 * Normalisers for identifiers that different renderers print differently: Sysmon GUIDs (upper or
 * lower case, with or without braces), logon ids (zero-padded or not) and Windows paths.
 */

const GUID_BODY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the text is a GUID, with or without braces, in any case. */
export function isGuid(text: string): boolean {
  return GUID_BODY.test(stripBraces(text.trim()));
}

/**
 * Returns a GUID lower case with braces (`{747f3d96-9acd-61af-d401-000000000102}`), the form
 * stored everywhere past the intake boundary. Returns undefined for anything that is not a GUID.
 */
export function normaliseGuid(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const body = stripBraces(text.trim());
  return GUID_BODY.test(body) ? `{${body.toLowerCase()}}` : undefined;
}

/** Compares two GUIDs case-insensitively, with or without braces. False when either is not one. */
export function isSameGuid(a: string | undefined, b: string | undefined): boolean {
  const left = normaliseGuid(a);
  return left !== undefined && left === normaliseGuid(b);
}

function stripBraces(text: string): string {
  return text.startsWith('{') && text.endsWith('}') ? text.slice(1, -1) : text;
}

/**
 * Returns a hexadecimal id (logon id, `process.Ext.authentication_id`) as lower-case hex without
 * padding, so `0x16E3DB3` and `0x00000000016e3db3` compare equal. Decimal text is converted.
 * Returns undefined for text that is neither.
 */
export function normaliseHexId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  let value: bigint;
  if (/^0x[0-9a-f]+$/i.test(trimmed)) value = BigInt(trimmed);
  else if (/^\d+$/.test(trimmed)) value = BigInt(trimmed);
  else return undefined;
  return `0x${value.toString(16)}`;
}

/** Returns the last component of a Windows or POSIX path (`C:\x\svchost.exe` → `svchost.exe`). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
