/**
 * A worker killed with SIGKILL while it runs one run's enrichment and another run's response
 * step. Nothing heartbeats, so the server retries the lost activities on the surviving worker once
 * their start-to-close timeout (2 minutes) runs out; this file therefore takes about that long.
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
  writeWorkflowBundle,
  type Temporal,
} from './support/harness';

const TASK_QUEUE = 'fault-worker-kill';

describe('worker killed mid-activity', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-kill-'));
  let temporal: Temporal;
  let bundlePath: string;

  beforeAll(async () => {
    temporal = await startTemporal(dataDir);
    bundlePath = await writeWorkflowBundle(dataDir);
  });

  afterAll(async () => {
    killWorkerChildren();
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes every run and records each step once', { timeout: 300_000 }, async () => {
    const enriching = positiveAlert('fault-kill-enrichment');
    const responding = positiveAlert('fault-kill-response');
    const heldKey = `${responding.alertId}:suspend-process`;
    const base = { address: temporal.server.address, namespace: NAMESPACE, taskQueue: TASK_QUEUE, dataDir };
    const doomed = await startWorkerChild({
      ...base,
      workflowBundlePath: bundlePath,
      holdEnrichmentOf: [enriching.alertId],
      holdResponseKeys: [heldKey],
    });

    const respondingId = await startRun(temporal.client, responding, TASK_QUEUE);
    const respondingResult = decideAndFinish(temporal.client, respondingId, 200_000);
    // A failed decision would otherwise show only as a missing event.
    const finishedEarly = respondingResult.then(() => {
      throw new Error('the run finished before its response step was held');
    });
    await Promise.race([
      doomed.waitForEvent((event) => event.event === 'holding' && event.key === heldKey, 150_000),
      finishedEarly,
    ]);
    const enrichingId = await startRun(temporal.client, enriching, TASK_QUEUE);
    await doomed.waitForEvent((event) => event.event === 'holding' && event.key === enriching.alertId, 60_000);
    const recordedBeforeKill = readJournal(dataDir).map((receipt) => receipt.idempotencyKey);
    await doomed.kill('SIGKILL');
    await startWorkerChild({ ...base, workflowBundlePath: bundlePath });
    const results = await Promise.all([respondingResult, decideAndFinish(temporal.client, enrichingId, 200_000)]);

    expect(recordedBeforeKill).toEqual([`${responding.alertId}:preserve-evidence`, heldKey]);
    expect(results.map((result) => result.outcome)).toEqual(['completed', 'completed']);
    expect(results.map((result) => result.verdict.kind)).toEqual(['escalate', 'escalate']);
    const journal = readJournal(dataDir);
    expect(repeatedKeys(journal)).toEqual([]);
    const doneKeys = results.flatMap((result) =>
      result.steps.filter((step) => step.outcome === 'done').map((step) => step.idempotencyKey),
    );
    expect(journal.map((receipt) => receipt.idempotencyKey).sort()).toEqual(doneKeys.sort());
    const heldStep = results[0]?.steps.find((step) => step.idempotencyKey === heldKey);
    const heldReceipt = journal.find((receipt) => receipt.idempotencyKey === heldKey);
    expect(heldStep?.detail).toContain(heldReceipt?.recordedAt);
  });
});
