import { describe, expect, it } from 'vitest';
import { quoteQueryValue, runsQuery } from '../../src/temporal/visibility-query';

describe('runsQuery', () => {
  it('matches the workflow type without filters', () => {
    expect(runsQuery()).toBe("WorkflowType = 'malSecLogonResponse'");
  });

  it('adds one exact clause per filter', () => {
    const query = runsQuery({ verdict: 'escalate', host: 'ws-01', state: 'awaiting-decision', decision: 'contain', user: 'bob' });

    expect(query).toBe(
      "WorkflowType = 'malSecLogonResponse' AND Verdict = 'escalate' AND Host = 'ws-01' AND " +
        "State = 'awaiting-decision' AND Decision = 'contain' AND User = 'bob'",
    );
  });
});

describe('quoteQueryValue', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteQueryValue("a' OR 'b")).toBe("'a\\' OR \\'b'");
    expect(quoteQueryValue('CORP\\bob')).toBe("'CORP\\\\bob'");
  });

  it('rejects control characters', () => {
    expect(() => quoteQueryValue('a\nb')).toThrow(RangeError);
  });
});
