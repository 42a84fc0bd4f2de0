import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/net';

const ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 60_000;

/** Every job a test started, killed in afterAll in case an assertion failed before its stop. */
const started: ChildProcess[] = [];
const serverPids: number[] = [];

interface RunningJob {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` as `npm start` does and resolves once it logs that it is running. */
async function startMainJob(env: NodeJS.ProcessEnv): Promise<RunningJob> {
  // Node with tsx's loader, not the tsx wrapper, so that signals reach the responder itself.
  const args = ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output.includes('responder running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`main job did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, output: () => output, exited };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('main job', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-main-'));
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of serverPids) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves alerts, stops on SIGTERM and keeps runs across a restart', { timeout: 150_000 }, async () => {
    const ports = {
      TEMPORAL_DEV_PORT: String(await findFreePort()),
      TEMPORAL_UI_PORT: String(await findFreePort()),
      INTAKE_PORT: String(await findFreePort()),
    };
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOAR_DATA_DIR: dataDir, SOAR_APPROVERS: 'alice', ...ports };

    const first = await startMainJob(env);
    const tokenFile = path.join(dataDir, 'intake-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(tokenFile);
    expect(first.output()).toContain('Slack is not configured');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(first.output()).not.toContain(token);

    const alert = readFileSync(path.join(ROOT, 'data', 'alerts', 'positive-malseclogon.json'), 'utf8');
    const response = await fetch(`http://127.0.0.1:${ports.INTAKE_PORT}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: alert,
    });
    const body = (await response.json()) as { results: { workflowId: string }[] };
    expect(response.status).toBe(200);
    const workflowId = body.results[0]?.workflowId ?? '';

    const serverPid = Number(/"pid":(\d+),[^\n]*starting Temporal dev server/.exec(first.output())?.[1]);
    serverPids.push(serverPid);
    expect(serverPid).toBeGreaterThan(0);
    expect(isProcessAlive(serverPid)).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(isProcessAlive(serverPid)).toBe(false);

    const second = await startMainJob(env);
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_DEV_PORT}` });
    try {
      const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
      second.child.kill('SIGINT');
      serverPids.push(Number(/"pid":(\d+),[^\n]*starting Temporal dev server/.exec(second.output())?.[1]));
      expect(await second.exited).toBe(0);
    }
  });
});
