import type { AuditTimeline, TimelineEntry } from './timeline';
import type { PreservedItem } from '../evidence/store';

/** A format-neutral view of one timeline entry, which each renderer lays out in its own way. */
export interface EntryView {
  time: string;
  kind: TimelineEntry['kind'];
  /** Upper-case tag, such as `VERDICT` or `STEP`, or the question id for an answer. */
  label: string;
  headline: string;
  details: string[];
  /** Rows of a small table under the entry, such as the hashes of preserved evidence. */
  table?: { columns: string[]; rows: string[][] };
}

/** The facts a reader looks for first, taken from the timeline's entries. */
export interface TimelineSummary {
  alertId: string;
  host: string;
  user: string;
  verdict: string;
  decision: string;
  outcome: string;
}

/** Builds the summary shown at the top of the Markdown and HTML timelines. */
export function summariseTimeline(timeline: AuditTimeline): TimelineSummary {
  const summary: TimelineSummary = {
    alertId: timeline.alertId ?? 'unknown',
    host: '-',
    user: '-',
    verdict: 'none yet',
    decision: 'none yet',
    outcome: 'running',
  };
  for (const entry of timeline.entries) {
    if (entry.kind === 'alert') {
      summary.host = entry.alert.host.name;
      summary.user = entry.alert.user.name ?? entry.alert.user.id ?? '-';
    }
    if (entry.kind === 'verdict') summary.verdict = entry.verdict.kind;
    if (entry.kind === 'decision') summary.decision = `${entry.decision.action} by ${entry.decision.decidedBy}`;
    if (entry.kind === 'outcome') summary.outcome = entry.result?.outcome ?? `${entry.status}: ${entry.failure ?? ''}`;
  }
  return summary;
}

/** Describes one entry; the text timeline prints `label headline` and the details below it. */
export function describeEntry(entry: TimelineEntry): EntryView {
  const view = (label: string, headline: string, details: string[] = []): EntryView => ({
    time: entry.time,
    kind: entry.kind,
    label,
    headline,
    details,
  });
  switch (entry.kind) {
    case 'alert': {
      const { alert, settings } = entry;
      const { access } = alert;
      return view('ALERT', `${alert.alertId} from ${alert.shape} document`, [
        `host ${alert.host.name}${alert.host.id ? ` (${alert.host.id})` : ''}, user ${alert.user.name ?? '-'} ${alert.user.id ?? ''}`.trimEnd(),
        `source event at ${alert.timestamp}: ${access.sourceImage ?? '?'} -> ${access.targetImage ?? '?'} ${access.grantedAccess ?? '?'}`,
        `approvers ${settings.approvers.join(', ') || '(none)'}; decision deadline ${settings.decisionTimeout}; Slack ${settings.isSlackEnabled ? 'on' : 'off'}`,
      ]);
    }
    case 'answer': {
      const { answer } = entry;
      const records = new Set(answer.findings.flatMap((finding) => finding.recordIds)).size;
      const suspicious = answer.findings.filter((finding) => finding.isSuspicious).length;
      const note = answer.coverageNote ? ` (${answer.coverageNote})` : '';
      const counts = `${answer.findings.length} findings, ${suspicious} suspicious, ${records} records`;
      const findings = answer.findings.map(
        (finding) =>
          `${finding.isSuspicious ? '[suspicious] ' : ''}${finding.summary} [records ${finding.recordIds.join(', ') || '-'}]`,
      );
      return view(answer.question, `coverage ${answer.coverage}${note}; ${counts}`, [
        ...answer.querySummaries.map((summary) => `query: ${summary}`),
        ...(findings.length > 0 ? findings : ['no findings']),
      ]);
    }
    case 'verdict':
      return view(
        'VERDICT',
        `${entry.verdict.kind}; allowed actions: ${entry.allowedActions.join(', ')}`,
        entry.verdict.reasons.map((reason) => `${reason.question} ${reason.effect}: ${reason.text}`),
      );
    case 'approval-request':
      return view('APPROVAL REQUEST', `posted to Slack channel ${entry.channel} (message ${entry.ts ?? '?'})`);
    case 'decision': {
      const { decision } = entry;
      const comment = decision.comment ? `: "${decision.comment}"` : '';
      return view('DECISION', `${decision.action} by ${decision.decidedBy} via ${decision.channel} at ${decision.decidedAt}${comment}`);
    }
    case 'approval-pending': {
      const { pending } = entry;
      const comment = pending.comment ? `: "${pending.comment}"` : '';
      return view(
        'FIRST APPROVAL',
        `${pending.action} by ${pending.approver} via ${pending.channel} at ${pending.approvedAt}, awaiting a second approver${comment}`,
      );
    }
    case 'decision-rejected':
      return view('DECISION REJECTED', `${entry.request?.action ?? '?'} by ${entry.request?.approver ?? '?'}: ${entry.reason}`);
    case 'attempt-rejected': {
      const { attempt } = entry;
      return view(
        'ATTEMPT REJECTED',
        `${attempt.action} by ${attempt.approver} via ${attempt.channel} at ${attempt.attemptedAt}: ${attempt.reason}`,
      );
    }
    case 'step': {
      const described = view('STEP', `${entry.step.step} ${entry.step.outcome}: ${entry.step.detail} (key ${entry.step.idempotencyKey})`);
      const preserved = preservedItemsOf(entry.step.record);
      if (preserved.length === 0) return described;
      const rows = preserved.map((item) => [item.name, item.file, item.sha256]);
      return { ...described, table: { columns: ['item', 'file', 'sha256'], rows } };
    }
    case 'activity':
      return view('ACTIVITY', `${entry.activity} ${entry.outcome}: ${entry.summary}`);
    case 'outcome':
      return view('OUTCOME', `${entry.result?.outcome ?? entry.status}${entry.failure ? `: ${entry.failure}` : ''}`);
  }
}

/** Returns the preserved items a step's connector record lists, or none. */
export function preservedItemsOf(record: Record<string, unknown> | undefined): PreservedItem[] {
  const detail = record?.detail;
  if (typeof detail !== 'object' || detail === null || !('preserved' in detail)) return [];
  const { preserved } = detail;
  return Array.isArray(preserved) ? preserved.filter(isPreservedItem) : [];
}

function isPreservedItem(value: unknown): value is PreservedItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return typeof item.name === 'string' && typeof item.file === 'string' && typeof item.sha256 === 'string';
}
