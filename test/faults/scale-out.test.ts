/**
 * Two responder main jobs (`src/main.ts`, as `npm start` runs it) on one task queue against one
 * dev server, sharing a burst of alerts sent to one job's intake. The other job is killed with
 * SIGKILL after the first part of the burst. Activities it had taken are retried once their
 * start-to-close timeout (2 minutes) runs out, so this file takes about that long.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/net';
import {
  APPROVER,
  decideAndFinish,
  positiveDocument,
  readJournal,
  repeatedKeys,
  REPO_ROOT,
  startTemporal,
  type Temporal,
} from './support/harness';

const ALERTS = 30;
const START_TIMEOUT_MS = 90_000;
const jobs: ChildProcess[] = [];

interface MainJob {
  child: ChildProcess;
  intakeUrl: string;
  exited: Promise<void>;
}

/** Starts a main job on an existing Temporal server and resolves once it logs 'responder running'. */
async function startMainJob(env: NodeJS.ProcessEnv): Promise<MainJob> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  jobs.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output.includes('responder running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`main job did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, intakeUrl: `http://127.0.0.1:${env.INTAKE_PORT}`, exited };
}

describe('two workers on one task queue', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-scale-'));
  let temporal: Temporal;

  beforeAll(async () => {
    temporal = await startTemporal(path.join(dataDir, 'temporal'));
  });

  afterAll(async () => {
    for (const job of jobs) if (job.exitCode === null && job.signalCode === null) job.kill('SIGKILL');
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes every run of a burst when one worker is killed mid-burst', { timeout: 300_000 }, async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SOAR_DATA_DIR: dataDir,
      SOAR_APPROVERS: APPROVER,
      TEMPORAL_ADDRESS: temporal.server.address,
      INTAKE_TOKEN: 'scale-out-intake-token',
    };
    const [survivor, doomed] = await Promise.all([
      startMainJob({ ...env, INTAKE_PORT: String(await findFreePort()) }),
      startMainJob({ ...env, INTAKE_PORT: String(await findFreePort()) }),
    ]);
    const documents = Array.from({ length: ALERTS }, (_, i) => JSON.stringify(positiveDocument(`scale-out-${i}`)));
    const post = async (lines: string[]) => {
      const response = await fetch(`${survivor.intakeUrl}/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.INTAKE_TOKEN}`, 'content-type': 'application/x-ndjson' },
        body: lines.join('\n'),
      });
      return { status: response.status, body: (await response.json()) as { results: { workflowId: string }[] } };
    };

    const first = await post(documents.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const rest = await post(documents.slice(10));
    const workflowIds = [...first.body.results, ...rest.body.results].map((result) => result.workflowId);
    const results = await Promise.all(workflowIds.map((id) => decideAndFinish(temporal.client, id, 240_000)));

    expect([first.status, rest.status]).toEqual([200, 200]);
    expect(new Set(workflowIds).size).toBe(ALERTS);
    expect(results.map((result) => result.outcome)).toEqual(Array(ALERTS).fill('completed'));
    const journal = readJournal(dataDir);
    expect(repeatedKeys(journal)).toEqual([]);
    const doneKeys = results.flatMap((result) =>
      result.steps.filter((step) => step.outcome === 'done').map((step) => step.idempotencyKey),
    );
    expect(journal.map((receipt) => receipt.idempotencyKey).sort()).toEqual(doneKeys.sort());
  });
});
