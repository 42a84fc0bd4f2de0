/**
 * The decision window's stages and the two-person rule, resolved from the run's settings, and the
 * texts of the reminder and the escalation. Pure, so the workflow bundle stays deterministic.
 */
import { TWO_PERSON_ACTIONS, type Action } from '../src/response/types';
import { durationToMs } from './decision';
import type { DeadlineNotice, PendingApproval, ResponseSettings, ResponseState } from './messages';

/** Defaults for settings recorded before these fields existed; they match the config defaults. */
export const DEFAULT_DECISION_REMINDER = '10 minutes';
export const DEFAULT_DECISION_ESCALATION = '20 minutes';

/**
 * Patch id of the reminder, the escalation and the two-person rule. Runs that started before them
 * have no marker, so on replay `patched` returns false and they keep the single deadline timer and
 * the one-approver decision that their histories record.
 */
export const DECISION_STAGES_PATCH = 'decision-stages-and-two-person-rule';

/** One notice before the deadline, at `afterMs` from the start of the decision window. */
export interface NoticeStage {
  kind: DeadlineNotice['kind'];
  afterMs: number;
}

export interface DecisionPolicy {
  decisionTimeout: string;
  timeoutMs: number;
  /** Reminder then escalation, each strictly before the timeout. */
  stages: NoticeStage[];
  oncallGroup?: string;
  isTwoPersonRuleEnabled: boolean;
}

/**
 * Resolves the settings into the window's stages. With `hasStages` false (a run that started before
 * the stages existed), only the deadline applies and one approver decides. A default that does not
 * fall before the timeout is left out, because such a run came from settings without these fields
 * (config load rejects such an order when the keys are set).
 */
export function resolveDecisionPolicy(
  settings: ResponseSettings,
  hasStages: boolean,
): DecisionPolicy {
  const timeoutMs = durationToMs(settings.decisionTimeout);
  const base = { decisionTimeout: settings.decisionTimeout, timeoutMs };
  if (!hasStages) return { ...base, stages: [], isTwoPersonRuleEnabled: false };

  const candidates: NoticeStage[] = [
    {
      kind: 'reminder',
      afterMs: durationToMs(settings.decisionReminder ?? DEFAULT_DECISION_REMINDER),
    },
    {
      kind: 'escalation',
      afterMs: durationToMs(settings.decisionEscalation ?? DEFAULT_DECISION_ESCALATION),
    },
  ];
  const stages = candidates.filter((stage) => stage.afterMs > 0 && stage.afterMs < timeoutMs);
  return {
    ...base,
    stages,
    isTwoPersonRuleEnabled: settings.isTwoPersonRuleEnabled ?? true,
    ...(settings.oncallGroup !== undefined ? { oncallGroup: settings.oncallGroup } : {}),
  };
}

/**
 * Returns whether `action` needs a second approver in `state`: the rule is on, the verdict found
 * a privileged host or account, and the action isolates a host or contains an account.
 */
export function needsSecondApprover(
  policy: DecisionPolicy,
  state: ResponseState,
  action: Action,
): boolean {
  return (
    policy.isTwoPersonRuleEnabled &&
    state.verdict?.isPrivilegedScope === true &&
    TWO_PERSON_ACTIONS.includes(action)
  );
}

/**
 * Builds the reminder or escalation for `state` at workflow time `issuedAt`. Both name the
 * deadline and the safe default, mention the on-call group when one is set, and name the first
 * approval that waits for confirmation, if any.
 */
export function buildNotice(
  kind: DeadlineNotice['kind'],
  state: ResponseState,
  policy: DecisionPolicy,
  issuedAt: string,
): DeadlineNotice {
  const mention = policy.oncallGroup !== undefined ? `<!subteam^${policy.oncallGroup}> ` : '';
  const deadline = state.decisionDeadline ?? 'the deadline';
  const waitingFor = describeWaiting(state.pendingApproval);
  const text =
    kind === 'reminder'
      ? `${mention}Reminder: ${waitingFor} The safe default (preserve evidence and escalate, ` +
        `no containment) applies at ${deadline}.`
      : `${mention}Escalation: ${waitingFor} At ${deadline} the safe default applies: ` +
        'evidence is preserved and the alert escalated, with no containment.';
  return { kind, issuedAt, text, key: `${state.alertId}:${kind}` };
}

function describeWaiting(pending: PendingApproval | undefined): string {
  if (pending === undefined) return 'this alert still has no decision.';
  return (
    `'${pending.action}' chosen by ${pending.approver} at ${pending.approvedAt} still needs a ` +
    'second, different approver to confirm it.'
  );
}
