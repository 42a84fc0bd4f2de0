import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackActivities } from '../../activities/slack';
import { BLOCK_IDS } from '../../src/slack/ids';
import { createSlackWebClient } from '../../src/slack/web-client';
import { startFakeSlackWebApi, type FakeSlackWebApi } from '../fakes/slack-web-api';
import { approvalInput } from './approval-input';

const TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0SOC0001';
const silentLogger = pino({ level: 'silent' });

describe('Slack activities', () => {
  let slack: FakeSlackWebApi;
  let activityEnv: MockActivityEnvironment;

  beforeEach(async () => {
    slack = await startFakeSlackWebApi({ tokens: [TOKEN] });
    // Failures are expected in several tests; the SDK's activity logger would print each one.
    activityEnv = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  });
  afterEach(async () => {
    await slack.close();
  });

  function activities(token = TOKEN) {
    const client = createSlackWebClient(token, { slackApiUrl: slack.apiUrl, logger: silentLogger });
    return createSlackActivities({ client, channel: CHANNEL });
  }

  /** Runs an activity in the mock environment, keeping its return type. */
  function run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
    return activityEnv.run<A, R, typeof fn>(fn, ...args);
  }

  function approvalMessages() {
    return slack.state.messages.filter(
      (message) => message.metadata?.event_type === 'malseclogon_approval',
    );
  }

  it('posts the approval request once when called twice', async () => {
    const { postApprovalRequest } = activities();

    const first = await run(postApprovalRequest, approvalInput());
    const second = await run(postApprovalRequest, approvalInput());

    expect(second).toEqual(first);
    expect(approvalMessages()).toHaveLength(1);
    // One post for the approval message and one for the evidence reply.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('posts the full evidence once as a thread reply', async () => {
    const { postApprovalRequest } = activities();

    const ref = await run(postApprovalRequest, approvalInput());
    await run(postApprovalRequest, approvalInput());

    const replies = slack.state.messages.filter((message) => message.thread_ts === ref.ts);
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]?.blocks)).toContain('lsass.dmp written');
  });

  it('posts separate messages for separate workflows', async () => {
    const { postApprovalRequest } = activities();

    await run(postApprovalRequest, approvalInput());
    await run(postApprovalRequest, approvalInput({ workflowId: 'malseclogon-other' }));

    expect(approvalMessages()).toHaveLength(2);
  });

  it('throws a retryable failure on 429, then posts one message', async () => {
    const { postApprovalRequest } = activities();
    slack.failNext({ status: 429, method: 'chat.postMessage', retryAfterSeconds: 7 });

    const failure = await activityEnv
      .run(postApprovalRequest, approvalInput())
      .catch((error: unknown) => error);
    await run(postApprovalRequest, approvalInput());

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
    expect((failure as ApplicationFailure).type).toBe('SlackRateLimitedError');
    expect((failure as ApplicationFailure).nextRetryDelay).toBe('7s');
    expect(approvalMessages()).toHaveLength(1);
  });

  it('throws a retryable error on HTTP 503', async () => {
    const { postApprovalRequest } = activities();
    slack.failNext({ status: 503, method: 'conversations.history' });

    const failure = await activityEnv
      .run(postApprovalRequest, approvalInput())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect((failure as Error).message).toContain('HTTP 503');
    expect(approvalMessages()).toHaveLength(0);
  });

  it('throws a non-retryable SlackApiError on invalid_auth', async () => {
    const { postApprovalRequest } = activities('xoxb-revoked');

    const failure = await activityEnv
      .run(postApprovalRequest, approvalInput())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).type).toBe('SlackApiError');
    expect((failure as ApplicationFailure).message).toContain("'invalid_auth'");
    expect((failure as ApplicationFailure).message).toContain('SLACK_BOT_TOKEN');
  });

  it('throws a non-retryable SlackApiError on channel_not_found', async () => {
    const client = createSlackWebClient(TOKEN, { slackApiUrl: slack.apiUrl, logger: silentLogger });
    const { postApprovalRequest } = createSlackActivities({ client, channel: 'not-a-channel' });

    const failure = await activityEnv
      .run(postApprovalRequest, approvalInput())
      .catch((error: unknown) => error);

    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toContain('SLACK_CHANNEL_ID');
  });

  it('replaces the buttons with the decision via chat.update', async () => {
    const { postApprovalRequest, recordDecisionInSlack } = activities();
    const message = await run(postApprovalRequest, approvalInput());
    const decision = {
      action: 'preserve' as const,
      decidedBy: 'U012ABCDEF',
      decidedAt: '2024-05-01T10:05:00Z',
      channel: 'slack' as const,
    };

    await run(recordDecisionInSlack, { message, decision });

    const updated = slack.state.messages.find((stored) => stored.ts === message.ts);
    const blockIds = (updated?.blocks as { block_id?: string }[]).map((block) => block.block_id);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(blockIds).not.toContain(BLOCK_IDS.actions);
    expect(blockIds).toContain(BLOCK_IDS.decision);
    expect(blockIds).toContain(BLOCK_IDS.header);
    expect(JSON.stringify(updated?.blocks)).toContain('<@U012ABCDEF>');
  });

  it('marks a pending approval and keeps the buttons', async () => {
    const { postApprovalRequest, recordPendingApprovalInSlack } = activities();
    const message = await run(postApprovalRequest, approvalInput());
    const pending = {
      action: 'isolate' as const,
      approver: 'U012ABCDEF',
      approvedAt: '2024-05-01T10:05:00Z',
      channel: 'slack' as const,
    };

    await run(recordPendingApprovalInSlack, { message, pending });
    await run(recordPendingApprovalInSlack, { message, pending });

    const updated = slack.state.messages.find((stored) => stored.ts === message.ts);
    const blockIds = (updated?.blocks as { block_id?: string }[]).map((block) => block.block_id);
    expect(slack.callsTo('chat.update')).toHaveLength(2);
    expect(blockIds.filter((id) => id === BLOCK_IDS.pending)).toHaveLength(1);
    expect(blockIds.indexOf(BLOCK_IDS.pending)).toBe(blockIds.indexOf(BLOCK_IDS.actions) - 1);
    expect(updated?.text).toContain('Awaiting second approver');
    expect(JSON.stringify(updated?.blocks)).toContain('<@U012ABCDEF>');
  });

  it('posts a thread reply once per key', async () => {
    const { postApprovalRequest, postThreadReply } = activities();
    const message = await run(postApprovalRequest, approvalInput());

    await run(postThreadReply, {
      message,
      text: 'preserve-evidence done',
      key: 'a:preserve',
    });
    await run(postThreadReply, {
      message,
      text: 'preserve-evidence done',
      key: 'a:preserve',
    });
    await run(postThreadReply, { message, text: 'escalate done', key: 'a:escalate' });

    const replies = slack.state.messages
      .filter((stored) => stored.thread_ts === message.ts)
      .map((stored) => stored.text);
    expect(replies.filter((text) => text === 'preserve-evidence done')).toHaveLength(1);
    expect(replies).toContain('escalate done');
  });

  it('sends the bot token only in the Authorization header', async () => {
    const { postApprovalRequest } = activities();

    await run(postApprovalRequest, approvalInput());

    expect(slack.calls.every((call) => call.token === TOKEN)).toBe(true);
    expect(slack.calls.every((call) => !('token' in call.body))).toBe(true);
  });
});
