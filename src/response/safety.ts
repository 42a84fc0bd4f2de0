import { UnsafeResponseError } from '../errors';
import type { StepRequest } from './types';

/**
 * Windows processes that a suspension must never target. The rule's own source (svchost.exe
 * hosting seclogon) and target (lsass.exe) come first; suspending any of the others also stops
 * the operating system.
 */
export const PROTECTED_PROCESS_NAMES = [
  'svchost.exe',
  'lsass.exe',
  'csrss.exe',
  'wininit.exe',
  'winlogon.exe',
  'services.exe',
  'smss.exe',
] as const;

/**
 * The exact fields an exception names: `SourceImage`, `CallTrace`, `GrantedAccess`, the recovered
 * workflow identity (the initiator's executable, or the recognised-tooling entry id that pins it),
 * `user.id` and `host.id`.
 */
export const EXCEPTION_TUPLE_FIELDS = [
  'sourceImage',
  'callTrace',
  'grantedAccess',
  'processIdentity',
  'userId',
  'hostId',
] as const;

/**
 * Checks a step request against the response invariants before any connector call. Throws
 * `UnsafeResponseError` when a suspension targets a protected Windows process (any case, any path)
 * or names no executable, or when an exception lacks a tuple field, names another field, or contains
 * a wildcard. Pure, so repeating it is harmless.
 */
export function assertStepIsSafe(request: StepRequest): void {
  if (request.step === 'suspend-process') assertSuspensionTarget(request.target);
  if (request.step === 'create-exception') assertExceptionTuple(request.target);
}

/** Returns the lower-case file name of a Windows or POSIX path, without quotes or spaces. */
export function executableName(executable: string): string {
  const unquoted = executable.trim().replace(/^"+|"+$/g, '');
  const name = unquoted.split(/[\\/]/).pop() ?? '';
  return name.trim().toLowerCase();
}

/** True when the executable is one of `PROTECTED_PROCESS_NAMES`, in any case and at any path. */
export function isProtectedProcess(executable: string): boolean {
  return (PROTECTED_PROCESS_NAMES as readonly string[]).includes(executableName(executable));
}

function assertSuspensionTarget(target: Record<string, string>): void {
  const executable = target.executable ?? '';
  if (executable.trim() === '') {
    throw new UnsafeResponseError(
      'suspend-process rejected: the target names no executable, so it cannot be checked against ' +
        'protected Windows processes. Recover the initiating tool first.',
    );
  }
  if (isProtectedProcess(executable)) {
    throw new UnsafeResponseError(
      `suspend-process rejected: '${executable}' is a protected Windows process. ` +
        'Suspend only the recovered non-system tool.',
    );
  }
}

function assertExceptionTuple(target: Record<string, string>): void {
  const allowed: readonly string[] = EXCEPTION_TUPLE_FIELDS;
  const extra = Object.keys(target).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw new UnsafeResponseError(
      `create-exception rejected: fields ${extra.join(', ')} are not part of the exception tuple ` +
        `(${EXCEPTION_TUPLE_FIELDS.join(', ')}).`,
    );
  }

  const missing = EXCEPTION_TUPLE_FIELDS.filter((field) => (target[field] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new UnsafeResponseError(
      `create-exception rejected: missing ${missing.join(', ')}. An exception must name the exact ` +
        `tuple (${EXCEPTION_TUPLE_FIELDS.join(', ')}); close the alert without an exception instead.`,
    );
  }

  const wildcards = EXCEPTION_TUPLE_FIELDS.filter((field) => /[*?]/.test(target[field] ?? ''));
  if (wildcards.length > 0) {
    throw new UnsafeResponseError(
      `create-exception rejected: ${wildcards.join(', ')} contain a wildcard ('*' or '?'). ` +
        'An exception must match the exact values seen on this alert.',
    );
  }
}
