/**
 * The telemetry source unavailable for a while, and for good, under the real workflow and
 * enrichment activities. Each fault has its own worker child and task queue on one dev server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseDocument } from '../../src/alert/normalise';
import {
  decideAndFinish,
  killWorkerChildren,
  NAMESPACE,
  positiveAlert,
  REPO_ROOT,
  startRun,
  startTemporal,
  startWorkerChild,
  writeWorkflowBundle,
  type Temporal,
} from './support/harness';

describe('telemetry outage', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-telemetry-'));
  let temporal: Temporal;

  beforeAll(async () => {
    temporal = await startTemporal(dataDir);
    const bundlePath = await writeWorkflowBundle(dataDir);
    const base = { address: temporal.server.address, namespace: NAMESPACE, dataDir, workflowBundlePath: bundlePath };
    await Promise.all([
      startWorkerChild({ ...base, taskQueue: 'fault-telemetry-brief', telemetry: { kind: 'fail-first', calls: 6 } }),
      startWorkerChild({ ...base, taskQueue: 'fault-telemetry-down', telemetry: { kind: 'down' } }),
    ]);
  });

  afterAll(async () => {
    killWorkerChildren();
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('retries through a brief outage and answers as without one', { timeout: 90_000 }, async () => {
    const workflowId = await startRun(temporal.client, positiveAlert('fault-telemetry-brief'), 'fault-telemetry-brief');

    const result = await decideAndFinish(temporal.client, workflowId);

    expect(result.answers.map((answer) => answer.coverage)).not.toContain('failed');
    expect(result.verdict.kind).toBe('escalate');
    expect(result.outcome).toBe('completed');
    expect(await retriedActivities(workflowId)).not.toEqual([]);
  });

  it('records failed coverage and never a benign verdict when telemetry stays down', { timeout: 90_000 }, async () => {
    const alerts = [positiveAlert('fault-telemetry-down'), missingTelemetryAlert()];

    const results = await Promise.all(
      alerts.map(async (alert) =>
        decideAndFinish(temporal.client, await startRun(temporal.client, alert, 'fault-telemetry-down')),
      ),
    );

    for (const result of results) {
      const coverage = (question: string) =>
        result.answers.filter((answer) => answer.question === question).map((answer) => answer.coverage);
      expect(['Q2', 'Q3', 'Q4', 'Q6'].flatMap(coverage)).toEqual(['failed', 'failed', 'failed', 'failed']);
      expect(coverage('Q7')).toContain('failed');
      expect(coverage('Q7')).not.toContain('present');
      const q4 = result.answers.find((answer) => answer.question === 'Q4');
      expect(q4?.coverageNote).toContain('injected fault');
      expect(['escalate', 'unresolved']).toContain(result.verdict.kind);
      expect(result.outcome).toBe('completed');
    }
    const attempts = await retriedActivities(results[0]?.workflowId ?? '');
    expect(attempts.length).toBeGreaterThan(0);
  });

  /** Attempt numbers above 1 among the run's completed activities. */
  async function retriedActivities(workflowId: string): Promise<number[]> {
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 1)
      .filter((attempt) => attempt > 1);
  }
});

/** Returns the bundled alert whose host has no bundled telemetry, with an id of its own. */
function missingTelemetryAlert() {
  const document = JSON.parse(readFileSync(path.join(REPO_ROOT, 'data', 'alerts', 'missing-telemetry.json'), 'utf8')) as object;
  const normalised = normaliseDocument({ ...document, 'kibana.alert.uuid': 'fault-telemetry-missing' }, 0);
  if (!normalised.ok) throw new Error('the bundled missing-telemetry alert does not normalise');
  return normalised.alert;
}
