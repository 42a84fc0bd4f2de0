import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { renderTimelineText } from './audit/render';
import { buildTimeline } from './audit/timeline';
import { loadConfig } from './config';
import { processBatch, type DocumentResult } from './intake/batch';
import { createLogger } from './logging';
import { findFreePort } from './net';
import type { Action } from './response/types';
import { startStack } from './stack';
import { responseSettings } from './temporal/connect';
import { startOrAttach } from './temporal/start';
import type { VerdictKind } from './investigation/types';
import { decideUpdate, stateQuery, type ResponseResult } from '../workflows/messages';

const DATA_DIR = path.resolve(__dirname, '..', 'data');
const DEMO_ANALYST = 'demo-analyst';
const DECISION_WAIT_MS = 60_000;

/** Choice of the scripted analyst for each verdict. */
const SCRIPTED_CHOICE: Record<VerdictKind, { action: Action; comment: string }> = {
  escalate: { action: 'contain', comment: 'scripted analyst: escalated evidence, reversible containment' },
  unresolved: { action: 'preserve', comment: 'scripted analyst: evidence incomplete, preserve and escalate' },
  benign: { action: 'close-benign', comment: 'scripted analyst: confirmed by the test plan' },
};

/**
 * `soar demo`: runs the embedded stack on a temporary database, ingests the bundled alerts,
 * answers each approval as a scripted analyst, prints one JSON line per alert, then the audit
 * timeline of the positive alert. Leaves nothing running.
 */
export async function runDemo(): Promise<number> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'soar-demo-'));
  const config = loadConfig({
    SOAR_DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
    SOAR_APPROVERS: DEMO_ANALYST,
    SOAR_TELEMETRY_DIR: path.join(DATA_DIR, 'telemetry'),
    SOAR_ASSET_INVENTORY: path.join(DATA_DIR, 'asset-inventory.json'),
    LOG_LEVEL: 'error',
  });
  const logger = createLogger(config.LOG_LEVEL);
  const stack = await startStack({ config, logger });
  try {
    const settings = responseSettings(config);
    const alertFiles = (await readdir(path.join(DATA_DIR, 'alerts'))).filter((name) => name.endsWith('.json')).sort();
    let positiveWorkflowId: string | undefined;

    for (const file of alertFiles) {
      const body = await readFile(path.join(DATA_DIR, 'alerts', file), 'utf8');
      const outcome = await processBatch(body, 'application/json', (alert) =>
        startOrAttach(stack.client, { alert, settings }),
      );
      for (const result of outcome.results) {
        const line = await answerAndReport(stack.client, result);
        process.stdout.write(`${JSON.stringify({ file, ...line })}\n`);
        if (file.startsWith('positive') && result.status === 'accepted') positiveWorkflowId = result.workflowId;
      }
    }

    if (positiveWorkflowId !== undefined) {
      const history = await stack.client.workflow.getHandle(positiveWorkflowId).fetchHistory();
      process.stdout.write(`\n${renderTimelineText(buildTimeline(positiveWorkflowId, history))}`);
    }
    return 0;
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function answerAndReport(client: Client, result: DocumentResult): Promise<Record<string, unknown>> {
  if (result.status === 'invalid') return { matched: false, errors: result.errors };
  if (result.status === 'not-matching') {
    return { alertId: result.alertId, matched: false, reasons: result.failures };
  }
  if (result.status === 'failed') return { alertId: result.alertId, matched: true, error: result.error };

  const handle = client.workflow.getHandle<() => Promise<ResponseResult>>(result.workflowId);
  const verdict = await waitForVerdict(handle);
  const choice = SCRIPTED_CHOICE[verdict];
  await handle.executeUpdate(decideUpdate, {
    args: [{ action: choice.action, approver: DEMO_ANALYST, comment: choice.comment, channel: 'cli' }],
    updateId: `demo:${result.workflowId}`,
  });
  const outcome = await handle.result();
  return {
    alertId: outcome.alertId,
    workflowId: outcome.workflowId,
    matched: true,
    verdict: outcome.verdict.kind,
    reasons: outcome.verdict.reasons.map((reason) => `${reason.question} ${reason.effect}: ${reason.text}`),
    decision: outcome.decision,
    steps: outcome.steps.map((step) => ({ step: step.step, outcome: step.outcome, detail: step.detail })),
  };
}

async function waitForVerdict(handle: WorkflowHandle): Promise<VerdictKind> {
  const deadline = Date.now() + DECISION_WAIT_MS;
  while (Date.now() < deadline) {
    const state = await handle.query(stateQuery);
    if (state.phase === 'awaiting-decision' && state.verdict) return state.verdict.kind;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${handle.workflowId} did not reach a verdict within ${DECISION_WAIT_MS} ms; see the worker log`);
}
