import path from 'node:path';
import { Writable } from 'node:stream';
import type { App } from '@slack/bolt';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config';
import { WORKFLOW_TYPE } from '../../src/constants';
import { createLogger } from '../../src/logging';
import {
  createSlackApp,
  SLACK_EVENTS_PATH,
  startSlackApp,
  stopSlackApp,
} from '../../src/slack/app';
import { COMMENT_VIEW_IDS, commentActionId } from '../../src/slack/ids';
import { WORKFLOWS_PATH, createResponseWorker } from '../../src/temporal/worker';
import type { malSecLogonResponse } from '../../workflows/malseclogon';
import { createFakeActivities, sampleAlert, startedNames, verdictResult } from '../fakes/response';
import { startFakeSlackWebApi, type FakeSlackWebApi } from '../fakes/slack-web-api';
import {
  finishSignal,
  recorderStateQuery,
  type RecorderState,
} from '../fixtures/workflows/decision-recorder';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { startDevServerEnv } from '../support/temporal';
import {
  clickPayload,
  deliverInteraction,
  deliverInteractionWithReply,
  viewSubmissionPayload,
  waitFor,
  type ClickOptions,
} from './interactions';

quietTemporalRuntime();

const TOKEN = 'xoxb-test-token';
const SIGNING_SECRET = 'test-signing-secret-0123456789';
const APPROVER = 'UAPPROVER1';
const GROUP_MEMBER = 'UGROUPMEM1';
const OUTSIDER = 'UOUTSIDER1';
const GROUP = 'S0APPROVERS';
const TASK_QUEUE = 'slack-app-test';
const STALE_SECONDS = 6 * 60;

