import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isAwaitingConfirmation,
  stateQuery,
  type ResponseSettings,
} from '../../workflows/messages';
import { createFakeActivities, startedNames, verdictResult } from '../fakes/response';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import {
  decide,
  rejectionOf,
  startWorkflowHarness,
  waitForPhase,
  waitUntil,
  type WorkflowHarness,
} from './harness';

quietTemporalRuntime();

const SETTINGS: ResponseSettings = {
  decisionTimeout: '30 minutes',
  approvers: ['alice', 'U0BOB', 'carol'],
  isSlackEnabled: false,
  isTwoPersonRuleEnabled: true,
};

const ESCALATE_ACTIONS = ['preserve' as const, 'contain' as const, 'isolate' as const];

const CONTAINMENT = [
  'step:suspend-process',
  'step:limit-user',
  'step:isolate-host',
  'step:contain-account',
];

function privilegedFakes() {
  return createFakeActivities({ verdict: verdictResult('escalate', ESCALATE_ACTIONS, true) });
}

describe('two-person rule', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness();
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  it('rejects the first approver confirming their own approval', async () => {
    const fakes = privilegedFakes();

    const observed = await harness.withWorkflow(fakes, SETTINGS, async (handle) => {
      const first = await decide(handle, { action: 'isolate', approver: 'alice', channel: 'cli' });
      const again = await rejectionOf(
        decide(handle, { action: 'isolate', approver: 'alice', channel: 'slack' }),
      );
      const state = await handle.query(stateQuery);
      await decide(handle, { action: 'isolate', approver: 'carol', channel: 'cli' });
      await handle.result();
      return { first, again, state };
    });

    expect(isAwaitingConfirmation(observed.first)).toBe(true);
    expect(observed.first.action).toBe('isolate');
    expect(observed.again).toMatch(/approver 'alice' already approved 'isolate'/);
    expect(observed.again).toMatch(/different approver/);
    expect(observed.state.decision).toBeUndefined();
    expect(observed.state.pendingApproval).toMatchObject({
      action: 'isolate',
      approver: 'alice',
      channel: 'cli',
    });
    expect(Number.isNaN(Date.parse(observed.state.pendingApproval?.approvedAt ?? ''))).toBe(false);
  });

  it('runs the steps once a second approver confirms', async () => {
    const fakes = privilegedFakes();

    const observed = await harness.withWorkflow(
      fakes,
      { ...SETTINGS, isSlackEnabled: true },
      async (handle) => {
        await decide(handle, { action: 'isolate', approver: 'alice', channel: 'cli' });
        await waitUntil(() =>
          startedNames(fakes.calls).includes('recordPendingApprovalInSlack'),
        );
        const callsBeforeConfirmation = startedNames(fakes.calls);
        const confirmed = await decide(handle, {
          action: 'isolate',
          approver: 'U0BOB',
          channel: 'slack',
          comment: 'dump confirmed',
        });
        return { callsBeforeConfirmation, confirmed, result: await handle.result() };
      },
    );

    expect(observed.callsBeforeConfirmation).not.toContain('planResponse');
    expect(isAwaitingConfirmation(observed.confirmed)).toBe(false);
    const { decision } = observed.result;
    expect(decision).toMatchObject({
      action: 'isolate',
      decidedBy: 'alice',
      channel: 'cli',
      confirmedBy: 'U0BOB',
      confirmationChannel: 'slack',
      confirmationComment: 'dump confirmed',
    });
    expect(Date.parse(decision.confirmedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(decision.decidedAt),
    );
    expect(observed.result.steps.map((step) => step.step)).toEqual([
      'preserve-evidence',
      'isolate-host',
      'contain-account',
    ]);
    const names = startedNames(fakes.calls);
    expect(names.filter((name) => name === 'planResponse')).toHaveLength(1);
    expect(names.filter((name) => name === 'recordPendingApprovalInSlack')).toHaveLength(1);
    expect(names.indexOf('recordPendingApprovalInSlack')).toBeLessThan(
      names.indexOf('recordDecisionInSlack'),
    );
  });

  it('rejects a different action while an approval is pending', async () => {
    const fakes = privilegedFakes();

    const rejection = await harness.withWorkflow(fakes, SETTINGS, async (handle) => {
      await decide(handle, { action: 'isolate', approver: 'alice', channel: 'cli' });
      const found = await rejectionOf(
        decide(handle, { action: 'contain', approver: 'U0BOB', channel: 'slack' }),
      );
      await decide(handle, { action: 'isolate', approver: 'U0BOB', channel: 'slack' });
      await handle.result();
      return found;
    });

    expect(rejection).toMatch(/'isolate' by alice awaits confirmation/);
  });

  it.each([
    ['a non-privileged scope', 'isolate' as const, false, true],
    ['an action without isolation', 'contain' as const, true, true],
    ['the rule turned off', 'isolate' as const, true, false],
  ])('needs one approver for %s', async (_case, action, isPrivileged, isRuleOn) => {
    const fakes = createFakeActivities({
      verdict: verdictResult('escalate', ESCALATE_ACTIONS, isPrivileged),
    });
    const settings = { ...SETTINGS, isTwoPersonRuleEnabled: isRuleOn };

    const observed = await harness.withWorkflow(fakes, settings, async (handle) => {
      const accepted = await decide(handle, { action, approver: 'alice', channel: 'cli' });
      return { accepted, result: await handle.result() };
    });

    expect(isAwaitingConfirmation(observed.accepted)).toBe(false);
    expect(observed.result.decision.decidedBy).toBe('alice');
    expect(observed.result.decision.confirmedBy).toBeUndefined();
  });

  it('applies the safe default when no one confirms', async () => {
    const fakes = privilegedFakes();

    const result = await harness.withWorkflow(fakes, SETTINGS, async (handle) => {
      await decide(handle, { action: 'isolate', approver: 'alice', channel: 'cli' });
      await waitForPhase(handle, 'awaiting-decision');
      await harness.env.sleep('31 minutes');
      return handle.result();
    });

    expect(result.decision.action).toBe('preserve');
    expect(result.decision.decidedBy).toBe('system:deadline');
    expect(result.decision.comment).toContain("'isolate' by alice was not confirmed");
    expect(result.steps.map((step) => step.step)).toEqual(['preserve-evidence', 'escalate']);
    expect(startedNames(fakes.calls).filter((name) => CONTAINMENT.includes(name))).toEqual([]);
  });

  it('names the pending approval in the reminder', async () => {
    const fakes = privilegedFakes();

    const notices = await harness.withWorkflow(fakes, SETTINGS, async (handle) => {
      await decide(handle, { action: 'isolate', approver: 'alice', channel: 'cli' });
      await harness.env.sleep('11 minutes');
      const state = await handle.query(stateQuery);
      await decide(handle, { action: 'isolate', approver: 'carol', channel: 'cli' });
      await handle.result();
      return state.notices;
    });

    expect(notices.map((notice) => notice.kind)).toEqual(['reminder']);
    expect(notices[0]?.text).toContain("'isolate' chosen by alice");
    expect(notices[0]?.text).toContain('second, different approver');
  });
});
