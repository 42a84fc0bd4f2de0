/**
 * End-to-end run of the responder as `npm start` wires it: a local Temporal dev server on a
 * temporary SQLite file, the worker with the bundled telemetry and the embedded connector, the
 * HTTP intake and the Slack app in HTTP mode. Slack's Web API is a loopback stand-in, and decision
 * clicks are signed the way Slack signs them. Nothing leaves 127.0.0.1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { App } from '@slack/bolt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline, type AuditTimeline } from '../../src/audit/timeline';
import { renderTimelineText } from '../../src/audit/render';
import { loadConfig, type Config } from '../../src/config';
import { WORKFLOW_ID_PREFIX } from '../../src/constants';
import type { DocumentResult } from '../../src/intake/batch';
import type { IntakeServer } from '../../src/intake/server';
import { startStackIntake } from '../../src/intake/start';
import {
  createSlackApp,
  SLACK_EVENTS_PATH,
  startSlackApp,
  stopSlackApp,
} from '../../src/slack/app';
import { APPROVAL_EVENT_TYPE, BLOCK_IDS, THREAD_REPLY_EVENT_TYPE } from '../../src/slack/ids';
import { startStack, type Stack } from '../../src/stack';
import { stateQuery, type ResponseResult } from '../../workflows/messages';
import {
  startFakeSlackWebApi,
  type FakeSlackWebApi,
  type RecordedCall,
} from '../fakes/slack-web-api';
import { clickPayload, deliverInteraction, waitFor } from '../slack/interactions';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const ALERTS_DIR = path.join(REPO_ROOT, 'data', 'alerts');
const BOT_TOKEN = 'xoxb-test';
const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
const CHANNEL_ID = 'C0SOCE2E1';
const APPROVER = 'U0ANALYST1';
/** Wait limit for the worker to investigate and post the approval (under a second locally). */
const APPROVAL_WAIT_MS = 30_000;
/** Pino's numeric level for `error`. */
const PINO_ERROR_LEVEL = 50;

interface IntakeReply {
  status: number;
  body: { counts?: Record<string, number>; results?: DocumentResult[]; error?: string };
}