describe('Slack app', () => {
  let env: TestWorkflowEnvironment;
  let slack: FakeSlackWebApi;
  let worker: Worker;
  let workerRun: Promise<void>;
  let app: App;
  let config: Config;
  let eventsUrl: string;
  const logLines: { level: number; msg: string }[] = [];
  let workflowCount = 0;

  beforeAll(async () => {
    env = await startDevServerEnv();
    slack = await startFakeSlackWebApi({
      tokens: [TOKEN],
      userGroups: { [GROUP]: [GROUP_MEMBER] },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflows', 'decision-recorder.ts'),
    });
    workerRun = worker.run();

    config = loadConfig({
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CHANNEL_ID: 'C0SOC0001',
      SLACK_API_URL: slack.apiUrl,
      SOAR_APPROVERS: `${APPROVER},${GROUP},cli-analyst`,
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    app = createSlackApp({
      config,
      temporalClient: env.client,
      logger: pino({ level: 'info' }, sink),
    });
    const address = await startSlackApp(app, config, 0);
    eventsUrl = `http://127.0.0.1:${address.port}${SLACK_EVENTS_PATH}`;
  });

  afterAll(async () => {
    if (app !== undefined) await stopSlackApp(app);
    worker?.shutdown();
    await workerRun;
    await env?.teardown();
    await slack?.close();
  });

  beforeEach(() => {
    slack.state.ephemerals.length = 0;
    logLines.length = 0;
  });

  afterEach(() => {
    const errors = logLines.filter((line) => line.level >= 50).map((line) => line.msg);
    expect(errors).toEqual([]);
  });

  async function startWorkflow(): Promise<string> {
    workflowCount += 1;
    const workflowId = `malseclogon-slack-app-${workflowCount}-${Date.now()}`;
    await env.client.workflow.start('decisionRecorderWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [[APPROVER, GROUP]],
    });
    return workflowId;
  }

  function readState(workflowId: string): Promise<RecorderState> {
    return env.client.workflow.getHandle(workflowId).query(recorderStateQuery);
  }

  function click(options: ClickOptions, delivery: { retryNum?: number } = {}): Promise<number> {
    return deliverInteraction(eventsUrl, clickPayload(options), {
      signingSecret: SIGNING_SECRET,
      ...delivery,
    });
  }

  function ephemeralsFor(userId: string): () => Promise<string[]> {
    return async () =>
      slack.state.ephemerals
        .filter((reply) => reply.user === userId)
        .map((reply) => reply.text ?? '');
  }

  it('delivers an approver click as a decision', async () => {
    const workflowId = await startWorkflow();

    const status = await click({ workflowId, action: 'contain', userId: APPROVER });

    expect(status).toBe(200);
    const state = await waitFor(
      () => readState(workflowId),
      (value) => value.decisions.length > 0,
    );
    expect(state.decisions).toEqual([
      expect.objectContaining({ action: 'contain', decidedBy: APPROVER, channel: 'slack' }),
    ]);
    const replies = await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length > 0);
    expect(replies[0]).toContain('Recorded: *Preserve and contain*');
    await env.client.workflow.getHandle(workflowId).signal(finishSignal);
  });

  it('accepts an approver group member', async () => {
    const workflowId = await startWorkflow();

    await click({ workflowId, action: 'preserve', userId: GROUP_MEMBER });

    const state = await waitFor(
      () => readState(workflowId),
      (value) => value.decisions.length > 0,
    );
    expect(state.decisions[0]?.decidedBy).toBe(GROUP_MEMBER);
    expect(slack.callsTo('usergroups.users.list').at(-1)?.body.usergroup).toBe(GROUP);
    // Waiting for the reply also keeps this test's Slack call out of the next test's count.
    const replies = await waitFor(ephemeralsFor(GROUP_MEMBER), (texts) => texts.length > 0);
    expect(replies[0]).toContain('Recorded:');
  });

  it.each([
    ['a forged signature', { signature: `v0=${'0'.repeat(64)}` }],
    // Signed with the right secret, so only its age can reject it.
    ['a stale timestamp', { timestampSeconds: Math.floor(Date.now() / 1000) - STALE_SECONDS }],
    ['an unsigned request', { isUnsigned: true }],
  ])('rejects %s with 401', async (_case, delivery) => {
    const workflowId = await startWorkflow();
    const callsBefore = slack.calls.length;

    const status = await deliverInteraction(
      eventsUrl,
      clickPayload({ workflowId, action: 'isolate', userId: APPROVER }),
      { signingSecret: SIGNING_SECRET, ...delivery },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(status).toBe(401);
    const state = await readState(workflowId);
    expect(state.decisions).toEqual([]);
    expect(state.rejectedAttempts).toEqual([]);
    expect(slack.calls.length).toBe(callsBefore);
  });

  it('rejects an unauthorised approver', async () => {
    const workflowId = await startWorkflow();

    const status = await click({ workflowId, action: 'isolate', userId: OUTSIDER });

    expect(status).toBe(200);
    const state = await waitFor(
      () => readState(workflowId),
      (value) => value.rejectedAttempts.length > 0,
    );
    expect(state.decisions).toEqual([]);
    expect(state.rejectedAttempts).toEqual([
      expect.objectContaining({
        approver: OUTSIDER,
        action: 'isolate',
        channel: 'slack',
        reason: expect.stringContaining('SOAR_APPROVERS'),
      }),
    ]);
    expect(Number.isNaN(Date.parse(state.rejectedAttempts[0]?.attemptedAt ?? ''))).toBe(false);
    const replies = await waitFor(ephemeralsFor(OUTSIDER), (texts) => texts.length > 0);
    expect(replies[0]).toContain('not an approver');
  });

  it('deduplicates double clicks and retries', async () => {
    const workflowId = await startWorkflow();
    const options = { workflowId, action: 'preserve' as const, userId: APPROVER };

    const statuses = await Promise.all([
      click(options),
      click(options),
      click(options, { retryNum: 1 }),
    ]);

    expect(statuses).toEqual([200, 200, 200]);
    const replies = await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length === 3);
    expect(replies.every((text) => text.startsWith('Recorded:'))).toBe(true);
    const state = await readState(workflowId);
    expect(state.decisions).toHaveLength(1);
    expect(state.handlerRuns).toBe(1);
  });

  it('reports a validator rejection', async () => {
    const workflowId = await startWorkflow();
    await click({ workflowId, action: 'preserve', userId: APPROVER });
    await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length === 1);

    await click({ workflowId, action: 'isolate', userId: APPROVER });

    const replies = await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length === 2);
    expect(replies[1]).toContain('Not recorded: a decision was already accepted');
    const state = await readState(workflowId);
    expect(state.decisions.map((decision) => decision.action)).toEqual(['preserve']);
  });

  it('ignores a tampered button value', async () => {
    const workflowId = await startWorkflow();
    const tampered = JSON.stringify({ v: 1, workflowId, action: 'isolate' });

    const status = await click({
      workflowId,
      action: 'preserve',
      userId: APPROVER,
      value: tampered,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(status).toBe(200);
    const state = await readState(workflowId);
    expect(state.decisions).toEqual([]);
    expect(
      logLines.some((line) => line.msg === 'decision click with an invalid button ignored'),
    ).toBe(true);
  });

  it('opens the comment dialog for close-benign', async () => {
    const workflowId = await startWorkflow();
    const triggerId = `1000.${Date.now()}.comment`;

    const status = await click({
      workflowId,
      action: 'close-benign',
      userId: APPROVER,
      actionId: commentActionId('close-benign'),
      triggerId,
    });

    expect(status).toBe(200);
    const views = await waitFor(
      async () => slack.state.views.filter((view) => view.triggerId === triggerId),
      (found) => found.length > 0,
    );
    const opened = views[0]!;
    expect(opened.view.type).toBe('modal');
    expect(opened.view.callback_id).toBe(COMMENT_VIEW_IDS.callbackId);
    expect(JSON.parse(String(opened.view.private_metadata))).toMatchObject({
      workflowId,
      action: 'close-benign',
    });
    const state = await readState(workflowId);
    expect(state.decisions).toEqual([]);
  });

  it('decides with the comment from the dialog', async () => {
    const workflowId = await startWorkflow();
    const triggerId = `1000.${Date.now()}.submit`;
    await click({
      workflowId,
      action: 'close-benign',
      userId: APPROVER,
      actionId: commentActionId('close-benign'),
      triggerId,
    });
    const [opened] = await waitFor(
      async () => slack.state.views.filter((view) => view.triggerId === triggerId),
      (found) => found.length > 0,
    );
    const comment = 'Confirmed by IR lead J. Doe: authorised test, plan TP-12';

    const reply = await deliverInteractionWithReply(
      eventsUrl,
      viewSubmissionPayload(opened!.view, APPROVER, `  ${comment}  `),
      { signingSecret: SIGNING_SECRET },
    );

    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    const state = await waitFor(
      () => readState(workflowId),
      (value) => value.decisions.length > 0,
    );
    expect(state.decisions).toEqual([
      expect.objectContaining({
        action: 'close-benign',
        decidedBy: APPROVER,
        channel: 'slack',
        comment,
      }),
    ]);
    const replies = await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length > 0);
    expect(replies[0]).toContain('Recorded: *Close as benign*');
  });

  it('keeps the dialog open on a blank comment', async () => {
    const workflowId = await startWorkflow();
    const triggerId = `1000.${Date.now()}.blank`;
    await click({
      workflowId,
      action: 'close-benign',
      userId: APPROVER,
      actionId: commentActionId('close-benign'),
      triggerId,
    });
    const [opened] = await waitFor(
      async () => slack.state.views.filter((view) => view.triggerId === triggerId),
      (found) => found.length > 0,
    );

    const reply = await deliverInteractionWithReply(
      eventsUrl,
      viewSubmissionPayload(opened!.view, APPROVER, '   '),
      { signingSecret: SIGNING_SECRET },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as { response_action?: string; errors?: object };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors ?? {})).toEqual([COMMENT_VIEW_IDS.inputBlock]);
    expect((await readState(workflowId)).decisions).toEqual([]);
  });

  it('needs two approvers to isolate a privileged host', async () => {
    const fakes = createFakeActivities({
      verdict: verdictResult('escalate', ['preserve', 'contain', 'isolate'], true),
    });
    const taskQueue = 'slack-app-two-person-test';
    const responseWorker = await createResponseWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      activities: fakes.activities,
      logger: createLogger('warn'),
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: new DefaultLogger('WARN'),
      }),
    });
    const workflowId = `malseclogon-slack-two-person-${Date.now()}`;

    const result = await responseWorker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof malSecLogonResponse>(WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [
          {
            alert: sampleAlert(),
            settings: {
              decisionTimeout: '30 minutes',
              approvers: [APPROVER, GROUP],
              isSlackEnabled: true,
              isTwoPersonRuleEnabled: true,
            },
          },
        ],
      });
      await waitFor(
        async () => startedNames(fakes.calls),
        (names) => names.includes('postApprovalRequest'),
      );
      await click({ workflowId, action: 'isolate', userId: APPROVER });
      await waitFor(ephemeralsFor(APPROVER), (texts) => texts.length > 0);
      await click({ workflowId, action: 'isolate', userId: GROUP_MEMBER });
      return handle.result();
    });

    const firstReply = (await ephemeralsFor(APPROVER)())[0];
    expect(firstReply).toContain('awaiting a second approver');
    const secondReply = await waitFor(ephemeralsFor(GROUP_MEMBER), (texts) => texts.length > 0);
    expect(secondReply[0]).toContain('confirmed as second approver');
    expect(result.decision).toMatchObject({
      action: 'isolate',
      decidedBy: APPROVER,
      confirmedBy: GROUP_MEMBER,
    });
    const names = startedNames(fakes.calls);
    expect(names.filter((name) => name === 'planResponse')).toHaveLength(1);
    expect(names.filter((name) => name.startsWith('step:'))).toEqual([
      'step:preserve-evidence',
      'step:isolate-host',
      'step:contain-account',
    ]);
    expect(names).toContain('recordPendingApprovalInSlack');
  });
});
