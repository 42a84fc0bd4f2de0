import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/constants';
import { createLogger } from '../../src/logging';
import { WORKFLOWS_PATH, createResponseWorker } from '../../src/temporal/worker';
import type { malSecLogonResponse } from '../../workflows/malseclogon';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  stateQuery,
  type DecisionRequest,
  type ResponsePhase,
  type ResponseSettings,
} from '../../workflows/messages';
import {
  ALL_ACTIONS,
  clearLocalAnswers,
  createFakeActivities,
  sampleAlert,
  startedNames,
  verdictResult,
} from '../fakes/response';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { asDecision } from './harness';
import { startTimeSkippingEnv } from '../support/temporal';

quietTemporalRuntime();

type ResponseHandle = WorkflowHandle<typeof malSecLogonResponse>;

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

describe('malSecLogonResponse', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundle;
  const logger = createLogger('warn');

  beforeAll(async () => {
    env = await startTimeSkippingEnv();
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: new DefaultLogger('WARN'),
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** Runs `body` against a fresh worker on its own task queue with the given fakes. */
  async function withWorkflow<T>(
    fakes: ReturnType<typeof createFakeActivities>,
    settings: ResponseSettings,
    body: (handle: ResponseHandle) => Promise<T>,
  ): Promise<T> {
    const taskQueue = `malseclogon-test-${randomUUID()}`;
    const worker = await createResponseWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      activities: fakes.activities,
      logger,
      taskQueue,
      workflowBundle,
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof malSecLogonResponse>(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `malseclogon-test-${randomUUID()}`,
        args: [{ alert: sampleAlert(), settings }],
      });
      return body(handle);
    });
  }

  it('applies preserve and escalate when the deadline passes', async () => {
    const fakes = createFakeActivities();

    const result = await withWorkflow(fakes, SETTINGS, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await env.sleep('31 minutes');
      return handle.result();
    });

    expect(result.decision.action).toBe('preserve');
    expect(result.decision.decidedBy).toBe('system:deadline');
    expect(result.decision.channel).toBe('deadline');
    expect(result.decision.comment).toMatch(/30 minutes/);
    expect(result.steps.map((step) => step.step)).toEqual(['preserve-evidence', 'escalate']);
    expect(startedNames(fakes.calls).filter((name) => CONTAINMENT.includes(name))).toEqual([]);
  });

  it('finishes preservation before containment starts', async () => {
    const fakes = createFakeActivities();

    const result = await withWorkflow(fakes, SETTINGS, async (handle) => {
      await decide(handle, { action: 'contain', approver: 'alice', channel: 'cli' });
      return handle.result();
    });

    const stepEvents = fakes.calls
      .filter((call) => call.name.startsWith('step:'))
      .map((call) => `${call.phase}:${call.name}`);
    expect(stepEvents).toEqual([
      'start:step:preserve-evidence',
      'finish:step:preserve-evidence',
      'start:step:suspend-process',
      'finish:step:suspend-process',
      'start:step:limit-user',
      'finish:step:limit-user',
    ]);
    expect(result.outcome).toBe('completed');
  });

  it('rejects invalid decisions before they reach history', async () => {
    let releaseVerdict = (): void => undefined;
    const verdictGate = new Promise<void>((resolve) => {
      releaseVerdict = resolve;
    });
    const fakes = createFakeActivities({
      verdict: verdictResult('unresolved', ['preserve', 'contain', 'close-benign']),
      verdictGate,
    });

    const { result, rejections, stateAfterRejections, acceptedUpdates } = await withWorkflow(
      fakes,
      SETTINGS,
      async (handle) => {
        await waitUntil(() => startedNames(fakes.calls).includes('reachVerdict'));
        const earlyRequest: DecisionRequest = {
          action: 'preserve',
          approver: 'alice',
          channel: 'cli',
        };
        const early = await rejectionOf(
          handle.executeUpdate(decideUpdate, { args: [earlyRequest] }),
        );
        releaseVerdict();
        await waitForPhase(handle, 'awaiting-decision');

        const invalid: Record<string, DecisionRequest> = {
          unknownAction: {
            action: 'nuke' as DecisionRequest['action'],
            approver: 'alice',
            channel: 'cli',
          },
          unknownApprover: { action: 'contain', approver: 'mallory', channel: 'slack' },
          disallowedAction: { action: 'isolate', approver: 'alice', channel: 'cli' },
          benignWithoutComment: {
            action: 'close-benign',
            approver: 'alice',
            channel: 'cli',
            comment: '  ',
          },
        };
        const found: Record<string, string> = { beforeVerdict: early };
        for (const [name, request] of Object.entries(invalid))
          found[name] = await rejectionOf(decide(handle, request));
        const state = await handle.query(stateQuery);

        await decide(handle, { action: 'preserve', approver: 'U0BOB', channel: 'slack' });
        found.secondDecision = await rejectionOf(
          decide(handle, { action: 'contain', approver: 'alice', channel: 'cli' }),
        );
        const history = await handle.fetchHistory();
        const accepted = (history.events ?? []).filter(
          (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
        );
        return {
          result: await handle.result(),
          rejections: found,
          stateAfterRejections: state,
          acceptedUpdates: accepted.length,
        };
      },
    );

    expect(rejections.beforeVerdict).toMatch(/not awaiting a decision/);
    expect(rejections.unknownAction).toMatch(/unknown action 'nuke'/);
    expect(rejections.unknownApprover).toMatch(/approver 'mallory' is not allowed/);
    expect(rejections.disallowedAction).toMatch(
      /action 'isolate' is not allowed for a 'unresolved' verdict/,
    );
    expect(rejections.benignWithoutComment).toMatch(/needs a comment/);
    expect(rejections.secondDecision).toMatch(/already accepted/);
    expect(stateAfterRejections.decision).toBeUndefined();
    expect(stateAfterRejections.steps).toEqual([]);
    expect(acceptedUpdates).toBe(1);
    expect(result.decision.action).toBe('preserve');
    expect(result.decision.decidedBy).toBe('U0BOB');
  });

  it('accepts close-benign on an unresolved verdict with a comment', async () => {
    const fakes = createFakeActivities({
      verdict: verdictResult('unresolved', ['preserve', 'close-benign']),
    });

    const result = await withWorkflow(fakes, SETTINGS, async (handle) => {
      const comment = 'Authorised red-team test confirmed by the IR lead';
      await decide(handle, { action: 'close-benign', approver: 'alice', channel: 'cli', comment });
      return handle.result();
    });

    expect(result.decision.action).toBe('close-benign');
    expect(result.steps.map((step) => step.step)).toEqual(['reverse-containment', 'close-alert']);
  });

  it('records who, when, what and why for an accepted decision', async () => {
    const fakes = createFakeActivities();

    const { decision, result } = await withWorkflow(fakes, SETTINGS, async (handle) => {
      const accepted = await decide(handle, {
        action: 'isolate',
        approver: 'alice',
        channel: 'cli',
        comment: ' dump found ',
      });
      return { decision: asDecision(accepted), result: await handle.result() };
    });

    expect(decision.action).toBe('isolate');
    expect(decision.decidedBy).toBe('alice');
    expect(decision.channel).toBe('cli');
    expect(decision.comment).toBe('dump found');
    expect(Number.isNaN(Date.parse(decision.decidedAt))).toBe(false);
    expect(result.decision).toEqual(decision);
  });

  it('skips containment when preservation fails', async () => {
    const fakes = createFakeActivities({ failingSteps: ['preserve-evidence'] });

    const result = await withWorkflow(fakes, SETTINGS, async (handle) => {
      await decide(handle, { action: 'contain', approver: 'alice', channel: 'cli' });
      return handle.result();
    });

    expect(result.steps.map((step) => [step.step, step.outcome])).toEqual([
      ['preserve-evidence', 'failed'],
      ['suspend-process', 'skipped'],
      ['limit-user', 'skipped'],
    ]);
    expect(result.steps[0]?.detail).toMatch(/connector rejected preserve-evidence/);
    expect(result.steps[1]?.detail).toMatch(/preservation did not finish/);
    expect(startedNames(fakes.calls).filter((name) => CONTAINMENT.includes(name))).toEqual([]);
    expect(result.outcome).toBe('completed-with-failures');
  });

  it('keeps rejected attempts signalled from outside', async () => {
    const fakes = createFakeActivities();
    const attempt = {
      approver: 'U0EVE',
      action: 'isolate',
      channel: 'slack' as const,
      attemptedAt: '2024-05-02T10:20:00.000Z',
      reason: 'not in the approver list',
    };

    const state = await withWorkflow(fakes, SETTINGS, async (handle) => {
      await waitForPhase(handle, 'awaiting-decision');
      await handle.signal(decisionAttemptRejectedSignal, attempt);
      const afterSignal = await handle.query(stateQuery);
      await decide(handle, { action: 'preserve', approver: 'alice', channel: 'cli' });
      await handle.result();
      return afterSignal;
    });

    expect(state.rejectedAttempts).toEqual([attempt]);
    expect(state.decision).toBeUndefined();
  });

  it('asks for host-scoped related alerts only when local evidence is not benign', async () => {
    const clear = createFakeActivities({
      localAnswers: clearLocalAnswers(),
      verdict: verdictResult('benign', ALL_ACTIONS),
    });
    const absent = createFakeActivities({
      localAnswers: clearLocalAnswers().map((item) =>
        item.question === 'Q4' ? { ...item, coverage: 'absent' as const } : item,
      ),
    });
    const suspicious = createFakeActivities();

    const results = [];
    for (const fakes of [clear, absent, suspicious]) {
      results.push(
        await withWorkflow(fakes, SETTINGS, async (handle) => {
          await decide(handle, { action: 'preserve', approver: 'alice', channel: 'cli' });
          return handle.result();
        }),
      );
    }

    const scopes = (fakes: typeof clear) =>
      fakes.calls.filter((call) => call.name === 'findRelatedAlerts').map((call) => call.input);
    expect(scopes(clear)).toEqual(['user']);
    expect(scopes(absent)).toEqual(['user', 'host']);
    expect(scopes(suspicious)).toEqual(['user', 'host']);
    expect(results[1]?.answers.filter((item) => item.question === 'Q7')).toHaveLength(2);
  });

  it('calls Slack activities only when Slack is enabled', async () => {
    const withSlack = createFakeActivities();
    const withoutSlack = createFakeActivities();

    for (const [fakes, isSlackEnabled] of [
      [withSlack, true],
      [withoutSlack, false],
    ] as const) {
      await withWorkflow(fakes, { ...SETTINGS, isSlackEnabled }, async (handle) => {
        await decide(handle, { action: 'preserve', approver: 'U0BOB', channel: 'slack' });
        return handle.result();
      });
    }

    const slackCalls = (fakes: typeof withSlack) =>
      startedNames(fakes.calls).filter((name) =>
        ['postApprovalRequest', 'recordDecisionInSlack', 'postThreadReply'].includes(name),
      );
    expect(slackCalls(withSlack)).toEqual([
      'postApprovalRequest',
      'recordDecisionInSlack',
      'postThreadReply',
      'postThreadReply',
      'postThreadReply',
    ]);
    expect(
      withSlack.calls.filter((call) => call.name === 'postThreadReply').map((call) => call.input),
    ).toEqual(['alert-0001:preserve-evidence', 'alert-0001:escalate', 'alert-0001:outcome']);
    expect(slackCalls(withoutSlack)).toEqual([]);
  });
});

async function decide(handle: ResponseHandle, request: DecisionRequest) {
  await waitForPhase(handle, 'awaiting-decision', ['responding', 'done']);
  return handle.executeUpdate(decideUpdate, { args: [request] });
}

/** Returns the validator's message from a rejected update; fails the test if it was accepted. */
async function rejectionOf(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
    throw error;
  }
  throw new Error('update was accepted but a rejection was expected');
}

/** Polls the state query until the phase is `phase` (or one of `orLater`). */
async function waitForPhase(
  handle: ResponseHandle,
  phase: ResponsePhase,
  orLater: ResponsePhase[] = [],
): Promise<void> {
  await waitUntil(async () => {
    const state = await handle.query(stateQuery);
    return state.phase === phase || orLater.includes(state.phase);
  });
}

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
