import type { Alert } from '../alert/alert';
import type { TelemetrySource } from '../telemetry/types';
import type { Action } from '../response/types';
import { allowedActionsFor } from './allowed-actions';
import type { AssetInventory } from './inventory';
import { assessTuple } from './q1-tuple';
import { recoverInitiators } from './q2-initiators';
import { assessLineage } from './q3-lineage';
import { searchDumpArtifacts } from './q4-artifacts';
import { assessImpact } from './q5-impact';
import { pivotAuthentication } from './q6-authentication';
import { findRelatedAlerts } from './q7-related-alerts';
import type { QuestionDeps } from './question';
import type { Answer, Finding, Verdict } from './types';
import { reachVerdict } from './verdict';

/** One answer in the offline report, with every record id it rests on. */
export interface OfflineAnswer {
  question: Answer['question'];
  coverage: Answer['coverage'];
  coverageNote?: string;
  findings: Finding[];
  evidenceRecordIds: string[];
  querySummaries: string[];
  /** For Q7: whether alerts were read for the user or the host. */
  scope?: 'user' | 'host';
}

/** JSON-ready result of an offline investigation. */
export interface OfflineInvestigation {
  alertId: string;
  source: string;
  answers: OfflineAnswer[];
  verdict: Verdict;
  allowedActions: Action[];
}

/**
 * Runs Q1–Q7 and the verdict without Temporal, in the order of the runbook. Related alerts for
 * the host (Q7, host scope) are read only when the local evidence is not benign. A telemetry
 * failure becomes `failed` coverage; nothing is retried.
 */
export async function investigateOffline(
  alert: Alert,
  source: TelemetrySource,
  inventory: AssetInventory,
): Promise<OfflineInvestigation> {
  const deps: QuestionDeps = { inventory };
  const answers: Answer[] = [
    await assessTuple(alert, source, deps),
    await recoverInitiators(alert, source, deps),
    await assessLineage(alert, source, deps),
    await searchDumpArtifacts(alert, source, deps),
    await assessImpact(alert, source, deps),
    await pivotAuthentication(alert, source, deps),
  ];
  const scopes: ('user' | 'host')[] = ['user'];
  answers.push(await findRelatedAlerts(alert, source, { ...deps, scope: 'user' }));

  let verdict = reachVerdict(alert, answers);
  if (verdict.kind !== 'benign') {
    answers.push(await findRelatedAlerts(alert, source, { ...deps, scope: 'host' }));
    scopes.push('host');
    verdict = reachVerdict(alert, answers);
  }

  let q7Index = 0;
  return {
    alertId: alert.alertId,
    source: source.name,
    answers: answers.map((answer) => {
      const scope = answer.question === 'Q7' ? scopes[q7Index++] : undefined;
      return toOfflineAnswer(answer, scope);
    }),
    verdict,
    allowedActions: allowedActionsFor(verdict.kind),
  };
}

function toOfflineAnswer(answer: Answer, scope: 'user' | 'host' | undefined): OfflineAnswer {
  return {
    question: answer.question,
    coverage: answer.coverage,
    ...(answer.coverageNote === undefined ? {} : { coverageNote: answer.coverageNote }),
    findings: answer.findings,
    evidenceRecordIds: [...new Set(answer.findings.flatMap((item) => item.recordIds))],
    querySummaries: answer.querySummaries,
    ...(scope === undefined ? {} : { scope }),
  };
}
