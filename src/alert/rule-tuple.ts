import type { RuleFields } from './alert';

/**
 * The rule's EQL conditions for "Suspicious LSASS Access via MalSecLogon" (Elastic rule
 * 7ba58110-ae13-439b-8192-357b0fcfa9d7, version 312), one per field, in query order.
 * `==` is exact and case-sensitive. `:` is a case-insensitive wildcard match in which `*` matches
 * any run of characters and `?` exactly one.
 */
export const RULE_CLAUSES = [
  { key: 'hostOsType', field: 'host.os.type', operator: '==', expected: 'windows' },
  { key: 'eventCode', field: 'event.code', operator: '==', expected: '10' },
  {
    key: 'targetImage',
    field: 'winlog.event_data.TargetImage',
    operator: ':',
    expected: '?:\\WINDOWS\\system32\\lsass.exe',
  },
  {
    key: 'callTrace',
    field: 'winlog.event_data.CallTrace',
    operator: ':',
    expected: '*seclogon.dll*',
  },
  { key: 'processName', field: 'process.name', operator: ':', expected: 'svchost.exe' },
  {
    key: 'grantedAccess',
    field: 'winlog.event_data.GrantedAccess',
    operator: '==',
    expected: '0x14c0',
  },
] as const satisfies readonly {
  key: keyof RuleFields;
  field: string;
  operator: '==' | ':';
  expected: string;
}[];

/** One rule condition that the event does not meet. */
export interface TupleFailure {
  /** The ECS field the condition tests. */
  field: string;
  operator: '==' | ':';
  expected: string;
  /** The value on the event, rendered as text; undefined when the field is missing. */
  actual?: string;
  reason: 'missing' | 'not-a-string' | 'mismatch';
}

export type TupleCheck =
  { matches: true; failures: [] } | { matches: false; failures: TupleFailure[] };

/**
 * Checks the six fields against the rule's conditions with EQL semantics and lists every
 * condition that fails, in query order. A value that is not a string fails as `not-a-string`.
 * `normaliseDocument` renders a numeric `event.code` as text first, as a keyword mapping would.
 * Pure; never throws.
 */
export function checkRuleTuple(rule: RuleFields): TupleCheck {
  const failures: TupleFailure[] = [];
  for (const clause of RULE_CLAUSES) {
    const actual: unknown = rule[clause.key];
    const failure = checkClause(clause, actual);
    if (failure !== undefined) failures.push(failure);
  }
  return failures.length === 0 ? { matches: true, failures: [] } : { matches: false, failures };
}

function checkClause(
  clause: (typeof RULE_CLAUSES)[number],
  actual: unknown,
): TupleFailure | undefined {
  const base = { field: clause.field, operator: clause.operator, expected: clause.expected };
  if (actual === undefined || actual === null) return { ...base, reason: 'missing' };
  if (typeof actual !== 'string')
    return { ...base, actual: String(actual), reason: 'not-a-string' };

  const isMatch =
    clause.operator === '=='
      ? actual === clause.expected
      : matchesWildcard(actual, clause.expected);
  return isMatch ? undefined : { ...base, actual, reason: 'mismatch' };
}

/**
 * Matches text against an EQL `:` pattern: case-insensitive, `*` is any run of characters
 * (including none), `?` is exactly one character, and everything else is literal.
 */
export function matchesWildcard(text: string, pattern: string): boolean {
  let source = '';
  for (const char of toAsciiLowerCase(pattern)) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's').test(toAsciiLowerCase(text));
}

/**
 * Lower-cases A-Z only. Unicode case folding would let `ſvchoſt.exe` (long s) match
 * `svchost.exe`; the comparison here folds ASCII letters only, so look-alikes stay different.
 */
function toAsciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
