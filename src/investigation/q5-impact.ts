import type { Alert } from '../alert/alert';
import type { TelemetrySource } from '../telemetry/types';
import { PRIVILEGED_ROLES, findHost, privilegedAccountReason } from './inventory';
import type { QuestionDeps } from './question';
import type { Answer, Finding } from './types';

/**
 * Q5: looks up the host's roles and the account's privilege in the asset inventory. A
 * privileged host or account raises impact; a workstation lowers scope, not suspicion.
 * Coverage is `absent` when the inventory lists neither the host nor the account.
 */
export async function assessImpact(
  alert: Alert,
  _source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const recordIds = alert.recordId === undefined ? [alert.alertId] : [alert.recordId];
  const host = findHost(deps.inventory, alert.host);
  const accountReason = privilegedAccountReason(deps.inventory, alert.user.id);
  const isAccountListed = deps.inventory.accounts.some(
    (entry) => entry.sid.toUpperCase() === alert.user.id?.toUpperCase(),
  );
  const findings: Finding[] = [];

  const privilegedRoles = host?.roles.filter((role) => PRIVILEGED_ROLES.has(role)) ?? [];
  if (privilegedRoles.length > 0) {
    findings.push({
      kind: 'privileged-host',
      summary: `${alert.host.name} is a ${privilegedRoles.join(', ')} host; LSASS there can expose privileged credentials.`,
      isSuspicious: true,
      fields: ['host.name', 'host.id'],
      recordIds,
    });
  } else if (host !== undefined) {
    findings.push({
      kind: 'ordinary-host',
      summary: `${alert.host.name} is listed with roles ${host.roles.join(', ') || 'none'}; this lowers scope, not suspicion.`,
      isSuspicious: false,
      fields: ['host.name', 'host.id'],
      recordIds,
    });
  }
  if (accountReason !== undefined) {
    findings.push({
      kind: 'privileged-account',
      summary: `Account ${alert.user.name ?? alert.user.id ?? ''} is privileged (${accountReason}).`,
      isSuspicious: true,
      fields: ['user.id', 'user.name', 'user.domain'],
      recordIds,
    });
  }

  const isKnown = host !== undefined || isAccountListed || accountReason !== undefined;
  return {
    question: 'Q5',
    coverage: isKnown ? 'present' : 'absent',
    findings,
    querySummaries: ['asset inventory'],
    ...(isKnown
      ? {}
      : { coverageNote: `neither ${alert.host.name} nor the account is in the asset inventory` }),
  };
}
