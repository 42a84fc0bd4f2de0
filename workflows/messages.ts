/**
 * Messages and payload types of the MalSecLogon response workflow. Kept apart from the workflow
 * body so that the Slack app, the CLI and the intake can import them without the workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../src/alert/alert';
import type { Answer, Verdict } from '../src/investigation/types';
import type { Action, Decision, StepResult } from '../src/response/types';

export interface ResponseSettings {
  /** Temporal duration string, e.g. '30 minutes'. */
  decisionTimeout: string;
  /** Identities allowed to decide (Slack user ids and CLI names). */
  approvers: string[];
  /** Whether an approval message is posted to Slack; without it the CLI decides. */
  isSlackEnabled: boolean;
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

/** The analyst's decision. Its validator rejects unknown actions, disallowed ones and unknown approvers. */
export const decideUpdate = defineUpdate<Decision, [DecisionRequest]>('decide');

export const stateQuery = defineQuery<ResponseState>('state');

export const decisionAttemptRejectedSignal = defineSignal<[RejectedAttempt]>('decisionAttemptRejected');
