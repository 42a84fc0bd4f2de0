/**
 * The MalSecLogon response playbook: investigate, wait for an analyst's decision (or apply the safe
 * default at the deadline), then run the response steps in order, preservation first.
 */
import {
  ActivityFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ResponseActivities, SlackActivities } from '../activities/types';
import type { Alert } from '../src/alert/alert';
import type { Decision, StepName, StepRequest, StepResult } from '../src/response/types';
import {
  acceptDecision,
  deadlineDecision,
  durationToMs,
  validateDecisionRequest,
} from './decision';
import { enrichment, investigate } from './investigate';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  stateQuery,
  type ResponseInput,
  type ResponseResult,
  type ResponseSettings,
  type ResponseState,
} from './messages';

// Slack rate limits clear within seconds; a bad token or a missing scope does not.
const slack = proxyActivities<SlackActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['SlackApiError'] },
});

// A safety refusal is final. A connector fault may clear, and idempotency keys make retries safe.
const response = proxyActivities<ResponseActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['UnsafeResponseError'] },
});

/** Steps that restrict a host, a process or an account. None runs after a failed preservation. */
const CONTAINMENT_STEPS: ReadonlySet<StepName> = new Set<StepName>([
  'suspend-process',
  'limit-user',
  'isolate-host',
  'contain-account',
]);

/** Runs the MalSecLogon playbook for one alert; registered as `malSecLogonResponse`. */
export async function malSecLogonResponse(input: ResponseInput): Promise<ResponseResult> {
  const { alert } = input;
  const state = initialState(alert);
  registerHandlers(state, input.settings);

  state.answers = await investigate(alert);
  const { verdict, allowedActions } = await enrichment.reachVerdict({
    alert,
    answers: state.answers,
  });
  state.verdict = verdict;
  state.allowedActions = allowedActions;
  log.info('verdict reached', { verdict: verdict.kind, allowedActions });

  const decision = await awaitDecision(input, state);
  await notifySlack(state, (message) => slack.recordDecisionInSlack({ message, decision }));

  state.phase = 'responding';
  const plan = await response.planResponse({ alert, answers: state.answers, decision });
  for (const request of plan) {
    const result = await runStep(alert.alertId, request, state.steps);
    state.steps.push(result);
    await replyInThread(state, result.step, `${result.step}: ${result.outcome}. ${result.detail}`);
  }

  const hasFailures = state.steps.some((step) => step.outcome === 'failed');
  const outcome = hasFailures ? 'completed-with-failures' : 'completed';
  state.phase = 'done';
  await replyInThread(state, 'outcome', `Response ${outcome} for '${decision.action}'.`);
  log.info('response finished', { outcome, steps: state.steps.length });

  return {
    alertId: alert.alertId,
    workflowId: workflowInfo().workflowId,
    verdict,
    answers: state.answers,
    decision,
    steps: state.steps,
    outcome,
  };
}

function initialState(alert: Alert): ResponseState {
  return {
    phase: 'enriching',
    alertId: alert.alertId,
    answers: [],
    allowedActions: [],
    rejectedAttempts: [],
    steps: [],
  };
}

function registerHandlers(state: ResponseState, settings: ResponseSettings): void {
  setHandler(stateQuery, () => state);

  setHandler(decisionAttemptRejectedSignal, (attempt) => {
    state.rejectedAttempts.push(attempt);
    log.info('decision attempt rejected outside the workflow', {
      approver: attempt.approver,
      action: attempt.action,
    });
  });

  // The validator runs before the update is written to history, so a rejected click leaves no
  // trace there. The Slack app reports such clicks through the signal above instead.
  setHandler(
    decideUpdate,
    (request) => {
      state.decision = acceptDecision(request, new Date().toISOString());
      log.info('decision accepted', { action: request.action, decidedBy: request.approver });
      return state.decision;
    },
    { validator: (request) => validateDecisionRequest(state, settings, request) },
  );
}

/**
 * Opens the decision window, posts the approval request when Slack is on, and waits for an accepted
 * `decide` update. Applies the preserve-and-escalate default when the window lapses.
 */
async function awaitDecision(input: ResponseInput, state: ResponseState): Promise<Decision> {
  const { alert, settings } = input;
  const deadlineMs = Date.now() + durationToMs(settings.decisionTimeout);
  state.decisionDeadline = new Date(deadlineMs).toISOString();
  state.phase = 'awaiting-decision';

  if (settings.isSlackEnabled && state.verdict) {
    const request = {
      workflowId: workflowInfo().workflowId,
      alert,
      answers: state.answers,
      verdict: state.verdict,
      allowedActions: state.allowedActions,
      decisionDeadline: state.decisionDeadline,
    };
    await runNotice(async () => {
      state.approvalMessage = await slack.postApprovalRequest(request);
    });
  }

  // The Slack post takes time out of the window, so wait only for what remains of it.
  const remainingMs = Math.max(deadlineMs - Date.now(), 1);
  const isDecided = await condition(() => state.decision !== undefined, remainingMs);
  if (isDecided && state.decision) return state.decision;

  state.decision = deadlineDecision(settings.decisionTimeout, new Date().toISOString());
  log.info('decision deadline passed; applying preserve and escalate', {
    deadline: state.decisionDeadline,
  });
  return state.decision;
}

/**
 * Runs one planned step. A containment step after a failed preservation is skipped without a
 * request, and a step that fails after its retries is recorded as failed instead of ending the run.
 */
async function runStep(
  alertId: string,
  request: StepRequest,
  earlier: StepResult[],
): Promise<StepResult> {
  const startedAt = new Date().toISOString();
  const preservation = earlier.find((result) => result.step === 'preserve-evidence');
  if (CONTAINMENT_STEPS.has(request.step) && preservation && preservation.outcome !== 'done') {
    const detail = 'Skipped: evidence preservation did not finish, so no containment step runs.';
    return stepResult(request, 'skipped', detail, startedAt);
  }

  try {
    return await response.runResponseStep({ alertId, request });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const detail = `Failed: ${error.cause?.message ?? error.message}`;
    log.error('response step failed', { step: request.step, key: request.idempotencyKey, detail });
    return stepResult(request, 'failed', detail, startedAt);
  }
}

function stepResult(
  request: StepRequest,
  outcome: StepResult['outcome'],
  detail: string,
  startedAt: string,
): StepResult {
  const { step, idempotencyKey } = request;
  return { step, outcome, detail, idempotencyKey, startedAt, finishedAt: new Date().toISOString() };
}

/** Posts a thread reply under the approval message; the key keeps a retried post single. */
async function replyInThread(state: ResponseState, suffix: string, text: string): Promise<void> {
  const key = `${state.alertId}:${suffix}`;
  await notifySlack(state, (message) => slack.postThreadReply({ message, text, key }));
}

/** Runs a Slack call about the approval message, or nothing when no message was posted. */
async function notifySlack(
  state: ResponseState,
  post: (message: NonNullable<ResponseState['approvalMessage']>) => Promise<void>,
): Promise<void> {
  const message = state.approvalMessage;
  if (message === undefined) return;
  await runNotice(() => post(message));
}

/**
 * Runs a Slack notice. Slack only mirrors the workflow's state, so a post that fails after its
 * retries is logged and the response goes on. The CLI and the state query still show everything.
 */
async function runNotice(post: () => Promise<void>): Promise<void> {
  try {
    await post();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('Slack notice failed; the response continues without it', {
      error: error.cause?.message ?? error.message,
    });
  }
}
