/**
 * The comment dialog for decisions that need one: closing an unresolved alert as benign must
 * record who confirmed the activity as legitimate. The button opens a modal (`views.open`) with
 * a required text input, and its submission (`view_submission`) becomes the decision.
 */
import type {
  AllMiddlewareArgs,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  types,
} from '@slack/bolt';
import { z } from 'zod';
import { errorMessage } from '../errors';
import type { Action } from '../response/types';
import {
  deliverDecision,
  parseDecisionClick,
  type DecisionClick,
  type DecisionHandlerOptions,
} from './decision-handler';
import { COMMENT_VIEW_IDS, parseCommentViewMetadata, type CommentViewMetadata } from './ids';
import { ACTION_LABELS, truncate } from './mrkdwn';

/** Slack's limits for a modal: title, submit and close texts, and a plain-text input's value. */
const MODAL_LIMITS = { titleChars: 24, buttonChars: 24, inputChars: 3_000 } as const;

const TriggerSchema = z.object({ trigger_id: z.string().min(1) });

const SubmissionSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
    }),
  }),
});

/** A modal view as `views.open` takes it. */
export type CommentModal = types.ModalView;

/**
 * Builds the modal for `click`: what the comment must record, and one required multi-line input.
 * The click travels in `private_metadata`. Pure.
 */
export function buildCommentModal(click: DecisionClick): CommentModal {
  const metadata: CommentViewMetadata = {
    v: 1,
    workflowId: click.workflowId,
    action: click.action,
    channelId: click.channelId,
    messageTs: click.messageTs,
  };
  const label = ACTION_LABELS[click.action];
  return {
    type: 'modal',
    callback_id: COMMENT_VIEW_IDS.callbackId,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: truncate(label, MODAL_LIMITS.titleChars) },
    submit: { type: 'plain_text', text: truncate(label, MODAL_LIMITS.buttonChars) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            'The verdict is *unresolved*: telemetry could not prove this activity legitimate. ' +
            'Record who confirmed it (product owner or IR lead) or which test plan covers it.',
        },
      },
      {
        type: 'input',
        block_id: COMMENT_VIEW_IDS.inputBlock,
        label: { type: 'plain_text', text: 'Who confirmed it, and how' },
        element: {
          type: 'plain_text_input',
          action_id: COMMENT_VIEW_IDS.inputAction,
          multiline: true,
          max_length: MODAL_LIMITS.inputChars,
          placeholder: {
            type: 'plain_text',
            text: 'e.g. Confirmed by IR lead J. Doe: authorised test, plan TP-12',
          },
        },
      },
    ],
  };
}

type ButtonArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/**
 * Creates the listener for `app.action(COMMENT_ACTION_ID_PATTERN, …)`. It opens the dialog at
 * once, because a `trigger_id` expires 3 seconds after the click. The approver is checked when the
 * dialog is submitted.
 */
export function createCommentButtonHandler(
  options: Pick<DecisionHandlerOptions, 'logger'>,
): (args: ButtonArgs) => Promise<void> {
  return async ({ ack, body, action, client }) => {
    await ack();

    const click = parseDecisionClick(body, action);
    const trigger = TriggerSchema.safeParse(body);
    if (click === undefined || !trigger.success) {
      options.logger.warn({ actionType: action.type }, 'comment button with an invalid click ignored');
      return;
    }
    const log = options.logger.child({ workflowId: click.workflowId, action: click.action });
    try {
      await client.views.open({ trigger_id: trigger.data.trigger_id, view: buildCommentModal(click) });
    } catch (error) {
      // Nothing was decided. No dialog appears, so the person can click again or use the CLI.
      log.warn({ error: errorMessage(error) }, 'comment dialog could not be opened');
    }
  };
}

/**
 * Creates the listener for `app.view(COMMENT_VIEW_IDS.callbackId, …)`. A blank comment keeps the
 * dialog open with an error under the input. Otherwise the dialog closes and the decision goes to
 * Temporal with the comment, like a button click.
 */
export function createCommentSubmissionHandler(
  options: DecisionHandlerOptions,
): (args: ViewArgs) => Promise<void> {
  const now = options.now ?? (() => new Date());

  return async ({ ack, body, client }) => {
    const submission = parseSubmission(body);
    if (submission === undefined) {
      await ack();
      options.logger.warn('comment dialog submission with invalid metadata ignored');
      return;
    }
    if (submission.comment === '') {
      await ack({
        response_action: 'errors',
        errors: { [COMMENT_VIEW_IDS.inputBlock]: 'Enter who confirmed the activity, or the test plan.' },
      });
      return;
    }
    await ack();
    await deliverDecision({ ...options, now }, submission, client);
  };
}

/** Parses a `view_submission` body into the decision it carries, with the trimmed comment. */
export function parseSubmission(body: unknown): (DecisionClick & { comment: string }) | undefined {
  const parsed = SubmissionSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const metadata = parseCommentViewMetadata(parsed.data.view.private_metadata);
  if (metadata === undefined) return undefined;

  const input = parsed.data.view.state.values[COMMENT_VIEW_IDS.inputBlock];
  const comment = input?.[COMMENT_VIEW_IDS.inputAction]?.value ?? '';
  const action: Action = metadata.action;
  return {
    workflowId: metadata.workflowId,
    action,
    userId: parsed.data.user.id,
    channelId: metadata.channelId,
    messageTs: metadata.messageTs,
    comment: comment.trim(),
  };
}
