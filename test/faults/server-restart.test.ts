/**
 * The dev server stopped and started again by the product's launcher on the same SQLite file and
 * port while runs are in flight: some held mid-enrichment, some awaiting a decision. One worker
 * child keeps running across the gap and reconnects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decideAndFinish,
  killWorkerChildren,
  NAMESPACE,
  positiveAlert,
  readJournal,
  repeatedKeys,
  startRun,
  startTemporal,
  startWorkerChild,
  waitForVerdict,
  writeWorkflowBundle,
  type Temporal,
} from './support/harness';

const TASK_QUEUE = 'fault-server-restart';
/** Long enough that the held activities finish while the server is down or just back. */
const HOLD_MS = 3_000;

describe('dev server restarted mid-run', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-restart-'));
  let temporal: Temporal | undefined;

  beforeAll(async () => {
    temporal = await startTemporal(dataDir);
  });

  afterAll(async () => {
    killWorkerChildren();
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('continues and completes every run', { timeout: 120_000 }, async () => {
    const first = temporal!;
    const bundlePath = await writeWorkflowBundle(dataDir);
    const waiting = ['restart-waiting-0', 'restart-waiting-1', 'restart-waiting-2'].map(positiveAlert);
    const enriching = ['restart-enriching-0', 'restart-enriching-1', 'restart-enriching-2'].map(positiveAlert);
    const base = { address: first.server.address, namespace: NAMESPACE, taskQueue: TASK_QUEUE, dataDir };
    const worker = await startWorkerChild({
      ...base,
      workflowBundlePath: bundlePath,
      holdEnrichmentOf: enriching.map((alert) => alert.alertId),
      holdMs: HOLD_MS,
    });
    const waitingIds = await Promise.all(waiting.map((alert) => startRun(first.client, alert, TASK_QUEUE)));
    await Promise.all(waitingIds.map((id) => waitForVerdict(first.client.workflow.getHandle(id))));
    const enrichingIds = await Promise.all(enriching.map((alert) => startRun(first.client, alert, TASK_QUEUE)));
    await worker.waitForEvent((event) => event.event === 'holding');

    await first.close();
    temporal = undefined;
    const second = await startTemporal(dataDir, first.port);
    temporal = second;
    const results = await Promise.all(
      [...waitingIds, ...enrichingIds].map((id) => decideAndFinish(second.client, id, 60_000)),
    );

    expect(results.map((result) => result.outcome)).toEqual(Array(6).fill('completed'));
    expect(results.map((result) => result.verdict.kind)).toEqual(Array(6).fill('escalate'));
    expect(worker.child.exitCode).toBeNull();
    expect(repeatedKeys(readJournal(dataDir))).toEqual([]);
  });
});
