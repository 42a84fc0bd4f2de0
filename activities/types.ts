/**
 * Activity contracts the workflow calls. Implementations live beside this file, grouped by the
 * external system they talk to; the workflow sees only these signatures.
 */
import type { Alert } from '../src/alert/alert';
import type { Answer, Verdict } from '../src/investigation/types';
import type { Action, Decision, StepRequest, StepResult } from '../src/response/types';
import type {
  ApprovalMessageRef,
  PendingApproval,
  RejectedAttempt,
} from '../workflows/messages';

export interface VerdictResult {
  verdict: Verdict;
  /** Choices the verdict allows; the approval message offers exactly these. */
  allowedActions: Action[];
}

export interface EnrichmentActivities {
  /** Q1: the rule tuple and whether it matches recognised security tooling or an authorised test. */
  assessTuple(alert: Alert): Promise<Answer>;
  /** Q2 and Q3: source process, initiator candidates and lineage. Returns two answers. */
  recoverProcessLineage(alert: Alert): Promise<Answer[]>;
  /** Q4: dump artifacts. */
  searchDumpArtifacts(alert: Alert): Promise<Answer>;
  /** Q5: host and user impact from the asset inventory. */
  assessImpact(alert: Alert): Promise<Answer>;
  /** Q6: follow-on authentication (4624/4648). */
  pivotAuthentication(alert: Alert): Promise<Answer>;
  /** Q7: related alerts for the same user, or for the same host once local evidence is not benign. */
  findRelatedAlerts(input: { alert: Alert; scope: 'user' | 'host' }): Promise<Answer>;
  /** Pure decision from the answers; an activity so that the result is recorded in history. */
  reachVerdict(input: { alert: Alert; answers: Answer[] }): Promise<VerdictResult>;
}

export interface ApprovalRequestInput {
  workflowId: string;
  alert: Alert;
  answers: Answer[];
  verdict: Verdict;
  allowedActions: Action[];
  /** ISO 8601 time at which the safe default applies. */
  decisionDeadline: string;
}

export interface SlackActivities {
  /** Posts the approval request once; a retried attempt returns the message already posted. */
  postApprovalRequest(input: ApprovalRequestInput): Promise<ApprovalMessageRef>;
  /** Replaces the buttons with the decision, who made it and when (`chat.update`). */
  recordDecisionInSlack(input: { message: ApprovalMessageRef; decision: Decision }): Promise<void>;
  /**
   * Marks the approval message as awaiting a second approver, keeping the buttons so that one can
   * confirm (`chat.update`).
   */
  recordPendingApprovalInSlack(input: {
    message: ApprovalMessageRef;
    pending: PendingApproval;
  }): Promise<void>;
  /** Posts a thread reply under the approval message (step progress, rejections, outcome). */
  postThreadReply(input: { message: ApprovalMessageRef; text: string; key: string }): Promise<void>;
}

export interface ResponseActivities {
  /** Turns a decision into ordered step requests; preservation always comes first. */
  planResponse(input: { alert: Alert; answers: Answer[]; decision: Decision }): Promise<StepRequest[]>;
  /** Runs one step through the configured response connector. Idempotent per idempotency key. */
  runResponseStep(input: { alertId: string; request: StepRequest }): Promise<StepResult>;
}

export type { RejectedAttempt };
