import { describeEntry } from './describe';
import type { AuditTimeline } from './timeline';

/** Renders an audit timeline as plain text, one block per entry, in history order. */
export function renderTimelineText(timeline: AuditTimeline): string {
  const lines = [`Audit timeline of ${timeline.workflowId} (alert ${timeline.alertId ?? 'unknown'})`];
  for (const entry of timeline.entries) {
    const view = describeEntry(entry);
    lines.push(`${view.time}  ${view.label} ${view.headline}`);
    for (const detail of view.details) lines.push(`    ${detail}`);
    for (const row of view.table?.rows ?? []) lines.push(`    ${row.join('  ')}`);
  }
  return `${lines.join('\n')}\n`;
}
