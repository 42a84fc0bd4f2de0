/**
 * Helpers that play Slack's side of interactivity: build a `block_actions` payload for a
 * decision button and deliver it over HTTP, signed the way Slack signs requests.
 */
import { createHmac } from 'node:crypto';
import type { Action } from '../../src/response/types';
import {
  BLOCK_IDS,
  COMMENT_VIEW_IDS,
  DECISION_ACTION_IDS,
  encodeButtonValue,
} from '../../src/slack/ids';

export interface ClickOptions {
  workflowId: string;
  action: Action;
  userId: string;
  channelId?: string;
  messageTs?: string;
  /** Overrides the button value, e.g. to send a tampered one. */
  value?: string;
  /** Overrides the action id, e.g. for a button that opens the comment dialog. */
  actionId?: string;
  /** @default '1000.2000.abc' */
  triggerId?: string;
}

/** Builds the `block_actions` payload Slack sends when a decision button is clicked. */
export function clickPayload(options: ClickOptions): Record<string, unknown> {
  const channelId = options.channelId ?? 'C0SOC0001';
  const messageTs = options.messageTs ?? '1714557600.000100';
  const actionMicros = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  const actionTs = `${Math.floor(Date.now() / 1000)}.${actionMicros}`;
  return {
    type: 'block_actions',
    team: { id: 'T00000001', domain: 'fake' },
    user: { id: options.userId, username: options.userId.toLowerCase(), team_id: 'T00000001' },
    api_app_id: 'A00000001',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: channelId,
      is_ephemeral: false,
    },
    trigger_id: options.triggerId ?? '1000.2000.abc',
    channel: { id: channelId, name: 'soc' },
    message: { type: 'message', ts: messageTs, text: 'approval request', bot_id: 'BBOT00001' },
    response_url: 'http://127.0.0.1:9/unused-response-url',
    actions: [
      {
        type: 'button',
        action_id: options.actionId ?? DECISION_ACTION_IDS[options.action],
        block_id: BLOCK_IDS.actions,
        value: options.value ?? encodeButtonValue(options.workflowId, options.action),
        text: { type: 'plain_text', text: options.action },
        action_ts: actionTs,
      },
    ],
  };
}

/**
 * Builds the `view_submission` payload Slack sends when the comment dialog opened as `view` is
 * submitted with `comment` in its text input.
 */
export function viewSubmissionPayload(
  view: Record<string, unknown>,
  userId: string,
  comment: string,
): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T00000001', domain: 'fake' },
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T00000001' },
    api_app_id: 'A00000001',
    token: 'legacy-verification-token',
    trigger_id: '1000.3000.def',
    view: {
      ...view,
      id: 'V00000001',
      team_id: 'T00000001',
      app_id: 'A00000001',
      bot_id: 'BBOT00001',
      hash: '1714557600.hash',
      state: {
        values: {
          [COMMENT_VIEW_IDS.inputBlock]: {
            [COMMENT_VIEW_IDS.inputAction]: { type: 'plain_text_input', value: comment },
          },
        },
      },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

export interface DeliveryOptions {
  signingSecret: string;
  /** Request timestamp in epoch seconds. @default now */
  timestampSeconds?: number;
  /** Leaves out both signature headers. */
  isUnsigned?: boolean;
  /** Replaces the computed signature. */
  signature?: string;
  /** Sets `X-Slack-Retry-Num`, as Slack does on redelivery. */
  retryNum?: number;
}

/** Signs a raw body as Slack does: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signSlackRequest(
  signingSecret: string,
  timestampSeconds: number,
  rawBody: string,
): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`);
  return `v0=${hmac.digest('hex')}`;
}

/** POSTs `payload` to the app as a form body and returns the HTTP status. */
export async function deliverInteraction(
  url: string,
  payload: Record<string, unknown>,
  options: DeliveryOptions,
): Promise<number> {
  return (await deliverInteractionWithReply(url, payload, options)).status;
}

/** POSTs `payload` to the app as a form body and returns the HTTP status and response body. */
export async function deliverInteractionWithReply(
  url: string,
  payload: Record<string, unknown>,
  options: DeliveryOptions,
): Promise<{ status: number; body: string }> {
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestampSeconds = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (options.isUnsigned !== true) {
    headers['x-slack-request-timestamp'] = String(timestampSeconds);
    headers['x-slack-signature'] =
      options.signature ?? signSlackRequest(options.signingSecret, timestampSeconds, rawBody);
  }
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const response = await fetch(url, { method: 'POST', headers, body: rawBody });
  return { status: response.status, body: await response.text() };
}

/** Polls `read` until `isDone` holds; throws with the last value after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadlineMs)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
