import type { Alert } from '../alert/alert';
import { RULE_NAME } from '../constants';
import type { TelemetryEvent, TelemetrySource } from '../telemetry/types';
import {
  WINDOW_HOURS,
  attempt,
  failedAnswer,
  finding,
  windowAround,
  type QuestionDeps,
} from './question';
import type { Answer, Finding } from './types';

export type RelatedAlertScope = 'user' | 'host';

const SUPPORTING_TACTICS = /credential access|lateral movement|privilege escalation/i;
const SUPPORTING_RULE_NAMES =
  /archive|compress|authenticat|logon|kerberos|ntlm|brute|password spray|pass[- ]the[- ](hash|ticket)|token|mimikatz|lsass|credential/i;
const ALERT_FIELDS = [
  'event.kind',
  'kibana.alert.rule.name',
  'kibana.alert.rule.threat.tactic.name',
  'user.id',
  'host.id',
];

/**
 * Q7: reads alerts within 48 hours for the same `user.id` (scope `user`) or the same host
 * (scope `host`, meant for when local evidence is suspicious or unresolved). Credential-access,
 * lateral-movement, privilege-escalation, archive or authentication alerts support the local
 * findings; other alerts are reported as separate. The alert under investigation is skipped.
 */
export async function findRelatedAlerts(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps & { scope?: RelatedAlertScope },
): Promise<Answer> {
  const scope = deps.scope ?? 'user';
  if (scope === 'user' && alert.user.id === undefined) {
    return {
      question: 'Q7',
      coverage: 'absent',
      findings: [],
      querySummaries: [],
      coverageNote: 'the alert has no user.id, so related alerts for the user cannot be read',
    };
  }
  const window = windowAround(alert, WINDOW_HOURS.Q7);
  const query = scope === 'user' ? { userId: alert.user.id, window } : { host: alert.host, window };
  const result = await attempt(deps, () => source.relatedAlerts(query));
  if (!result.ok) return failedAnswer('Q7', result.error);
  const { value } = result;
  if (!value.hasDataOfKind) {
    return {
      question: 'Q7',
      coverage: 'absent',
      findings: [],
      querySummaries: [value.querySummary],
      coverageNote:
        'the alert store holds no alerts in the window, so related alerts cannot be judged',
    };
  }

  const others = value.events.filter((event) => !event.recordId.endsWith(`#${alert.alertId}`));
  // The rule fires every 5 minutes over 9, so one access can raise several alerts of this rule.
  const sameRule = others.filter((event) => event.alert?.ruleName === RULE_NAME);
  const related = others.filter((event) => event.alert?.ruleName !== RULE_NAME);
  const supporting = related.filter(isSupportingAlert);
  const separate = related.filter((event) => !isSupportingAlert(event));
  const findings: Finding[] = [];
  if (supporting.length > 0) {
    findings.push(
      finding(
        'related-credential-alerts',
        `Related alerts for the same ${scope}: ${ruleNames(supporting)}.`,
        true,
        ALERT_FIELDS,
        supporting,
      ),
    );
  }
  if (separate.length > 0) {
    findings.push(
      finding(
        'separate-alerts',
        `Other alerts for the same ${scope}, not credential related: ${ruleNames(separate)}.`,
        false,
        ALERT_FIELDS,
        separate,
      ),
    );
  }
  if (sameRule.length > 0) {
    findings.push(
      finding(
        'same-rule-alerts',
        `${sameRule.length} other alerts of this rule for the same ${scope}.`,
        false,
        ALERT_FIELDS,
        sameRule,
      ),
    );
  }
  return {
    question: 'Q7',
    coverage: 'present',
    findings,
    querySummaries: [`${scope} scope: ${value.querySummary}`],
  };
}

function isSupportingAlert(event: TelemetryEvent): boolean {
  const tactics = event.alert?.tactics ?? [];
  return (
    tactics.some((tactic) => SUPPORTING_TACTICS.test(tactic)) ||
    SUPPORTING_RULE_NAMES.test(event.alert?.ruleName ?? '')
  );
}

function ruleNames(events: TelemetryEvent[]): string {
  const names = [...new Set(events.map((event) => event.alert?.ruleName ?? 'unnamed rule'))];
  return names.slice(0, 5).join('; ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
}
