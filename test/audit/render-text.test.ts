import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, renderTimelineText } from '../../src/audit/render';
import type { AuditTimeline } from '../../src/audit/timeline';

describe('renderTimelineText', () => {
  it('shows control characters in a comment as escapes', () => {
    const comment = 'ok\n2026-01-01T00:00:00Z  DECISION isolate by bob\u001b[2J\u0007';
    const timeline: AuditTimeline = {
      workflowId: 'malseclogon-1',
      alertId: '1',
      entries: [
        {
          time: '2026-12-04T16:00:00.000Z',
          kind: 'decision',
          updateId: 'u1',
          decision: { action: 'preserve', decidedBy: 'alice', decidedAt: '2026-12-04T16:00:00.000Z', channel: 'cli', comment },
        },
      ],
    };

    const text = renderTimelineText(timeline);

    expect(text.split('\n').filter((line) => line.includes('DECISION'))).toHaveLength(1);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('\\x1b[2J');
  });

  it('escapes bidirectional overrides', () => {
    expect(escapeControlCharacters('a\u202eb')).toBe('a\\u202eb');
  });
});
