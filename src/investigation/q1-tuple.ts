import type { Alert } from '../alert/alert';
import { checkRuleTuple } from '../alert/rule-tuple';
import type { TelemetrySource } from '../telemetry/types';
import { matchRecognisedTooling } from './inventory';
import type { QuestionDeps } from './question';
import type { Answer, Finding } from './types';

const TUPLE_FIELDS = [
  'winlog.event_data.TargetImage',
  'winlog.event_data.CallTrace',
  'winlog.event_data.GrantedAccess',
  'winlog.event_data.SourceImage',
  'winlog.event_data.SourceProcessGUID',
  'host.id',
];

/** Lists the clauses of the rule's query that the alert's event fails, with EQL semantics. */
export function tupleMismatches(alert: Alert): string[] {
  const check = checkRuleTuple(alert.rule);
  return check.failures.map((failure) =>
    failure.reason === 'missing'
      ? `${failure.field} missing`
      : `${failure.field} ${String(failure.actual)} (expected ${failure.operator} ${failure.expected})`,
  );
}

/**
 * Q1: checks the alert-local tuple (LSASS target, seclogon.dll call trace, 0x14c0, svchost.exe
 * source) and whether it matches a recognised security product or authorised test on the same
 * host, user and time. Reads no telemetry, so coverage is always `present`.
 */
export async function assessTuple(
  alert: Alert,
  _source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const recordIds = alert.recordId === undefined ? [alert.alertId] : [alert.recordId];
  const mismatches = tupleMismatches(alert);
  const matches = matchRecognisedTooling(deps.inventory, alert);
  const findings: Finding[] = [];

  if (mismatches.length > 0) {
    findings.push({
      kind: 'tuple-incomplete',
      summary: `The alert does not show the full MalSecLogon tuple: ${mismatches.join(', ')}.`,
      isSuspicious: false,
      fields: TUPLE_FIELDS,
      recordIds,
    });
  } else {
    findings.push({
      kind: 'malseclogon-tuple',
      summary: `${alert.access.sourceImage ?? 'svchost.exe'} opened lsass.exe with 0x14c0 through seclogon.dll${matches.length > 0 ? '' : ', and no recognised tooling or authorised test names this tuple on this host'}.`,
      isSuspicious: matches.length === 0,
      fields: TUPLE_FIELDS,
      recordIds,
    });
  }
  for (const entry of matches) {
    findings.push({
      kind: 'recognised-tooling',
      summary: `The exact tuple, host and user match ${entry.kind} "${entry.description}" (${entry.id}${entry.reference === undefined ? '' : `, ${entry.reference}`}).`,
      isSuspicious: false,
      fields: [...TUPLE_FIELDS, 'user.id'],
      recordIds,
      subject: entry.id,
    });
  }
  if (alert.host.id === undefined) {
    findings.push({
      kind: 'host-id-missing',
      summary:
        'The alert has no host.id, so it cannot be matched to recognised tooling by host identity.',
      isSuspicious: false,
      fields: ['host.id'],
      recordIds,
    });
  }
  return { question: 'Q1', coverage: 'present', findings, querySummaries: ['alert document'] };
}