describe('responder end to end', () => {
  let dataDir: string;
  let slack: FakeSlackWebApi;
  let config: Config;
  let stack: Stack | undefined;
  let intake: IntakeServer | undefined;
  let intakeToken: string;
  let slackApp: App | undefined;
  let eventsUrl: string;
  const logLines: { level: number; msg: string }[] = [];

  /** The first case sets these from its accepted POST, and the later cases follow that one run. */
  let workflowId: string;
  let alertId: string;
  let approvalTs: string;
  let result: ResponseResult;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'soar-e2e-'));
    slack = await startFakeSlackWebApi({ tokens: [BOT_TOKEN] });
    const [temporalPort, uiPort, intakePort, slackPort] = await findFreePorts(4);
    config = loadConfig({
      SOAR_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      INTAKE_PORT: String(intakePort),
      SLACK_PORT: String(slackPort),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CHANNEL_ID: CHANNEL_ID,
      SLACK_API_URL: slack.apiUrl,
      SOAR_APPROVERS: APPROVER,
      SOAR_TELEMETRY_DIR: path.join(REPO_ROOT, 'data', 'telemetry'),
      SOAR_ASSET_INVENTORY: path.join(REPO_ROOT, 'data', 'asset-inventory.json'),
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const logger = pino({ level: config.LOG_LEVEL }, sink);

    stack = await startStack({ config, logger });
    const started = await startStackIntake(config, logger, stack);
    intake = started.server;
    intakeToken = started.token;
    const app = createSlackApp({ config, temporalClient: stack.client, logger });
    const address = await startSlackApp(app, config);
    slackApp = app;
    eventsUrl = `http://127.0.0.1:${address.port}${SLACK_EVENTS_PATH}`;
  });

  // Every part is stopped even when an earlier one fails, so no Temporal server outlives the file.
  afterAll(async () => {
    const results = await settleInOrder([
      async () => {
        if (slackApp !== undefined) await stopSlackApp(slackApp);
      },
      async () => intake?.close(),
      async () => stack?.stop(),
      async () => slack?.close(),
      async () => {
        if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
      },
    ]);
    const failures = results.filter((outcome) => outcome.status === 'rejected');
    expect(failures).toEqual([]);
  });

  afterEach(() => {
    const errors = logLines
      .filter((line) => line.level >= PINO_ERROR_LEVEL)
      .map((line) => line.msg);
    expect(errors).toEqual([]);
  });

  function postAlerts(body: string, auth: 'bearer' | 'none' = 'bearer'): Promise<IntakeReply> {
    const token = auth === 'bearer' ? intakeToken : undefined;
    return postToIntake(`${intake?.url ?? ''}/alerts`, body, token);
  }

  function approvalPosts(): RecordedCall[] {
    return slack.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === undefined);
  }

  function threadReplies(): RecordedCall[] {
    return slack
      .callsTo('chat.postMessage')
      .filter((call) => call.body.thread_ts !== undefined && call.body.thread_ts === approvalTs);
  }

  it('starts one run per alert', async () => {
    const positive = await readAlert('positive-malseclogon.json');

    const first = await postAlerts(positive);
    const second = await postAlerts(positive);

    expect(first.status).toBe(200);
    expect(first.body.counts).toEqual({ accepted: 1, 'not-matching': 0, invalid: 0, failed: 0 });
    expect(first.body.results).toHaveLength(1);
    const accepted = first.body.results?.[0];
    expect(accepted).toMatchObject({ index: 0, status: 'accepted', isNew: true });
    if (accepted?.status !== 'accepted') throw new Error('the first POST accepted no alert');
    expect(accepted.workflowId).toBe(`${WORKFLOW_ID_PREFIX}${accepted.alertId}`);
    workflowId = accepted.workflowId;
    alertId = accepted.alertId;

    expect(second.status).toBe(200);
    expect(second.body.results).toEqual([
      expect.objectContaining({ status: 'accepted', workflowId, alertId, isNew: false }),
    ]);
    const runIds = await waitFor(
      () => listRunIds(workflowId),
      (ids) => ids.length > 0,
    );
    expect(runIds).toHaveLength(1);
  });

  it('rejects a near miss, garbage and no token', async () => {
    const nearMiss = await postAlerts(await readAlert('near-miss-seclogon.json'));
    const garbage = await postAlerts('{ this is not json');
    const unauthenticated = await postAlerts(await readAlert('positive-malseclogon.json'), 'none');

    expect(nearMiss.status).toBe(200);
    expect(nearMiss.body.counts).toMatchObject({ accepted: 0, 'not-matching': 1 });
    const miss = nearMiss.body.results?.[0];
    expect(miss?.status).toBe('not-matching');
    if (miss?.status !== 'not-matching') throw new Error('expected a not-matching result');
    const failedFields = miss.failures.map((failure) => failure.field);
    expect(failedFields).toEqual(['winlog.event_data.TargetImage']);
    expect(miss.failures[0]?.reason).toBe('mismatch');

    expect(garbage.status).toBe(400);
    expect(garbage.body.counts?.accepted).toBe(0);
    expect(garbage.body.error).toEqual(expect.any(String));

    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.results).toBeUndefined();
    expect(unauthenticated.body.error).toContain('bearer token');
  });

  it('posts one approval with escalate buttons', async () => {
    const posts = await waitFor(
      async () => approvalPosts(),
      (calls) => calls.length > 0,
      APPROVAL_WAIT_MS,
    );

    expect(posts).toHaveLength(1);
    const approval = posts[0]!;
    expect(approval.token).toBe(BOT_TOKEN);
    expect(approval.body.channel).toBe(CHANNEL_ID);
    expect(approval.body.metadata).toEqual({
      event_type: APPROVAL_EVENT_TYPE,
      event_payload: { workflow_id: workflowId },
    });
    expect(actionIdsOf(approval.body.blocks)).toEqual([
      'decide:preserve',
      'decide:contain',
      'decide:isolate',
    ]);
    const stored = slack.state.messages.find(
      (message) => message.thread_ts === undefined && message.channel === CHANNEL_ID,
    );
    expect(stored).toBeDefined();
    approvalTs = stored!.ts;

    // The activity posts the evidence reply after the approval message and only then completes.
    // A click before that is accepted too, but history then records the decision before the
    // approval request. So the click waits until the workflow state contains the message.
    const state = await waitFor(
      () => stack!.client.workflow.getHandle(workflowId).query(stateQuery),
      (value) => value.approvalMessage !== undefined,
      APPROVAL_WAIT_MS,
    );
    expect(state.phase).toBe('awaiting-decision');
    expect(state.approvalMessage).toEqual({ channel: CHANNEL_ID, ts: approvalTs });
    expect(state.allowedActions).toEqual(['preserve', 'contain', 'isolate']);
  });

  it('runs the containment chosen in Slack', async () => {
    const handle = stack!.client.workflow.getHandle(workflowId);

    const status = await deliverInteraction(
      eventsUrl,
      clickPayload({
        workflowId,
        action: 'contain',
        userId: APPROVER,
        channelId: CHANNEL_ID,
        messageTs: approvalTs,
      }),
      { signingSecret: SIGNING_SECRET },
    );
    result = (await handle.result()) as ResponseResult;

    expect(status).toBe(200);
    expect(result.outcome).toBe('completed');
    expect(result.verdict.kind).toBe('escalate');
    expect(result.decision).toMatchObject({
      action: 'contain',
      decidedBy: APPROVER,
      channel: 'slack',
    });
    expect(result.steps.map((step) => step.step)).toEqual([
      'preserve-evidence',
      'suspend-process',
      'limit-user',
    ]);
    expect(result.steps.map((step) => step.outcome)).toEqual(['done', 'done', 'skipped']);
    // The bundled positive alert runs as SYSTEM and carries no user.id, so no user is limited.
    expect(result.steps[2]?.detail).toContain('no user.id');
    for (const step of result.steps) {
      expect(step.idempotencyKey).toBe(`${alertId}:${step.step}`);
    }

    const records = stack!.connector.records();
    const doneKeys = result.steps
      .filter((step) => step.outcome === 'done')
      .map((step) => step.idempotencyKey);
    expect(records.map((record) => record.idempotencyKey)).toEqual(doneKeys);
    expect(new Set(records.map((record) => record.idempotencyKey)).size).toBe(records.length);
    expect(records.map((record) => record.step)).toEqual(['preserve-evidence', 'suspend-process']);

    expect(approvalPosts()).toHaveLength(1);
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body.ts).toBe(approvalTs);
    const updatedBlockIds = blockIdsOf(updates[0]?.body.blocks);
    expect(updatedBlockIds).not.toContain(BLOCK_IDS.actions);
    expect(updatedBlockIds).toContain(BLOCK_IDS.decision);

    const replyKeys = threadReplies().map((call) => replyKeyOf(call.body.metadata));
    expect(replyKeys).toEqual([
      `${workflowId}:evidence`,
      `${alertId}:preserve-evidence`,
      `${alertId}:suspend-process`,
      `${alertId}:limit-user`,
      `${alertId}:outcome`,
    ]);

    const ephemerals = await waitFor(
      async () => slack.state.ephemerals.filter((reply) => reply.user === APPROVER),
      (replies) => replies.length > 0,
    );
    expect(ephemerals[0]?.text).toContain('Recorded:');
  });

  it('renders the audit timeline from history', async () => {
    const history = await stack!.client.workflow.getHandle(workflowId).fetchHistory();

    const timeline = buildTimeline(workflowId, history);
    const text = renderTimelineText(timeline);

    expect(timeline.alertId).toBe(alertId);
    expect(kindOrder(timeline)).toEqual([
      'alert',
      'verdict',
      'approval-request',
      'decision',
      'step',
      'step',
      'step',
      'outcome',
    ]);
    expect(text).toContain(`ALERT ${alertId}`);
    expect(text).toContain('VERDICT escalate; allowed actions: preserve, contain, isolate');
    expect(text).toContain(
      `APPROVAL REQUEST posted to Slack channel ${CHANNEL_ID} (message ${approvalTs})`,
    );
    expect(text).toContain(
      `DECISION contain by ${APPROVER} via slack at ${result.decision.decidedAt}`,
    );
    for (const step of result.steps) {
      expect(text).toContain(
        `STEP ${step.step} ${step.outcome}: ${step.detail} (key ${step.idempotencyKey})`,
      );
    }
    expect(text).toMatch(/OUTCOME completed$/m);
  });

  async function listRunIds(id: string): Promise<string[]> {
    const runIds: string[] = [];
    for await (const execution of stack!.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
      runIds.push(execution.runId);
    }
    return runIds;
  }
});

