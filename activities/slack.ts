/**
 * Slack activities: post the approval request, record the decision on it, and reply in its
 * thread. Every post carries message metadata and is looked up before posting, so a retried
 * attempt finds its earlier message instead of posting a second one.
 */
import type { webApi } from '@slack/bolt';
import { activityInfo } from '@temporalio/activity';
import { z } from 'zod';
import {
  buildApprovalMessage,
  buildDecidedMessage,
  buildPendingApprovalMessage,
  type ApprovalLinks,
  type SlackMessage,
} from '../src/slack/blocks';
import { APPROVAL_EVENT_TYPE, THREAD_REPLY_EVENT_TYPE } from '../src/slack/ids';
import { buildEvidenceReply } from '../src/slack/thread-replies';
import type { ApprovalMessageRef } from '../workflows/messages';
import { callSlack, parseSlackReply } from './slack-failures';
import type { SlackActivities } from './types';

export interface SlackActivitiesOptions {
  /** Bot-token client, best built with `createSlackWebClient` so it never retries on its own. */
  client: webApi.WebClient;
  /** Channel id that approval requests go to (config `SLACK_CHANNEL_ID`). */
  channel: string;
  links?: ApprovalLinks;
}

/** Pages of 200 messages searched for an earlier post before posting again. */
const MAX_LOOKUP_PAGES = 5;
const PAGE_SIZE = 200;

/** Searches from this long before the activity was first scheduled, to allow for clock skew. */
const LOOKUP_MARGIN_MS = 10 * 60_000;

