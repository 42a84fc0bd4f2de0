/**
 * The choices an analyst can make on an alert. Every choice that contains or isolates runs
 * preservation first.
 *
 * - `preserve`: preserve the evidence and escalate; no containment. The deadline's safe default.
 * - `contain`: preserve, then reversible containment (suspend the recovered non-system tool,
 *   temporarily limit the user).
 * - `isolate`: preserve, then host isolation and account containment (confirmed malicious).
 * - `close-benign`: reverse any temporary containment and close the alert as benign.
 * - `exception`: close as benign and add an exception for the exact tuple only.
 */
export const ACTIONS = ['preserve', 'contain', 'isolate', 'close-benign', 'exception'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Actions whose plan isolates a host or contains an account. On a privileged host or account they
 * need a second approver when the two-person rule is on. `test/response/plan.test.ts` checks this
 * list against `planResponse`.
 */
export const TWO_PERSON_ACTIONS: readonly Action[] = ['isolate'];

export interface Decision {
  action: Action;
  /** Approver identity: a Slack user id, or a name from the CLI. `system:deadline` for the default. */
  decidedBy: string;
  /** ISO 8601 time the decision was accepted (workflow time). */
  decidedAt: string;
  comment?: string;
  /** Channel the decision came from. */
  channel: 'slack' | 'cli' | 'deadline';
  /** Second approver who confirmed the action under the two-person rule; unset otherwise. */
  confirmedBy?: string;
  /** ISO 8601 time the confirmation was accepted (workflow time), set with `confirmedBy`. */
  confirmedAt?: string;
  /** Channel of the confirmation, set with `confirmedBy`. */
  confirmationChannel?: 'slack' | 'cli';
  /** The second approver's comment, when they gave one. */
  confirmationComment?: string;
}

export type StepName =
  | 'preserve-evidence'
  | 'escalate'
  | 'suspend-process'
  | 'limit-user'
  | 'isolate-host'
  | 'contain-account'
  | 'reverse-containment'
  | 'close-alert'
  | 'create-exception';

/** One intended call on a response connector. */
export interface StepRequest {
  step: StepName;
  /** Objects the step acts on, e.g. a host, a process entity id, a user SID. */
  target: Record<string, string>;
  parameters: Record<string, unknown>;
  /** Stable per alert and step, so a retried call never acts twice. */
  idempotencyKey: string;
}

export interface StepResult {
  step: StepName;
  outcome: 'done' | 'skipped' | 'failed';
  detail: string;
  idempotencyKey: string;
  startedAt: string;
  finishedAt: string;
  /** Record the connector kept or returned for the call. */
  record?: Record<string, unknown>;
}