/** Runs each stop step after the previous one settles, and returns every outcome. */
async function settleInOrder(
  steps: (() => Promise<unknown>)[],
): Promise<PromiseSettledResult<unknown>[]> {
  const outcomes: PromiseSettledResult<unknown>[] = [];
  for (const step of steps) {
    try {
      outcomes.push({ status: 'fulfilled', value: await step() });
    } catch (error) {
      outcomes.push({ status: 'rejected', reason: error });
    }
  }
  return outcomes;
}

/**
 * Returns ports that were free a moment ago. All are held open together, so they differ, and
 * released before returning; another process could still take one before it is used.
 */
async function findFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

async function postToIntake(
  url: string,
  body: string,
  token: string | undefined,
): Promise<IntakeReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as IntakeReply['body'] };
}

function readAlert(file: string): Promise<string> {
  return readFile(path.join(ALERTS_DIR, file), 'utf8');
}

function blocksOf(blocks: unknown): Record<string, unknown>[] {
  return Array.isArray(blocks) ? (blocks as Record<string, unknown>[]) : [];
}

function blockIdsOf(blocks: unknown): unknown[] {
  return blocksOf(blocks).map((block) => block.block_id);
}

function actionIdsOf(blocks: unknown): unknown[] {
  const actions = blocksOf(blocks).find((block) => block.block_id === BLOCK_IDS.actions);
  const elements: unknown = actions?.elements;
  return blocksOf(elements).map((element) => element.action_id);
}

function replyKeyOf(metadata: unknown): unknown {
  const typed = metadata as { event_type?: string; event_payload?: { key?: unknown } } | undefined;
  return typed?.event_type === THREAD_REPLY_EVENT_TYPE ? typed.event_payload?.key : undefined;
}

/** Returns the timeline's entry kinds in history order, without answers and plain activities. */
function kindOrder(timeline: AuditTimeline): string[] {
  return timeline.entries
    .map((entry) => entry.kind)
    .filter((kind) => kind !== 'answer' && kind !== 'activity');
}
