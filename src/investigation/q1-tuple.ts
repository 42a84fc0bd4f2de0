import type { Alert } from '../alert/alert';
import { baseName } from '../telemetry/ecs-fields';
import { normaliseAccessMask } from '../telemetry/ecs-event';
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

/** The rule's `?:\WINDOWS\system32\lsass.exe`: any one drive letter, case-insensitive. */
const LSASS_TARGET = /^.:\\windows\\system32\\lsass\.exe$/i;

/** Lists the parts of the rule's tuple that the alert does not show. */
export function tupleMismatches(alert: Alert): string[] {
  const target = alert.access.targetImage ?? alert.rule.targetImage;
  const callTrace = alert.access.callTrace ?? alert.rule.callTrace;
  const grantedAccess = alert.access.grantedAccess ?? alert.rule.grantedAccess;
  const processName = alert.rule.processName ?? baseName(alert.access.sourceImage);
  const mismatches: string[] = [];
  if (target === undefined || !LSASS_TARGET.test(target))
    mismatches.push(`TargetImage ${target ?? 'missing'}`);
  if (callTrace === undefined || !/seclogon\.dll/i.test(callTrace)) {
    mismatches.push(
      callTrace === undefined ? 'CallTrace missing' : 'CallTrace without seclogon.dll',
    );
  }
  if (normaliseAccessMask(grantedAccess) !== '0x14c0')
    mismatches.push(`GrantedAccess ${grantedAccess ?? 'missing'}`);
  if (processName?.toLowerCase() !== 'svchost.exe')
    mismatches.push(`process.name ${processName ?? 'missing'}`);
  return mismatches;
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
