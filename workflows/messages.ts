/**
 * Messages and payload types of the MalSecLogon response workflow. Kept apart from the workflow
 * body so that the Slack app, the CLI and the intake can import them without the workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../src/alert/alert';
import type { Answer, Verdict } from '../src/investigation/types';
import type { Action, Decision, StepResult } from '../src/response/types';

/**
 * The per-run settings. Fields after `isSlackEnabled` came later and are optional, so that the
 * inputs recorded in older histories still parse; `resolveDecisionPolicy` fills in their defaults.
 */
export interface ResponseSettings {
  /** Temporal duration string, e.g. '30 minutes'. */
  decisionTimeout: string;
  /** Identities allowed to decide (Slack user ids and CLI names). */
  approvers: string[];
  /** Whether an approval message is posted to Slack; without it the CLI decides. */
  isSlackEnabled: boolean;
  /** When an undecided run posts a reminder, from the start of the window. @default '10 minutes' */
  decisionReminder?: string;
  /** When an undecided run posts an escalation. @default '20 minutes' */
  decisionEscalation?: string;
  /** Slack user-group id (`S…`) mentioned in reminders and escalations. */
  oncallGroup?: string;
  /** Whether isolation on privileged scope needs a second approver. @default true */
  isTwoPersonRuleEnabled?: boolean;
}

export interface ResponseInput {
  alert: Alert;
  settings: ResponseSettings;
}

export interface DecisionRequest {
  action: Action;
  /** Slack user id or CLI name of the person deciding. */
  approver: string;
  /**
   * Slack user-group id (`S…`) in the approver list through which the Slack app found `approver`
   * to be a member. Unset when `approver` is listed directly.
   */
  approverGroup?: string;
  comment?: string;
  channel: 'slack' | 'cli';
}

/** A decision attempt that was turned away before it became an Update (e.g. an unauthorised click). */
export interface RejectedAttempt {
  approver: string;
  action: string;
  channel: 'slack' | 'cli';
  /** ISO 8601 time of the attempt, as the caller saw it. */
  attemptedAt: string;
  reason: string;
}

export type ResponsePhase = 'enriching' | 'awaiting-decision' | 'responding' | 'done';

/** A reminder or escalation issued while a run waited for its decision. */
export interface DeadlineNotice {
  kind: 'reminder' | 'escalation';
  /** ISO 8601 workflow time at which the notice was issued. */
  issuedAt: string;
  /** The thread reply text, also kept when no Slack message exists. */
  text: string;
  /** Idempotency key of the thread reply: `${alertId}:${kind}`. */
  key: string;
}

/** A first approval that waits for a second, different approver under the two-person rule. */
export interface PendingApproval {
  action: Action;
  approver: string;
  approverGroup?: string;
  /** ISO 8601 workflow time the first approval was accepted. */
  approvedAt: string;
  channel: 'slack' | 'cli';
  comment?: string;
}

/**
 * Result of the `decide` update: the accepted decision, or for the first approval of a
 * two-person action, that approval with `status: 'awaiting-confirmation'`. A `Decision` has no
 * `status`, so results recorded before the two-person rule read as decisions.
 */
export type DecideResult = Decision | AwaitingConfirmation;

export interface AwaitingConfirmation extends PendingApproval {
  status: 'awaiting-confirmation';
}

/** True when a `decide` result is a first approval still waiting for its confirmation. */
export function isAwaitingConfirmation(result: DecideResult): result is AwaitingConfirmation {
  return 'status' in result && result.status === 'awaiting-confirmation';
}

export interface ApprovalMessageRef {
  channel: string;
  ts: string;
}

export interface ResponseState {
  phase: ResponsePhase;
  alertId: string;
  answers: Answer[];
  verdict?: Verdict;
  allowedActions: Action[];
  approvalMessage?: ApprovalMessageRef;
  decision?: Decision;
  rejectedAttempts: RejectedAttempt[];
  steps: StepResult[];
  /** ISO 8601 time at which the safe default applies, while awaiting a decision. */
  decisionDeadline?: string;
  /** Reminder and escalation issued before the decision, in order. */
  notices: DeadlineNotice[];
  /** First approval of a two-person action, until a second approver confirms it. */
  pendingApproval?: PendingApproval;
}

export interface ResponseResult {
  alertId: string;
  workflowId: string;
  verdict: Verdict;
  answers: Answer[];
  decision: Decision;
  steps: StepResult[];
  outcome: 'completed' | 'completed-with-failures';
}

/**
 * The analyst's decision, or under the two-person rule the first approval or its confirmation. Its
 * validator rejects unknown actions, disallowed ones, unknown approvers and self-confirmation.
 */
export const decideUpdate = defineUpdate<DecideResult, [DecisionRequest]>('decide');

export const stateQuery = defineQuery<ResponseState>('state');

export const decisionAttemptRejectedSignal = defineSignal<[RejectedAttempt]>('decisionAttemptRejected');
