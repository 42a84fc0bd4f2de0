/**
 * Identifiers shared by the Block Kit builders, the Bolt handlers and the Slack activities:
 * action ids, block ids, message metadata event types and the button `value` format.
 */
import { z } from 'zod';
import { WORKFLOW_ID_PREFIX } from '../constants';
import { ACTIONS, type Action } from '../response/types';

const DECISION_ACTION_ID_PREFIX = 'decide:';

/** Action id of each decision button. */
export const DECISION_ACTION_IDS = {
  preserve: 'decide:preserve',
  contain: 'decide:contain',
  isolate: 'decide:isolate',
  'close-benign': 'decide:close-benign',
  exception: 'decide:exception',
} as const satisfies Record<Action, `${typeof DECISION_ACTION_ID_PREFIX}${Action}`>;

/** Matches every decision button's action id; Bolt's `app.action` accepts it as a constraint. */
export const DECISION_ACTION_ID_PATTERN = /^decide:/;

const COMMENT_ACTION_ID_PREFIX = 'decide-with-comment:';

/**
 * Action id of a decision button that opens a comment dialog first, for an action that the
 * verdict allows only with a comment (closing an unresolved alert as benign).
 */
export function commentActionId(action: Action): string {
  return `${COMMENT_ACTION_ID_PREFIX}${action}`;
}

/** Matches every button that opens the comment dialog. */
export const COMMENT_ACTION_ID_PATTERN = /^decide-with-comment:/;

/** Ids of the comment dialog: its `callback_id`, and the block and action ids of its text input. */
export const COMMENT_VIEW_IDS = {
  callbackId: 'decision-comment',
  inputBlock: 'decision-comment:input',
  inputAction: 'comment',
} as const;

/** Block ids of the approval message, so `chat.update` can find and replace single blocks. */
export const BLOCK_IDS = {
  header: 'approval:header',
  summary: 'approval:summary',
  verdict: 'approval:verdict',
  questions: 'approval:questions',
  evidence: 'approval:evidence',
  deadline: 'approval:deadline',
  links: 'approval:links',
  actions: 'approval:actions',
  pending: 'approval:pending',
  decision: 'approval:decision',
} as const;

/** Message metadata `event_type` of the approval request; its payload carries `workflow_id`. */
export const APPROVAL_EVENT_TYPE = 'malseclogon_approval';

/** Message metadata `event_type` of thread replies; its payload carries the reply's `key`. */
export const THREAD_REPLY_EVENT_TYPE = 'malseclogon_thread_reply';

/**
 * Returns the action that a decision button's action id stands for, with or without the comment
 * dialog, or undefined.
 */
export function actionFromActionId(actionId: string): Action | undefined {
  const prefix = [DECISION_ACTION_ID_PREFIX, COMMENT_ACTION_ID_PREFIX].find((candidate) =>
    actionId.startsWith(candidate),
  );
  if (prefix === undefined) return undefined;
  const candidate = actionId.slice(prefix.length);
  return ACTIONS.find((action) => action === candidate);
}

/** Slack caps a button value at 2,000 characters; the JSON wrapper takes about 40 of them. */
const MAX_WORKFLOW_ID_LENGTH = 1_900;

/** The decoded button `value`: which workflow the click is for and which action it chooses. */
export const ButtonValueSchema = z
  .object({
    v: z.literal(1),
    workflowId: z.string().startsWith(WORKFLOW_ID_PREFIX).max(MAX_WORKFLOW_ID_LENGTH),
    action: z.enum(ACTIONS),
  })
  .strict();
export type ButtonValue = z.infer<typeof ButtonValueSchema>;

/** Encodes a button `value`. Throws when the workflow id lacks the prefix or is too long. */
export function encodeButtonValue(workflowId: string, action: Action): string {
  return JSON.stringify(ButtonValueSchema.parse({ v: 1, workflowId, action }));
}

/**
 * Decodes a button `value`. Returns undefined for anything but a value that `encodeButtonValue`
 * produced: other JSON, extra keys, unknown actions or a workflow id without the prefix.
 */
export function parseButtonValue(raw: string): ButtonValue | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = ButtonValueSchema.safeParse(json);
  return result.success ? result.data : undefined;
}

/**
 * The comment dialog's `private_metadata`: the click that opened it, so that the submission can
 * decide on the same workflow and reply in the same channel. Slack caps it at 3,000 characters.
 */
export const CommentViewMetadataSchema = z
  .object({
    v: z.literal(1),
    workflowId: z.string().startsWith(WORKFLOW_ID_PREFIX).max(MAX_WORKFLOW_ID_LENGTH),
    action: z.enum(ACTIONS),
    channelId: z.string().min(1),
    messageTs: z.string().min(1),
  })
  .strict();
export type CommentViewMetadata = z.infer<typeof CommentViewMetadataSchema>;

/** Decodes the comment dialog's `private_metadata`, or returns undefined for anything else. */
export function parseCommentViewMetadata(raw: string): CommentViewMetadata | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = CommentViewMetadataSchema.safeParse(json);
  return result.success ? result.data : undefined;
}