const MetadataSchema = z.object({
  event_type: z.string(),
  event_payload: z.record(z.string(), z.unknown()).optional(),
});
const MessageSchema = z.object({
  ts: z.string(),
  blocks: z.array(z.looseObject({ type: z.string(), block_id: z.string().optional() })).optional(),
  metadata: MetadataSchema.optional(),
});
const MessagePageSchema = z.object({
  messages: z.array(MessageSchema).default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
const PostReplySchema = z.object({ ts: z.string(), channel: z.string() });

type SlackMessageRecord = z.infer<typeof MessageSchema>;

/**
 * Creates the Slack activities. Each throws a retryable error for rate limits (after Retry-After),
 * HTTP 5xx and network faults, and a non-retryable `SlackApiError` for auth, scope and channel
 * errors. All four are idempotent.
 */
export function createSlackActivities({
  client,
  channel,
  links,
}: SlackActivitiesOptions): SlackActivities {
  return {
    /** Posts the approval request and its evidence reply unless the channel already has them. */
    async postApprovalRequest(input) {
      const existingTs = await findMessage(
        client,
        { channel },
        APPROVAL_EVENT_TYPE,
        'workflow_id',
        input.workflowId,
      );
      const message =
        existingTs !== undefined ? { channel, ts: existingTs } : await postApproval(input);

      await ensureThreadReply(
        client,
        message,
        `${input.workflowId}:evidence`,
        buildEvidenceReply(input),
      );
      return message;
    },

    /** Replaces the buttons with the decision; repeating the same update changes nothing. */
    async recordDecisionInSlack({ message, decision }) {
      const original = await readMessage(client, message);
      const decided = buildDecidedMessage(original?.blocks, decision);
      await callSlack('chat.update', () =>
        client.chat.update({
          channel: message.channel,
          ts: message.ts,
          text: decided.text,
          blocks: decided.blocks,
        }),
      );
    },

    /** Adds the pending-approval line and keeps the buttons; repeating it changes nothing. */
    async recordPendingApprovalInSlack({ message, pending }) {
      const original = await readMessage(client, message);
      const updated = buildPendingApprovalMessage(original?.blocks, pending);
      await callSlack('chat.update', () =>
        client.chat.update({
          channel: message.channel,
          ts: message.ts,
          text: updated.text,
          blocks: updated.blocks,
        }),
      );
    },

    /** Posts `text` in the thread unless a reply with the same `key` is already there. */
    async postThreadReply({ message, text, key }) {
      await ensureThreadReply(client, message, key, { text, blocks: [] });
    },
  };

  async function postApproval(
    input: Parameters<SlackActivities['postApprovalRequest']>[0],
  ): Promise<ApprovalMessageRef> {
    const approval = buildApprovalMessage(input, links);
    const reply = await callSlack('chat.postMessage', () =>
      client.chat.postMessage({
        channel,
        text: approval.text,
        blocks: approval.blocks,
        metadata: {
          event_type: APPROVAL_EVENT_TYPE,
          event_payload: { workflow_id: input.workflowId },
        },
      }),
    );
    const posted = parseSlackReply('chat.postMessage', PostReplySchema, reply);
    return { channel: posted.channel, ts: posted.ts };
  }
}

async function ensureThreadReply(
  client: webApi.WebClient,
  message: ApprovalMessageRef,
  key: string,
  reply: SlackMessage,
): Promise<void> {
  const existingTs = await findMessage(client, message, THREAD_REPLY_EVENT_TYPE, 'key', key);
  if (existingTs !== undefined) return;

  await callSlack('chat.postMessage', () =>
    client.chat.postMessage({
      channel: message.channel,
      thread_ts: message.ts,
      text: reply.text,
      ...(reply.blocks.length > 0 ? { blocks: reply.blocks } : {}),
      metadata: { event_type: THREAD_REPLY_EVENT_TYPE, event_payload: { key } },
    }),
  );
}

/**
 * Returns the ts of the message whose metadata has `eventType` and `payload[field] === value`:
 * in the channel's history when `where.ts` is unset, else among the replies to `where.ts`.
 */
async function findMessage(
  client: webApi.WebClient,
  where: { channel: string; ts?: string },
  eventType: string,
  field: string,
  value: string,
): Promise<string | undefined> {
  const method = where.ts === undefined ? 'conversations.history' : 'conversations.replies';
  const oldest = lookupStartSeconds();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page += 1) {
    const common = {
      channel: where.channel,
      oldest,
      limit: PAGE_SIZE,
      include_all_metadata: true,
      cursor,
    };
    const reply = await callSlack(method, () =>
      where.ts === undefined
        ? client.conversations.history(common)
        : client.conversations.replies({ ...common, ts: where.ts }),
    );
    const { messages, has_more, response_metadata } = parseSlackReply(
      method,
      MessagePageSchema,
      reply,
    );
    const match = messages.find(
      (candidate) =>
        candidate.metadata?.event_type === eventType &&
        candidate.metadata.event_payload?.[field] === value,
    );
    if (match !== undefined) return match.ts;

    cursor = response_metadata?.next_cursor;
    if (has_more !== true || cursor === undefined || cursor === '') return undefined;
  }
  // NOTE: a channel with more than 1,000 messages since the first attempt is searched only in part.
  return undefined;
}

/** Reads one message by its ts, with its blocks, or undefined when Slack no longer has it. */
async function readMessage(
  client: webApi.WebClient,
  message: ApprovalMessageRef,
): Promise<SlackMessageRecord | undefined> {
  const reply = await callSlack('conversations.history', () =>
    client.conversations.history({
      channel: message.channel,
      latest: message.ts,
      oldest: message.ts,
      inclusive: true,
      limit: 1,
    }),
  );
  return parseSlackReply('conversations.history', MessagePageSchema, reply).messages.find(
    (m) => m.ts === message.ts,
  );
}

/** Returns, as a Slack `ts`, when the first attempt was scheduled, less `LOOKUP_MARGIN_MS`. */
function lookupStartSeconds(): string {
  const startMs = Math.max(activityInfo().scheduledTimestampMs - LOOKUP_MARGIN_MS, 0);
  return (startMs / 1000).toFixed(6);
}
