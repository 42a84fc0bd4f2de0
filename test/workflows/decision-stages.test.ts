import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateQuery, type ResponseSettings } from '../../workflows/messages';
import { createFakeActivities, startedNames } from '../fakes/response';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import {
  decide,
  startWorkflowHarness,
  waitForPhase,
  type ResponseHandle,
  type WorkflowHarness,
} from './harness';

quietTemporalRuntime();

/** Settings as recorded before the stage fields existed, so the defaults apply. */
const SETTINGS: ResponseSettings = {
  decisionTimeout: '30 minutes',
  approvers: ['alice', 'U0BOB'],
  isSlackEnabled: false,
};

const CONTAINMENT = [
  'step:suspend-process',
  'step:limit-user',
  'step:isolate-host',
  'step:contain-account',
];

describe('decision window stages', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness();
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  /** Returns the kinds of the notices issued so far. */
  async function noticeKinds(handle: ResponseHandle): Promise<string[]> {
    const state = await handle.query(stateQuery);
    return state.notices.map((notice) => notice.kind);
  }

  it('reminds at 10, escalates at 20 and defaults at 30 minutes', async () => {
    const fakes = createFakeActivities();

    const observed = await harness.withWorkflow(fakes, SETTINGS, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      const kinds: Record<string, string[]> = {};
      await harness.env.sleep('9 minutes');
      kinds.at9 = await noticeKinds(handle);
      await harness.env.sleep('2 minutes');
      kinds.at11 = await noticeKinds(handle);
      await harness.env.sleep('8 minutes');
      kinds.at19 = await noticeKinds(handle);
      await harness.env.sleep('2 minutes');
      kinds.at21 = await noticeKinds(handle);
      await harness.env.sleep('8 minutes');
      const at29 = await handle.query(stateQuery);
      await harness.env.sleep('2 minutes');
      return { kinds, at29, result: await handle.result() };
    });

    expect(observed.kinds.at9).toEqual([]);
    expect(observed.kinds.at11).toEqual(['reminder']);
    expect(observed.kinds.at19).toEqual(['reminder']);
    expect(observed.kinds.at21).toEqual(['reminder', 'escalation']);
    expect(observed.at29.decision).toBeUndefined();
    expect(observed.at29.phase).toBe('awaiting-decision');
    const deadlineMs = Date.parse(observed.at29.decisionDeadline ?? '');
    const minutesBeforeDeadline = observed.at29.notices.map(
      (notice) => (deadlineMs - Date.parse(notice.issuedAt)) / 60_000,
    );
    // Workflow time on the activation after a timer fires can run a few milliseconds late.
    expect(minutesBeforeDeadline[0]).toBeCloseTo(20, 1);
    expect(minutesBeforeDeadline[1]).toBeCloseTo(10, 1);
    expect(observed.at29.notices.map((notice) => notice.key)).toEqual([
      'alert-0001:reminder',
      'alert-0001:escalation',
    ]);
    expect(observed.result.decision.action).toBe('preserve');
    expect(observed.result.decision.decidedBy).toBe('system:deadline');
    expect(startedNames(fakes.calls).filter((name) => CONTAINMENT.includes(name))).toEqual([]);
    expect(startedNames(fakes.calls)).not.toContain('postThreadReply');
  });

  it('posts notices in the thread with the on-call group', async () => {
    const fakes = createFakeActivities();
    const settings = { ...SETTINGS, isSlackEnabled: true, oncallGroup: 'S0ONCALL' };

    await harness.withWorkflow(fakes, settings, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await harness.env.sleep('31 minutes');
      return handle.result();
    });

    const replies = fakes.calls.filter((call) => call.name === 'postThreadReply');
    expect(replies.map((call) => call.input)).toEqual([
      'alert-0001:reminder',
      'alert-0001:escalation',
      'alert-0001:preserve-evidence',
      'alert-0001:escalate',
      'alert-0001:outcome',
    ]);
    const [reminder, escalation] = replies.map((call) => String(call.detail));
    expect(reminder).toContain('<!subteam^S0ONCALL>');
    expect(reminder).toMatch(/^<!subteam\^S0ONCALL> Reminder:/);
    expect(escalation).toMatch(/^<!subteam\^S0ONCALL> Escalation:/);
    expect(escalation).toContain('the safe default applies');
    expect(escalation).toContain('no containment');
  });

  it('mentions nobody without an on-call group', async () => {
    const fakes = createFakeActivities();

    await harness.withWorkflow(fakes, { ...SETTINGS, isSlackEnabled: true }, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await harness.env.sleep('31 minutes');
      return handle.result();
    });

    const texts = fakes.calls
      .filter((call) => call.name === 'postThreadReply')
      .map((call) => String(call.detail));
    expect(texts[0]).toMatch(/^Reminder:/);
    expect(texts[1]).toMatch(/^Escalation:/);
  });

  it.each([
    ['before the reminder', '5 minutes' as const, []],
    ['between reminder and escalation', '15 minutes' as const, ['alert-0001:reminder']],
  ])('stops notices after a decision %s', async (_case, decideAfter, expectedKeys) => {
    const fakes = createFakeActivities();
    const settings = { ...SETTINGS, isSlackEnabled: true };

    await harness.withWorkflow(fakes, settings, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await harness.env.sleep(decideAfter);
      await decide(handle, { action: 'preserve', approver: 'alice', channel: 'cli' });
      await handle.result();
      // Any timer still pending would fire during this sleep and post its notice.
      await harness.env.sleep('40 minutes');
    });

    const noticeKeys = fakes.calls
      .filter((call) => call.name === 'postThreadReply')
      .map((call) => String(call.input))
      .filter((key) => key.endsWith(':reminder') || key.endsWith(':escalation'));
    expect(noticeKeys).toEqual(expectedKeys);
  });

  it('honours configured durations', async () => {
    const fakes = createFakeActivities();
    const settings: ResponseSettings = {
      ...SETTINGS,
      decisionReminder: '2 minutes',
      decisionEscalation: '4 minutes',
      decisionTimeout: '6 minutes',
    };

    const observed = await harness.withWorkflow(fakes, settings, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      const kinds: string[][] = [];
      for (let minute = 1; minute <= 5; minute += 2) {
        await harness.env.sleep('1 minute');
        kinds.push(await noticeKinds(handle));
        await harness.env.sleep('1 minute');
      }
      await harness.env.sleep('2 minutes');
      return { kinds, result: await handle.result() };
    });

    expect(observed.kinds).toEqual([[], ['reminder'], ['reminder', 'escalation']]);
    expect(observed.result.decision.decidedBy).toBe('system:deadline');
    expect(observed.result.decision.comment).toContain('6 minutes');
  });

  it('leaves out default stages beyond a short timeout', async () => {
    const fakes = createFakeActivities();
    const settings = { ...SETTINGS, decisionTimeout: '5 minutes' };

    const result = await harness.withWorkflow(fakes, settings, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await harness.env.sleep('6 minutes');
      const state = await handle.query(stateQuery);
      return { state, outcome: await handle.result() };
    });

    expect(result.state.notices).toEqual([]);
    expect(result.outcome.decision.decidedBy).toBe('system:deadline');
  });
});
