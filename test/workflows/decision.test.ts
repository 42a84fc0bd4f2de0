import { describe, expect, it } from 'vitest';
import { durationToMs, validateDecisionRequest } from '../../workflows/decision';
import type { ResponseSettings, ResponseState } from '../../workflows/messages';

const SETTINGS: ResponseSettings = {
  decisionTimeout: '30 minutes',
  approvers: ['alice', 'S0IRLEADS'],
  isSlackEnabled: true,
};

const AWAITING: ResponseState = {
  phase: 'awaiting-decision',
  alertId: 'alert-0001',
  answers: [],
  verdict: { kind: 'escalate', reasons: [], isPrivilegedScope: false },
  allowedActions: ['preserve', 'contain'],
  rejectedAttempts: [],
  steps: [],
  notices: [],
};

describe('validateDecisionRequest', () => {
  it('accepts an approver listed through a Slack user group', () => {
    const request = {
      action: 'contain' as const,
      approver: 'U0CAROL',
      approverGroup: 'S0IRLEADS',
      channel: 'slack' as const,
    };

    expect(() => validateDecisionRequest(AWAITING, SETTINGS, request)).not.toThrow();
  });

  it('rejects a group that is not in the approver list', () => {
    const request = {
      action: 'contain' as const,
      approver: 'U0CAROL',
      approverGroup: 'S0OTHERS',
      channel: 'slack' as const,
    };

    expect(() => validateDecisionRequest(AWAITING, SETTINGS, request)).toThrow(/U0CAROL/);
  });

  it('rejects a decision during investigation', () => {
    const state: ResponseState = { ...AWAITING, phase: 'enriching', allowedActions: [] };
    const request = { action: 'preserve' as const, approver: 'alice', channel: 'cli' as const };

    expect(() => validateDecisionRequest(state, SETTINGS, request)).toThrow(/not awaiting/);
  });
});

describe('durationToMs', () => {
  it.each([
    ['30 minutes', 1_800_000],
    ['90s', 90_000],
    ['2h', 7_200_000],
    ['1 day', 86_400_000],
    ['1500', 1_500],
    ['250ms', 250],
  ])('converts %s', (duration, expectedMs) => {
    expect(durationToMs(duration)).toBe(expectedMs);
  });

  it.each(['soon', '', '-5m', '3 fortnights'])('rejects %j', (duration) => {
    expect(() => durationToMs(duration)).toThrow(/invalid duration/);
  });
});
