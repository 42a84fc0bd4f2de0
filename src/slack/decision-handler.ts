/**
 * The Bolt listener for decision buttons. It acknowledges the click first (Slack shows an error
 * after 3 seconds without an acknowledgement), then hands the decision to Temporal and sends the
 * person who clicked an ephemeral message saying whether the click counted.
 */
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  isAwaitingConfirmation,
  type DecisionRequest,
} from '../../workflows/messages';
import { errorMessage } from '../errors';
import type { Logger } from '../logging';
import type { ApproverCheck, ApproverChecker } from './approvers';
import { actionFromActionId, parseButtonValue } from './ids';
import { ACTION_LABELS } from './mrkdwn';

/** One decision click, parsed and checked. */
export interface DecisionClick {
  workflowId: string;
  action: DecisionRequest['action'];
  userId: string;
  channelId: string;
  /** `ts` of the approval message the button sits on. */
  messageTs: string;
  /** Text from the comment dialog, for actions that need one. */
  comment?: string;
}

const ClickBodySchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  container: z.object({ channel_id: z.string().min(1), message_ts: z.string().min(1) }),
});

const ButtonActionSchema = z.object({
  type: z.literal('button'),
  action_id: z.string(),
  value: z.string(),
});

/**
 * Parses a `block_actions` body and its button. Returns undefined unless the action id and the
 * button value name the same known action and the value names a product workflow.
 */
export function parseDecisionClick(body: unknown, action: unknown): DecisionClick | undefined {
  const parsedBody = ClickBodySchema.safeParse(body);
  const parsedAction = ButtonActionSchema.safeParse(action);
  if (!parsedBody.success || !parsedAction.success) return undefined;

  const value = parseButtonValue(parsedAction.data.value);
  if (value === undefined || actionFromActionId(parsedAction.data.action_id) !== value.action)
    return undefined;
  return {
    workflowId: value.workflowId,
    action: value.action,
    userId: parsedBody.data.user.id,
    channelId: parsedBody.data.container.channel_id,
    messageTs: parsedBody.data.container.message_ts,
  };
}

/**
 * Update id of a click. A double click, a Slack retry (`X-Slack-Retry-Num`) and a Socket Mode
 * redelivery carry the same workflow, action, message and user, so they map to one Update and
 * Temporal returns the first outcome instead of running the handler again.
 */
export function decisionUpdateId(click: DecisionClick): string {
  return `slack/${click.workflowId}/${click.action}/${click.messageTs}/${click.userId}`;
}

export interface DecisionHandlerOptions {
  temporalClient: Client;
  checkApprover: ApproverChecker;
  logger: Logger;
  /** @default () => new Date() */
  now?: () => Date;
}

type ButtonArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Creates the listener for `app.action(DECISION_ACTION_ID_PATTERN, …)`. */
export function createDecisionHandler(
  options: DecisionHandlerOptions,
): (args: ButtonArgs) => Promise<void> {
  const now = options.now ?? (() => new Date());

  return async ({ ack, body, action, client }) => {
    await ack();

    const click = parseDecisionClick(body, action);
    if (click === undefined) {
      options.logger.warn(
        { actionType: action.type },
        'decision click with an invalid button ignored',
      );
      return;
    }
    await deliverDecision({ ...options, now }, click, client);
  };
}

/**
 * Checks the approver, sends the decision as an Update (or records a rejected attempt by signal),
 * and posts the outcome to the person who clicked as an ephemeral message. Never throws for a
 * Temporal or Slack failure, because the ephemeral message or the log reports it.
 */
export async function deliverDecision(
  options: DecisionHandlerOptions & { now: () => Date },
  click: DecisionClick,
  client: webApi.WebClient,
): Promise<void> {
  const log = options.logger.child({
    workflowId: click.workflowId,
    action: click.action,
    userId: click.userId,
  });
  const handle = options.temporalClient.workflow.getHandle(click.workflowId);
  const check = await options.checkApprover(click.userId);

  const reply = check.isAllowed
    ? await sendDecision(handle, click, check, log)
    : await reportRejectedAttempt(handle, click, check.reason, options.now(), log);
  await replyEphemeral(client, click, reply, log);
}

async function sendDecision(
  handle: WorkflowHandle,
  click: DecisionClick,
  check: Extract<ApproverCheck, { isAllowed: true }>,
  log: Logger,
): Promise<string> {
  const request: DecisionRequest = {
    action: click.action,
    approver: click.userId,
    channel: 'slack',
  };
  if (check.viaGroup !== undefined) request.approverGroup = check.viaGroup;
  if (click.comment !== undefined) request.comment = click.comment;
  try {
    const result = await handle.executeUpdate(decideUpdate, {
      args: [request],
      updateId: decisionUpdateId(click),
    });
    const label = ACTION_LABELS[result.action];
    if (isAwaitingConfirmation(result)) {
      log.info({ pendingAction: result.action }, 'first approval recorded');
      return (
        `Recorded: *${label}*, awaiting a second approver. The host or account is privileged, ` +
        'so a different approver must click the same button before any step runs.'
      );
    }
    const confirmation = result.confirmedBy !== undefined ? ' (confirmed as second approver)' : '';
    log.info(
      { decidedAction: result.action, decidedBy: result.decidedBy, confirmedBy: result.confirmedBy },
      'decision accepted',
    );
    return (
      `Recorded: *${label}*${confirmation}. The approval message updates when the response ` +
      'starts.'
    );
  } catch (error) {
    return describeTemporalFailure(error, 'decision update', log);
  }
}

async function reportRejectedAttempt(
  handle: WorkflowHandle,
  click: DecisionClick,
  reason: string,
  attemptedAt: Date,
  log: Logger,
): Promise<string> {
  try {
    await handle.signal(decisionAttemptRejectedSignal, {
      approver: click.userId,
      action: click.action,
      channel: 'slack',
      attemptedAt: attemptedAt.toISOString(),
      reason,
    });
  } catch (error) {
    return describeTemporalFailure(error, 'rejected-attempt signal', log);
  }
  log.info({ reason }, 'decision attempt rejected');
  return `Not recorded: you are not an approver for this alert (${reason}). Nothing was changed.`;
}

/** Turns a Temporal client error into the sentence the person who clicked reads. */
function describeTemporalFailure(error: unknown, messageKind: string, log: Logger): string {
  if (error instanceof WorkflowUpdateFailedError) {
    const reason = error.cause?.message ?? error.message;
    log.info({ reason }, 'decision rejected by the workflow');
    return `Not recorded: ${reason}.`;
  }
  if (error instanceof WorkflowNotFoundError) {
    log.info('decision click for a workflow that is closed or unknown');
    return 'Not recorded: the response for this alert has already finished.';
  }
  // A person must act: the click was not delivered and only a new click or the CLI can deliver it.
  log.error(
    { error: errorMessage(error), messageKind },
    'decision click could not be delivered to Temporal',
  );
  return 'Not recorded: the responder could not reach Temporal. Try again, or decide with the CLI.';
}

async function replyEphemeral(
  client: webApi.WebClient,
  click: DecisionClick,
  text: string,
  log: Logger,
): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel: click.channelId, user: click.userId, text });
  } catch (error) {
    // The decision itself is already settled in Temporal; only the courtesy reply is lost.
    log.warn({ error: errorMessage(error) }, 'ephemeral reply to a decision click failed');
  }
}
