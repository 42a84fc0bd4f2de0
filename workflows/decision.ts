/**
 * Pure rules for the analyst's decision: which requests the `decide` update accepts, and the safe
 * default applied at the deadline. Imports only types, so the workflow bundle stays deterministic.
 */
import { isCommentRequired } from '../src/investigation/allowed-actions';
import { ACTIONS, type Action, type Decision } from '../src/response/types';
import type {
  DecisionRequest,
  PendingApproval,
  ResponseSettings,
  ResponseState,
} from './messages';

/**
 * Throws an `Error` naming the rejected value and the remedy when `request` may not become the
 * decision in `state`. The workflow runs it as the update validator, so a rejected request never
 * reaches history.
 */
export function validateDecisionRequest(
  state: ResponseState,
  settings: ResponseSettings,
  request: DecisionRequest,
): void {
  if (!isAction(request.action)) {
    throw new Error(
      `unknown action '${String(request.action)}': choose one of ${ACTIONS.join(', ')}`,
    );
  }
  // A group id counts only because the Slack app checked the approver's membership before sending.
  const isListed =
    settings.approvers.includes(request.approver) ||
    (request.approverGroup !== undefined && settings.approvers.includes(request.approverGroup));
  if (!isListed) {
    throw new Error(
      `approver '${request.approver}' is not allowed to decide: ` +
        'ask someone in the approver list (SOAR_APPROVERS) to decide',
    );
  }
  if (state.decision !== undefined) {
    throw new Error(
      `a decision was already accepted ('${state.decision.action}' by ${state.decision.decidedBy}): ` +
        'a second decision is not taken',
    );
  }
  if (state.phase !== 'awaiting-decision') {
    throw new Error(
      `the workflow is not awaiting a decision yet (phase '${state.phase}'): ` +
        'send it again once the verdict is reached',
    );
  }
  if (state.pendingApproval !== undefined) {
    validateConfirmation(state.pendingApproval, request);
    return;
  }
  if (!state.allowedActions.includes(request.action)) {
    throw new Error(
      `action '${request.action}' is not allowed for a '${state.verdict?.kind ?? 'pending'}' verdict: ` +
        `choose one of ${state.allowedActions.join(', ')}`,
    );
  }
  const hasComment = (request.comment ?? '').trim() !== '';
  const isCommentNeeded =
    state.verdict !== undefined && isCommentRequired(state.verdict.kind, request.action);
  if (isCommentNeeded && !hasComment) {
    throw new Error(
      `action '${request.action}' on an unresolved verdict needs a comment recording who confirmed ` +
        'the activity as legitimate (product owner, IR lead or test plan)',
    );
  }
}

/**
 * Throws unless `request` confirms `pending`: the same action from a different approver. A first
 * approval cannot be changed or withdrawn, so a different action is rejected too.
 */
function validateConfirmation(pending: PendingApproval, request: DecisionRequest): void {
  if (request.approver === pending.approver) {
    throw new Error(
      `approver '${request.approver}' already approved '${pending.action}' at ${pending.approvedAt}: ` +
        'the two-person rule needs a different approver to confirm it',
    );
  }
  if (request.action !== pending.action) {
    throw new Error(
      `'${pending.action}' by ${pending.approver} awaits confirmation by a second approver: ` +
        `confirm '${pending.action}', or leave it and the safe default applies at the deadline`,
    );
  }
}

/** Records the first approval of a two-person action, accepted at workflow time `approvedAt`. */
export function pendingApproval(request: DecisionRequest, approvedAt: string): PendingApproval {
  const comment = request.comment?.trim();
  return {
    action: request.action,
    approver: request.approver,
    ...(request.approverGroup !== undefined ? { approverGroup: request.approverGroup } : {}),
    approvedAt,
    channel: request.channel,
    ...(comment ? { comment } : {}),
  };
}

/**
 * Builds the decision from a first approval and its confirmation at workflow time `confirmedAt`:
 * the first approver is `decidedBy`, the second `confirmedBy`.
 */
export function confirmDecision(
  pending: PendingApproval,
  confirmation: DecisionRequest,
  confirmedAt: string,
): Decision {
  const confirmationComment = confirmation.comment?.trim();
  return {
    action: pending.action,
    decidedBy: pending.approver,
    decidedAt: pending.approvedAt,
    channel: pending.channel,
    ...(pending.comment !== undefined ? { comment: pending.comment } : {}),
    confirmedBy: confirmation.approver,
    confirmedAt,
    confirmationChannel: confirmation.channel,
    ...(confirmationComment ? { confirmationComment } : {}),
  };
}

/** Builds the decision recorded when an accepted request arrives at workflow time `decidedAt`. */
export function acceptDecision(request: DecisionRequest, decidedAt: string): Decision {
  const comment = request.comment?.trim();
  return {
    action: request.action,
    decidedBy: request.approver,
    decidedAt,
    channel: request.channel,
    ...(comment ? { comment } : {}),
  };
}

/**
 * Builds the safe default for a lapsed deadline: preserve the evidence and escalate, without any
 * containment, because nothing is contained unless a human chose it. An `unconfirmed` first
 * approval is named in the comment and not carried out.
 */
export function deadlineDecision(
  decisionTimeout: string,
  decidedAt: string,
  unconfirmed?: PendingApproval,
): Decision {
  const lapsed =
    unconfirmed === undefined
      ? ''
      : ` '${unconfirmed.action}' by ${unconfirmed.approver} was not confirmed by a second approver.`;
  return {
    action: 'preserve',
    decidedBy: 'system:deadline',
    decidedAt,
    channel: 'deadline',
    comment:
      `No decision within ${decisionTimeout}: evidence preserved and alert escalated, ` +
      `no containment.${lapsed}`,
  };
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Converts a Temporal duration string ('30 minutes', '90s', '2h', '1500') to milliseconds. Follows
 * the `ms` package grammar that the SDK and the config check use, except years. Throws on any
 * other form.
 */
export function durationToMs(duration: string): number {
  const match = /^(\d*\.?\d+) *([a-z]*)$/i.exec(duration.trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  const scale = unit === '' ? 1 : UNIT_MS[normaliseUnit(unit)];
  if (match === null || scale === undefined) {
    throw new Error(
      `invalid duration '${duration}': use a form such as '30 minutes', '90s' or '2h'`,
    );
  }
  return Number(match[1]) * scale;
}

function normaliseUnit(unit: string): string {
  if (/^(ms|msecs?|milliseconds?)$/.test(unit)) return 'ms';
  if (/^(s|secs?|seconds?)$/.test(unit)) return 's';
  if (/^(m|mins?|minutes?)$/.test(unit)) return 'm';
  if (/^(h|hrs?|hours?)$/.test(unit)) return 'h';
  if (/^(d|days?)$/.test(unit)) return 'd';
  if (/^(w|weeks?)$/.test(unit)) return 'w';
  return unit;
}

function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}
