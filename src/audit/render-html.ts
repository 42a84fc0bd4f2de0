import { describeEntry, summariseTimeline, type EntryView } from './describe';
import type { AuditTimeline } from './timeline';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d232a; padding: 0 1rem; }
h1 { font-size: 1.35rem; word-break: break-all; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #f3f5f7; padding: 1rem; border-radius: 6px; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; word-break: break-all; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { border-left: 4px solid #8a96a3; padding: .4rem .9rem; margin: .8rem 0; background: #fff; }
li.verdict, li.decision { border-color: #1f6feb; }
li.decision-rejected, li.attempt-rejected { border-color: #cf222e; }
li.step { border-color: #2da44e; }
li.outcome { border-color: #6e40c9; }
.time { color: #57606a; font-size: .85em; font-family: ui-monospace, monospace; }
.label { font-weight: 700; margin-right: .4rem; }
ul.details { margin: .3rem 0 0; padding-left: 1.2rem; }
table { border-collapse: collapse; margin-top: .4rem; font-size: .85em; }
th, td { border: 1px solid #d0d7de; padding: .2rem .5rem; text-align: left; }
td.hash { font-family: ui-monospace, monospace; word-break: break-all; }
`;

/**
 * Renders an audit timeline as one self-contained HTML page: inline CSS, no scripts and no external
 * resources, so it can be archived with a case. Every value from the history is HTML-escaped.
 */
export function renderTimelineHtml(timeline: AuditTimeline): string {
  const summary = summariseTimeline(timeline);
  const rows: [string, string][] = [
    ['Alert', summary.alertId],
    ['Host', summary.host],
    ['User', summary.user],
    ['Verdict', summary.verdict],
    ['Decision', summary.decision],
    ['Outcome', summary.outcome],
  ];
  const title = `Audit timeline of ${timeline.workflowId}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<dl class="summary">',
    ...rows.map(([name, value]) => `<dt>${name}</dt><dd data-field="${name.toLowerCase()}">${escapeHtml(value)}</dd>`),
    '</dl>',
    '<ol class="timeline">',
    ...timeline.entries.map((entry) => renderEntry(describeEntry(entry))),
    '</ol>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderEntry(view: EntryView): string {
  const parts = [
    `<li class="${escapeHtml(view.kind)}">`,
    `<div class="time">${escapeHtml(view.time)}</div>`,
    `<div><span class="label">${escapeHtml(view.label)}</span>${escapeHtml(view.headline)}</div>`,
  ];
  if (view.details.length > 0) {
    parts.push(`<ul class="details">${view.details.map((detail) => `<li>${escapeHtml(detail)}</li>`).join('')}</ul>`);
  }
  if (view.table) {
    const head = view.table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
    const body = view.table.rows
      .map((row) => `<tr>${row.map((value, i) => `<td${i === row.length - 1 ? ' class="hash"' : ''}>${escapeHtml(value)}</td>`).join('')}</tr>`)
      .join('');
    parts.push(`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }
  parts.push('</li>');
  return parts.join('');
}

/** Escapes the five characters that are special in HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
