/**
 * Shared parts of the fault tests: a dev server started by the product's launcher, worker child
 * processes, alerts with distinct ids and a scripted approver that decides through the update.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import pino from 'pino';
import type { Alert } from '../../../src/alert/alert';
import { normaliseDocument } from '../../../src/alert/normalise';
import type { VerdictKind } from '../../../src/investigation/types';
import { findFreePort } from '../../../src/net';
import type { ConnectorReceipt } from '../../../src/response/connector';
import type { Action } from '../../../src/response/types';
import { connectorJournalFile } from '../../../src/stack';
import { startDevServer, type DevServer } from '../../../src/temporal/dev-server';
import { startOrAttach } from '../../../src/temporal/start';
import { WORKFLOWS_PATH } from '../../../src/temporal/worker';
import { decideUpdate, stateQuery, type ResponseResult, type ResponseSettings } from '../../../workflows/messages';
import type { WorkerEvent, WorkerProcessOptions } from './worker-process';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const NAMESPACE = 'default';
export const APPROVER = 'fault-approver';
export const SETTINGS: ResponseSettings = {
  decisionTimeout: '30 minutes',
  approvers: [APPROVER],
  isSlackEnabled: false,
};
const POSITIVE = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'data', 'alerts', 'positive-malseclogon.json'), 'utf8'),
) as Record<string, unknown>;
const silent = pino({ level: 'silent' });

/** What the scripted approver chooses for each verdict; every choice is allowed for it. */
const CHOICE: Record<VerdictKind, { action: Action; comment?: string }> = {
  escalate: { action: 'contain' },
  unresolved: { action: 'preserve' },
  benign: { action: 'close-benign', comment: 'confirmed by the fault test plan' },
};

/** The bundled positive alert as a document, with `kibana.alert.uuid` set to `uuid`. */
export function positiveDocument(uuid: string): Record<string, unknown> {
  return { ...structuredClone(POSITIVE), 'kibana.alert.uuid': uuid };
}

/** The bundled positive alert, normalised, with `kibana.alert.uuid` set to `uuid`. */
export function positiveAlert(uuid: string): Alert {
  const normalised = normaliseDocument(positiveDocument(uuid), 0);
  if (!normalised.ok) throw new Error(`the bundled alert no longer normalises: ${JSON.stringify(normalised.issues)}`);
  return normalised.alert;
}

export interface Temporal {
  server: DevServer;
  client: Client;
  port: number;
  close(): Promise<void>;
}

/** Starts the product's dev server on a SQLite file in `dataDir` and connects a client. */
export async function startTemporal(dataDir: string, port?: number): Promise<Temporal> {
  const serverPort = port ?? (await findFreePort());
  const server = await startDevServer({
    dataDir,
    port: serverPort,
    uiPort: await findFreePort(),
    namespace: NAMESPACE,
    logger: silent,
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: NAMESPACE });
  return {
    server,
    client,
    port: serverPort,
    close: async () => {
      await connection.close();
      await server.stop();
    },
  };
}

/** Bundles the workflows once and writes the bundle to `dir`, for every worker child to load. */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silentSdkLogger() });
  const file = path.join(dir, 'workflow-bundle.js');
  writeFileSync(file, code);
  return file;
}

function silentSdkLogger() {
  const ignore = (): void => undefined;
  return { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
}

export interface WorkerChild {
  child: ChildProcess;
  events: WorkerEvent[];
  /** Resolves with the first event that `match` accepts, or rejects after `timeoutMs`. */
  waitForEvent(match: (event: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const children: ChildProcess[] = [];

/** Starts a worker child process and resolves once it polls the task queue. */
export async function startWorkerChild(options: WorkerProcessOptions): Promise<WorkerChild> {
  const script = path.join(__dirname, 'worker-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const events: WorkerEvent[] = [];
  child.on('message', (message) => events.push(message as WorkerEvent));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitForEvent = async (match: (event: WorkerEvent) => boolean, timeoutMs = 60_000): Promise<WorkerEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`worker child exited (${child.exitCode}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`worker child sent no matching event in ${timeoutMs} ms:\n${stderr}`);
      await sleep(50);
    }
  };
  await waitForEvent((event) => event.event === 'ready');
  return {
    child,
    events,
    waitForEvent,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Kills every worker child still running; for `afterAll`. */
export function killWorkerChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Starts (or attaches to) the run of `alert` on `taskQueue`, as the intake does. */
export async function startRun(client: Client, alert: Alert, taskQueue: string): Promise<string> {
  const { workflowId } = await startOrAttach(client, { alert, settings: SETTINGS }, { taskQueue });
  return workflowId;
}

/** Polls the state query until the run awaits a decision, and returns its verdict. */
export async function waitForVerdict(handle: WorkflowHandle, timeoutMs = 60_000): Promise<VerdictKind> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const state = await handle.query(stateQuery);
      if (state.phase === 'awaiting-decision' && state.verdict) return state.verdict.kind;
    } catch (error) {
      // A query fails while no worker holds the run (a worker was just killed); try again.
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} reached no verdict in ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Waits for the verdict, decides as the scripted approver and returns the run's result. */
export async function decideAndFinish(client: Client, workflowId: string, timeoutMs = 60_000): Promise<ResponseResult> {
  const handle = client.workflow.getHandle<() => Promise<ResponseResult>>(workflowId);
  const verdict = await waitForVerdict(handle, timeoutMs);
  const choice = CHOICE[verdict];
  await handle.executeUpdate(decideUpdate, {
    args: [{ ...choice, approver: APPROVER, channel: 'cli' }],
    updateId: `fault-test:${workflowId}`,
  });
  return handle.result();
}

/** Every receipt the embedded connectors wrote to the data folder's journal. */
export function readJournal(dataDir: string): ConnectorReceipt[] {
  let text: string;
  try {
    text = readFileSync(connectorJournalFile({ SOAR_DATA_DIR: dataDir }), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConnectorReceipt);
}

/** Idempotency keys that appear on more than one journal line. */
export function repeatedKeys(receipts: ConnectorReceipt[]): string[] {
  const seen = new Map<string, number>();
  for (const receipt of receipts) seen.set(receipt.idempotencyKey, (seen.get(receipt.idempotencyKey) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([key]) => key);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
