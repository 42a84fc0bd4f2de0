import type { Action } from '../response/types';
import type { VerdictKind } from './types';

/**
 * The choices each verdict allows. `close-benign` on an unresolved verdict is offered only with
 * a comment that records the explicit confirmation, which `checkDecisionAllowed` enforces.
 */
export const ALLOWED_ACTIONS: Readonly<Record<VerdictKind, readonly Action[]>> = {
  escalate: ['preserve', 'contain', 'isolate'],
  unresolved: ['preserve', 'contain', 'isolate', 'close-benign'],
  benign: ['close-benign', 'exception', 'preserve'],
};

/**
 * A confirmation comment names who confirmed (product owner, IR lead) or the test plan, e.g.
 * "confirmed by IR lead J. Doe, test plan TP-12".
 */
const CONFIRMATION_PATTERN = /\b(confirmed|confirmation|test plan|product owner|ir lead)\b/i;
const MIN_CONFIRMATION_LENGTH = 15;

/**
 * Whether a decision for `action` on a `kind` verdict must carry a comment: closing as benign
 * (with or without an exception) when telemetry could not prove the activity legitimate.
 */
export function isCommentRequired(kind: VerdictKind, action: Action): boolean {
  return kind === 'unresolved' && (action === 'close-benign' || action === 'exception');
}

export function allowedActionsFor(kind: VerdictKind): Action[] {
  return [...ALLOWED_ACTIONS[kind]];
}

/**
 * Checks a decision against the verdict. Returns undefined when it is allowed, else the reason
 * to reject it. Closing an unresolved alert as benign needs a comment of at least 15 characters
 * that records the explicit confirmation (it mentions "confirmed", "test plan", "product owner"
 * or "IR lead"), because telemetry could not prove the activity legitimate.
 */
export function checkDecisionAllowed(
  kind: VerdictKind,
  decision: { action: Action; comment?: string },
): string | undefined {
  if (!ALLOWED_ACTIONS[kind].includes(decision.action)) {
    return `${decision.action} is not allowed on a ${kind} verdict; allowed: ${ALLOWED_ACTIONS[kind].join(', ')}`;
  }
  if (kind === 'unresolved' && decision.action === 'close-benign') {
    const comment = decision.comment?.trim() ?? '';
    if (comment.length < MIN_CONFIRMATION_LENGTH || !CONFIRMATION_PATTERN.test(comment)) {
      return 'close-benign on an unresolved verdict needs a comment recording who confirmed the activity (product owner, IR lead) or the test plan';
    }
  }
  return undefined;
}
