import type { Alert } from '../alert/alert';
import { RULE_NAME } from '../constants';
import type { TelemetryEvent, TelemetrySource } from '../telemetry/types';
import {
  WINDOW_HOURS,
  attempt,
  cappedFindings,
  absentAnswer,
  failedAnswer,
  finding,
  windowAround,
  type QuestionDeps,
} from './question';
import type { Answer, Finding } from './types';

export type RelatedAlertScope = 'user' | 'host';

/**
 * The ATT&CK tactics whose alerts support local evidence of LSASS handle abuse, each recognised
 * by the alert's `threat.tactic.name` or, for rules without threat mapping, by its rule name.
 * Collection covers archive and compression rules, which stage a dump for exfiltration.
 */
export const SUPPORTING_TACTICS = [
  {
    id: 'credential-access',
    label: 'credential access',
    tactic: /^credential access$/i,
    ruleName: /lsass|mimikatz|credential|dump|sekurlsa|dcsync|kerberoast/i,
  },
  {
    id: 'lateral-movement',
    label: 'lateral movement',
    tactic: /^lateral movement$/i,
    ruleName: /lateral|psexec|remote (service|execution)|wmi|winrm|pass[- ]the[- ](hash|ticket)/i,
  },
  {
    id: 'privilege-escalation',
    label: 'privilege escalation',
    tactic: /^privilege escalation$/i,
    ruleName: /privilege escalation|token (manipulation|impersonation)|uac bypass/i,
  },
  {
    id: 'collection',
    label: 'collection or archive',
    tactic: /^collection$/i,
    ruleName: /archive|compress|\b(7z|zip|rar)\b/i,
  },
  {
    id: 'suspicious-authentication',
    label: 'suspicious authentication',
    // ATT&CK has no such tactic; these rules carry credential access or none.
    tactic: undefined,
    ruleName: /authenticat|logon|kerberos|ntlm|brute|password spray|explicit credential/i,
  },
] as const;

export type SupportingTactic = (typeof SUPPORTING_TACTICS)[number]['id'];

const ALERT_FIELDS = [
  'event.kind',
  'kibana.alert.rule.name',
  'kibana.alert.rule.threat.tactic.name',
  'user.id',
  'host.id',
];

/**
 * Q7: reads alerts within 48 hours for the same `user.id` (scope `user`) or the same host
 * (scope `host`, meant for when local evidence is suspicious or unresolved). Alerts that support
 * the local findings are grouped by ATT&CK tactic, one finding per tactic with its count
 * (`related-credential-access-alerts` and so on); an alert of several tactics counts in each.
 * Other alerts are reported as separate. The alert under investigation is skipped.
 */
export async function findRelatedAlerts(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps & { scope?: RelatedAlertScope },
): Promise<Answer> {
  const scope = deps.scope ?? 'user';
  if (scope === 'user' && alert.user.id === undefined) {
    return absentAnswer(
      'Q7',
      [],
      'the alert has no user.id, so related alerts for the user cannot be read',
    );
  }
  const window = windowAround(alert, WINDOW_HOURS.Q7);
  const query = scope === 'user' ? { userId: alert.user.id, window } : { host: alert.host, window };
  const result = await attempt(deps, () => source.relatedAlerts(query));
  if (!result.ok) return failedAnswer('Q7', result.error);
  const { value } = result;
  if (!value.hasDataOfKind) {
    return absentAnswer(
      'Q7',
      [value.querySummary],
      'the alert store holds no alerts in the window, so related alerts cannot be judged',
    );
  }

  const others = value.events.filter((event) => !event.recordId.endsWith(`#${alert.alertId}`));
  // The rule fires every 5 minutes over 9, so one access can raise several alerts of this rule.
  const sameRule = others.filter((event) => event.alert?.ruleName === RULE_NAME);
  const related = others.filter((event) => event.alert?.ruleName !== RULE_NAME);
  const byTactic = groupByTactic(related);
  const separate = related.filter((event) => tacticsOf(event).length === 0);
  const findings: Finding[] = SUPPORTING_TACTICS.flatMap(({ id, label }) => {
    const events = byTactic.get(id) ?? [];
    if (events.length === 0) return [];
    return [
      finding(
        `related-${id}-alerts`,
        `${events.length} related ${label} alerts for the same ${scope}: ${ruleNames(events)}.`,
        true,
        ALERT_FIELDS,
        events,
        id,
      ),
    ];
  });
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
  findings.push(...cappedFindings([value]));
  return {
    question: 'Q7',
    coverage: 'present',
    findings,
    querySummaries: [`${scope} scope: ${value.querySummary}`],
  };
}

/** Returns the supporting tactics an alert belongs to, in `SUPPORTING_TACTICS` order. */
export function tacticsOf(event: TelemetryEvent): SupportingTactic[] {
  const tactics = event.alert?.tactics ?? [];
  const ruleName = event.alert?.ruleName ?? '';
  return SUPPORTING_TACTICS.filter(
    (entry) =>
      tactics.some((tactic) => entry.tactic?.test(tactic.trim()) === true) ||
      entry.ruleName.test(ruleName),
  ).map((entry) => entry.id);
}

function groupByTactic(events: TelemetryEvent[]): Map<SupportingTactic, TelemetryEvent[]> {
  const groups = new Map<SupportingTactic, TelemetryEvent[]>();
  for (const event of events) {
    for (const tactic of tacticsOf(event)) {
      groups.set(tactic, [...(groups.get(tactic) ?? []), event]);
    }
  }
  return groups;
}

function ruleNames(events: TelemetryEvent[]): string {
  const names = [...new Set(events.map((event) => event.alert?.ruleName ?? 'unnamed rule'))];
  return names.slice(0, 5).join('; ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
}
