import { renderTimelineHtml } from './render-html';
import { renderTimelineMarkdown } from './render-markdown';
import { renderTimelineText } from './render';
import type { AuditTimeline } from './timeline';

export const AUDIT_FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export function isAuditFormat(value: string | undefined): value is AuditFormat {
  return (AUDIT_FORMATS as readonly (string | undefined)[]).includes(value);
}

/** Renders a timeline in one of `AUDIT_FORMATS`; `json` is the timeline object itself. */
export function renderTimeline(timeline: AuditTimeline, format: AuditFormat): string {
  switch (format) {
    case 'text':
      return renderTimelineText(timeline);
    case 'json':
      return `${JSON.stringify(timeline, null, 2)}\n`;
    case 'markdown':
      return renderTimelineMarkdown(timeline);
    case 'html':
      return renderTimelineHtml(timeline);
  }
}
