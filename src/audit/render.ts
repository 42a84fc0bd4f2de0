import { describeEntry } from './describe';
import type { AuditTimeline } from './timeline';

/**
 * Renders an audit timeline as plain text, one block per entry, in history order. Control
 * characters in recorded values (newlines, escape sequences, bells) are shown as `\n`, `\x1b`
 * and so on, so a comment or an alert id can neither forge a timeline line nor drive the terminal.
 */
export function renderTimelineText(timeline: AuditTimeline): string {
  const title = `Audit timeline of ${timeline.workflowId} (alert ${timeline.alertId ?? 'unknown'})`;
  const lines = [escapeControlCharacters(title)];
  for (const entry of timeline.entries) {
    const view = describeEntry(entry);
    lines.push(escapeControlCharacters(`${view.time}  ${view.label} ${view.headline}`));
    for (const detail of view.details) lines.push(`    ${escapeControlCharacters(detail)}`);
    for (const row of view.table?.rows ?? []) {
      lines.push(`    ${escapeControlCharacters(row.join('  '))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces C0/C1 controls and bidirectional overrides with visible escapes. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\t') return '\\t';
    if (char === '\r') return '\\r';
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
