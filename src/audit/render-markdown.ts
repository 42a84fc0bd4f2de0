import { describeEntry, summariseTimeline } from './describe';
import type { AuditTimeline } from './timeline';

/**
 * Renders an audit timeline as GitHub-flavoured Markdown: a summary list (alert, host, user,
 * verdict, decision, outcome), then one section per entry in history order. Every value from the
 * history is escaped, so an alert field cannot add links, emphasis or table cells.
 */
export function renderTimelineMarkdown(timeline: AuditTimeline): string {
  const summary = summariseTimeline(timeline);
  const lines = [
    `# Audit timeline of ${inline(timeline.workflowId)}`,
    '',
    `- **Alert:** ${inline(summary.alertId)}`,
    `- **Host:** ${inline(summary.host)}`,
    `- **User:** ${inline(summary.user)}`,
    `- **Verdict:** ${inline(summary.verdict)}`,
    `- **Decision:** ${inline(summary.decision)}`,
    `- **Outcome:** ${inline(summary.outcome)}`,
  ];
  for (const entry of timeline.entries) {
    const view = describeEntry(entry);
    lines.push('', `### ${inline(view.label)}: ${inline(view.headline)}`, '', `_${inline(view.time)}_`);
    if (view.details.length > 0) lines.push('', ...view.details.map((detail) => `- ${inline(detail)}`));
    if (view.table) {
      lines.push('', `| ${view.table.columns.map(cell).join(' | ')} |`);
      lines.push(`|${view.table.columns.map(() => '---').join('|')}|`);
      for (const row of view.table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Escapes Markdown's punctuation and folds line breaks, so a value stays literal text on one line. */
function inline(value: string): string {
  return value.replace(/[\\`*_{}[\]()<>#+!|~-]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

function cell(value: string): string {
  return inline(value);
}
