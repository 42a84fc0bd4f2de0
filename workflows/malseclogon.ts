/**
 * The MalSecLogon response playbook: investigate, wait for an analyst's decision (or apply the safe
 * default at the deadline), then run the response steps in order, preservation first.
 */
import {
  ActivityFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ResponseActivities, SlackActivities } from '../activities/types';
import type { Alert } from '../src/alert/alert';
import type { Decision, StepName, StepRequest, StepResult } from '../src/response/types';
import {
  acceptDecision,
  confirmDecision,
  deadlineDecision,
  pendingApproval,
  validateDecisionRequest,
} from './decision';
import {
  DECISION_STAGES_PATCH,
  buildNotice,
  needsSecondApprover,
  resolveDecisionPolicy,
  type DecisionPolicy,
} from './decision-policy';
import { enrichment, investigate } from './investigate';
import { upsertRunSearchAttributes } from './search-attributes';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  stateQuery,
  type DecideResult,
  type DeadlineNotice,
  type PendingApproval,
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
  const policy = resolveDecisionPolicy(input.settings, patched(DECISION_STAGES_PATCH));
  registerHandlers(state, input.settings, policy);
  upsertRunSearchAttributes(alert, state);

  state.answers = await investigate(alert);
  const { verdict, allowedActions } = await enrichment.reachVerdict({
    alert,
    answers: state.answers,
  });
  state.verdict = verdict;
  state.allowedActions = allowedActions;
  log.info('verdict reached', { verdict: verdict.kind, allowedActions });

  const decision = await awaitDecision(input, state, policy);
  await notifySlack(state, (message) => slack.recordDecisionInSlack({ message, decision }));

  state.phase = 'responding';
  upsertRunSearchAttributes(alert, state);
  const plan = await response.planResponse({ alert, answers: state.answers, decision });
  for (const request of plan) {
    const result = await runStep(alert.alertId, request, state.steps);
    state.steps.push(result);
    await replyInThread(state, result.step, `${result.step}: ${result.outcome}. ${result.detail}`);
  }

  const hasFailures = state.steps.some((step) => step.outcome === 'failed');
  const outcome = hasFailures ? 'completed-with-failures' : 'completed';
  state.phase = 'done';
  upsertRunSearchAttributes(alert, state);
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
    notices: [],
  };
}

function registerHandlers(
  state: ResponseState,
  settings: ResponseSettings,
  policy: DecisionPolicy,
): void {
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
    (request): DecideResult => {
      const acceptedAt = new Date().toISOString();
      const pending = state.pendingApproval;
      if (pending !== undefined) {
        state.decision = confirmDecision(pending, request, acceptedAt);
        state.pendingApproval = undefined;
        log.info('decision confirmed by a second approver', {
          action: pending.action,
          decidedBy: pending.approver,
          confirmedBy: request.approver,
        });
        return state.decision;
      }
      if (needsSecondApprover(policy, state, request.action)) {
        state.pendingApproval = pendingApproval(request, acceptedAt);
        log.info('first approval recorded; awaiting a second approver', {
          action: request.action,
          approver: request.approver,
        });
        return { status: 'awaiting-confirmation', ...state.pendingApproval };
      }
      state.decision = acceptDecision(request, acceptedAt);
      log.info('decision accepted', { action: request.action, decidedBy: request.approver });
      return state.decision;
    },
    { validator: (request) => validateDecisionRequest(state, settings, request) },
  );
}

/**
 * Opens the decision window, posts the approval request when Slack is on, and waits for an accepted
 * `decide` update. Issues the reminder and the escalation on the way, and applies the
 * preserve-and-escalate default when the window lapses.
 */
async function awaitDecision(
  input: ResponseInput,
  state: ResponseState,
  policy: DecisionPolicy,
): Promise<Decision> {
  const { alert, settings } = input;
  const windowStartMs = Date.now();
  const deadlineMs = windowStartMs + policy.timeoutMs;
  state.decisionDeadline = new Date(deadlineMs).toISOString();
  state.phase = 'awaiting-decision';
  upsertRunSearchAttributes(alert, state);

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

  // Every stage is measured from the window's start, so the Slack post takes time out of the
  // window instead of moving the deadline.
  const waitForDecision = createDecisionWaiter(state);
  for (const stage of policy.stages) {
    if ((await waitForDecision(windowStartMs + stage.afterMs)) && state.decision) {
      return state.decision;
    }
    await issueNotice(state, policy, stage.kind);
  }
  if ((await waitForDecision(deadlineMs)) && state.decision) return state.decision;

  const unconfirmed = state.pendingApproval;
  state.pendingApproval = undefined;
  state.decision = deadlineDecision(settings.decisionTimeout, new Date().toISOString(), unconfirmed);
  log.info('decision deadline passed; applying preserve and escalate', {
    deadline: state.decisionDeadline,
    unconfirmedAction: unconfirmed?.action,
  });
  return state.decision;
}

/**
 * Returns a wait that resolves true once a decision is accepted, or false when workflow time
 * reaches `untilMs`. While it waits, it shows each new first approval on the Slack message.
 */
function createDecisionWaiter(state: ResponseState): (untilMs: number) => Promise<boolean> {
  let shownApproval: PendingApproval | undefined;
  return async (untilMs) => {
    for (;;) {
      // At least 1 ms, as before the stages existed, so replayed histories keep their timers.
      const remainingMs = Math.max(untilMs - Date.now(), 1);
      const hasNews = await condition(
        () => state.decision !== undefined || state.pendingApproval !== shownApproval,
        remainingMs,
      );
      if (state.decision !== undefined) return true;
      if (!hasNews) return false;

      shownApproval = state.pendingApproval;
      if (shownApproval !== undefined) {
        const pending = shownApproval;
        await notifySlack(state, (message) =>
          slack.recordPendingApprovalInSlack({ message, pending }),
        );
      }
    }
  };
}

/** Records a reminder or escalation in the state and posts it in the approval thread. */
async function issueNotice(
  state: ResponseState,
  policy: DecisionPolicy,
  kind: DeadlineNotice['kind'],
): Promise<void> {
  const notice = buildNotice(kind, state, policy, new Date().toISOString());
  state.notices.push(notice);
  log.info('decision still pending; notice issued', {
    kind,
    deadline: state.decisionDeadline,
    pendingApprover: state.pendingApproval?.approver,
  });
  await replyInThread(state, kind, notice.text);
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
