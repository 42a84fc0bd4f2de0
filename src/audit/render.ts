import type { AuditTimeline, TimelineEntry } from './timeline';

/** Renders an audit timeline as plain text, one block per entry, in history order. */
export function renderTimelineText(timeline: AuditTimeline): string {
  const lines = [`Audit timeline of ${timeline.workflowId} (alert ${timeline.alertId ?? 'unknown'})`];
  for (const entry of timeline.entries) lines.push(...renderEntry(entry).map((line, i) => (i === 0 ? `${entry.time}  ${line}` : `    ${line}`)));
  return `${lines.join('\n')}\n`;
}

function renderEntry(entry: TimelineEntry): string[] {
  switch (entry.kind) {
    case 'alert': {
      const { alert, settings } = entry;
      return [
        `ALERT ${alert.alertId} from ${alert.shape} document`,
        `host ${alert.host.name}${alert.host.id ? ` (${alert.host.id})` : ''}, user ${alert.user.name ?? '-'} ${alert.user.id ?? ''}`.trimEnd(),
        `source event at ${alert.timestamp}: ${alert.access.sourceImage ?? '?'} -> ${alert.access.targetImage ?? '?'} ${alert.access.grantedAccess ?? '?'}`,
        `approvers ${settings.approvers.join(', ') || '(none)'}; decision deadline ${settings.decisionTimeout}; Slack ${settings.isSlackEnabled ? 'on' : 'off'}`,
      ];
    }
    case 'answer': {
      const { answer } = entry;
      const head = `${answer.question} coverage ${answer.coverage}${answer.coverageNote ? ` (${answer.coverageNote})` : ''}`;
      const queries = answer.querySummaries.map((summary) => `query: ${summary}`);
      const findings = answer.findings.map(
        (finding) => `${finding.isSuspicious ? '[suspicious] ' : ''}${finding.summary} [records ${finding.recordIds.join(', ') || '-'}]`,
      );
      return [head, ...queries, ...(findings.length > 0 ? findings : ['no findings'])];
    }
    case 'verdict':
      return [
        `VERDICT ${entry.verdict.kind}; allowed actions: ${entry.allowedActions.join(', ')}`,
        ...entry.verdict.reasons.map((reason) => `${reason.question} ${reason.effect}: ${reason.text}`),
      ];
    case 'approval-request':
      return [`APPROVAL REQUEST posted to Slack channel ${entry.channel} (message ${entry.ts ?? '?'})`];
    case 'decision': {
      const { decision } = entry;
      const comment = decision.comment ? `: "${decision.comment}"` : '';
      return [`DECISION ${decision.action} by ${decision.decidedBy} via ${decision.channel} at ${decision.decidedAt}${comment}`];
    }
    case 'decision-rejected':
      return [`DECISION REJECTED ${entry.request?.action ?? '?'} by ${entry.request?.approver ?? '?'}: ${entry.reason}`];
    case 'attempt-rejected': {
      const { attempt } = entry;
      return [`ATTEMPT REJECTED ${attempt.action} by ${attempt.approver} via ${attempt.channel} at ${attempt.attemptedAt}: ${attempt.reason}`];
    }
    case 'step':
      return [`STEP ${entry.step.step} ${entry.step.outcome}: ${entry.step.detail} (key ${entry.step.idempotencyKey})`];
    case 'activity':
      return [`ACTIVITY ${entry.activity} ${entry.outcome}: ${entry.summary}`];
    case 'outcome':
      return [`OUTCOME ${entry.status}${entry.result ? ` (${entry.result.outcome})` : ''}${entry.failure ? `: ${entry.failure}` : ''}`];
  }
}
