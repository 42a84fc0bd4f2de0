/**
 * Concurrent duplicates against a real dev server: the same alert posted to the intake many times
 * at once, and two approvers deciding the same run at once. Sequential re-delivery is covered in
 * test/e2e and test/intake, and Slack double clicks in test/slack/app.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processBatch, type DocumentResult } from '../../src/intake/batch';
import { startIntakeServer, type IntakeServer } from '../../src/intake/server';
import { startOrAttach } from '../../src/temporal/start';
import { decideUpdate, type ResponseResult, type ResponseSettings } from '../../workflows/messages';
import {
  killWorkerChildren,
  NAMESPACE,
  positiveDocument,
  startTemporal,
  startWorkerChild,
  waitForVerdict,
  writeWorkflowBundle,
  type Temporal,
} from './support/harness';

const TASK_QUEUE = 'fault-duplicates';
const TOKEN = 'duplicates-intake-token-0123456789';
const SETTINGS: ResponseSettings = {
  decisionTimeout: '30 minutes',
  approvers: ['first-analyst', 'second-analyst'],
  isSlackEnabled: false,
};

describe('duplicate deliveries', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-dup-'));
  let temporal: Temporal;
  let intake: IntakeServer;

  beforeAll(async () => {
    temporal = await startTemporal(dataDir);
    const logger = pino({ level: 'silent' });
    intake = await startIntakeServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      maxBodyBytes: 1_048_576,
      logger,
      processBatch: (body, contentType) =>
        processBatch(body, contentType, (alert) =>
          startOrAttach(temporal.client, { alert, settings: SETTINGS }, { taskQueue: TASK_QUEUE }),
        ),
      checkHealth: async () => ({ isHealthy: true, detail: 'not checked in this test' }),
    });
    await startWorkerChild({
      address: temporal.server.address,
      namespace: NAMESPACE,
      taskQueue: TASK_QUEUE,
      dataDir,
      workflowBundlePath: await writeWorkflowBundle(dataDir),
    });
  });

  afterAll(async () => {
    killWorkerChildren();
    await intake?.close();
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(body: string): Promise<{ status: number; results: DocumentResult[] }> {
    const response = await fetch(`${intake.url}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, results: ((await response.json()) as { results: DocumentResult[] }).results };
  }

  it('starts one run for the same alert posted concurrently and again afterwards', async () => {
    const body = JSON.stringify(positiveDocument('duplicate-concurrent'));

    const concurrent = await Promise.all(Array.from({ length: 12 }, () => post(body)));
    const later = await post(JSON.stringify({ alerts: [positiveDocument('duplicate-concurrent')] }));

    const replies = [...concurrent, later];
    expect(replies.map((reply) => reply.status)).toEqual(Array(13).fill(200));
    const workflowIds = new Set(replies.map((reply) => (reply.results[0]?.status === 'accepted' ? reply.results[0].workflowId : '')));
    expect(workflowIds.size).toBe(1);
    expect(later.results[0]).toMatchObject({ status: 'accepted', isNew: false });
    const [workflowId] = [...workflowIds];
    const { count } = await temporal.client.workflow.count(`WorkflowId = '${workflowId}'`);
    expect(count).toBe(1);
  });

  it('takes one decision when two approvers decide at once', async () => {
    const [reply] = (await post(JSON.stringify(positiveDocument('duplicate-decision')))).results;
    if (reply?.status !== 'accepted') throw new Error(`alert not accepted: ${JSON.stringify(reply)}`);
    const handle = temporal.client.workflow.getHandle<() => Promise<ResponseResult>>(reply.workflowId);
    await waitForVerdict(handle);

    const attempts = await Promise.allSettled(
      (['first-analyst', 'second-analyst'] as const).flatMap((approver) =>
        [1, 2].map((click) =>
          handle.executeUpdate(decideUpdate, {
            args: [{ action: approver === 'first-analyst' ? 'contain' : 'preserve', approver, channel: 'cli' }],
            updateId: `${approver}-click-${click}`,
          }),
        ),
      ),
    );
    const result = await handle.result();

    const accepted = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    const rejected = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [String(attempt.reason)] : []));
    expect(accepted).toHaveLength(1);
    expect(rejected).toHaveLength(3);
    expect(accepted[0]).toMatchObject({ action: result.decision.action, decidedBy: result.decision.decidedBy });
    expect(result.outcome).toBe('completed');
    const history = await handle.fetchHistory();
    const acceptedUpdates = (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
    expect(acceptedUpdates).toHaveLength(1);
  });
});
