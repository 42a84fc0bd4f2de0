/**
 * Records representative workflow histories with the product itself, for the replay test in
 * test/workflows/replay.test.ts. It starts the embedded stack on a temporary database, as
 * `soar demo` does, runs three alerts to completion and writes each history as JSON in the
 * SDK's `historyToJSON` form (the form `temporal workflow show --output json` prints):
 *
 * - `positive-contain.json`: the positive alert, escalated, decided `contain` by an analyst.
 * - `positive-deadline.json`: the positive alert under a short decision window that lapses, so
 *   the run applies the preserve-and-escalate default.
 * - `missing-telemetry-preserve.json`: the alert without telemetry, decided `preserve`.
 *
 * Usage: tsx scripts/record-histories.ts [--out <dir>]   (default test/fixtures/histories)
 *
 * Rerun it after a deliberate, patched workflow change, and keep the old files as well, because
 * they stand for runs that were in flight when the change shipped.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig } from '../src/config';
import { WORKFLOW_ID_PREFIX } from '../src/constants';
import { processBatch } from '../src/intake/batch';
import { createLogger } from '../src/logging';
import { findFreePort } from '../src/net';
import type { Action } from '../src/response/types';
import { startStack } from '../src/stack';
import { responseSettings } from '../src/temporal/connect';
import { startOrAttach } from '../src/temporal/start';
import { decideUpdate, stateQuery, type ResponseSettings } from '../workflows/messages';

const ROOT = path.resolve(__dirname, '..');
const DATA_DIR = path.join(ROOT, 'data');
const ANALYST = 'recording-analyst';
/** Short enough to keep the recording quick, long enough for the verdict to come first. */
const SHORT_DECISION_TIMEOUT = '5 seconds';
const VERDICT_WAIT_MS = 60_000;

interface Scenario {
  file: string;
  alertFile: string;
  /** Suffix for the workflow id, so that one alert can be recorded in two scenarios. */
  workflowIdSuffix: string;
  /** The analyst's action, or undefined to let the decision window lapse. */
  action?: Action;
}

const SCENARIOS: Scenario[] = [
  { file: 'positive-contain.json', alertFile: 'positive-malseclogon.json', workflowIdSuffix: '', action: 'contain' },
  { file: 'positive-deadline.json', alertFile: 'positive-malseclogon.json', workflowIdSuffix: '-deadline' },
  {
    file: 'missing-telemetry-preserve.json',
    alertFile: 'missing-telemetry.json',
    workflowIdSuffix: '',
    action: 'preserve',
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'test', 'fixtures', 'histories'));
  await mkdir(outDir, { recursive: true });

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'soar-record-'));
  const config = loadConfig({
    SOAR_DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
    SOAR_APPROVERS: ANALYST,
    SOAR_TELEMETRY_DIR: path.join(DATA_DIR, 'telemetry'),
    SOAR_ASSET_INVENTORY: path.join(DATA_DIR, 'asset-inventory.json'),
    LOG_LEVEL: 'error',
  });
  const stack = await startStack({ config, logger: createLogger(config.LOG_LEVEL) });
  try {
    for (const scenario of SCENARIOS) {
      const settings = responseSettings(config);
      if (scenario.action === undefined) settings.decisionTimeout = SHORT_DECISION_TIMEOUT;
      const workflowId = await runScenario(stack.client, scenario, settings);
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      await writeFile(path.join(outDir, scenario.file), `${historyToJSON(history)}\n`);
      process.stderr.write(`recorded ${workflowId} -> ${path.join(outDir, scenario.file)}\n`);
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Starts one scenario's run, decides it (or lets the window lapse) and waits for its result. */
async function runScenario(client: Client, scenario: Scenario, settings: ResponseSettings): Promise<string> {
  const body = await readFile(path.join(DATA_DIR, 'alerts', scenario.alertFile), 'utf8');
  let workflowId: string | undefined;
  await processBatch(body, 'application/json', async (alert) => {
    const outcome = await startOrAttach(
      client,
      { alert, settings },
      { workflowId: `${WORKFLOW_ID_PREFIX}${alert.alertId}${scenario.workflowIdSuffix}` },
    );
    workflowId = outcome.workflowId;
    return outcome;
  });
  if (workflowId === undefined) throw new Error(`${scenario.alertFile} started no workflow`);

  const handle = client.workflow.getHandle(workflowId);
  if (scenario.action !== undefined) {
    await waitForDecisionPhase(client, workflowId);
    await handle.executeUpdate(decideUpdate, {
      args: [{ action: scenario.action, approver: ANALYST, comment: `recorded ${scenario.action}`, channel: 'cli' }],
      updateId: `record:${workflowId}`,
    });
  }
  await handle.result();
  return workflowId;
}

async function waitForDecisionPhase(client: Client, workflowId: string): Promise<void> {
  const deadline = Date.now() + VERDICT_WAIT_MS;
  while (Date.now() < deadline) {
    const state = await client.workflow.getHandle(workflowId).query(stateQuery);
    if (state.phase === 'awaiting-decision') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${workflowId} did not reach awaiting-decision within ${VERDICT_WAIT_MS} ms`);
}

main().catch((error: unknown) => {
  // The crash handler of an entry point is the one place that writes to the console directly.
  console.error(`record-histories failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
