import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Alert } from '../src/alert/alert';
import { processBatch, type DocumentResult } from '../src/intake/batch';
import { startOrAttach } from '../src/temporal/start';
import type { ResponseSettings } from '../workflows/messages';
import type { ArmMessage, ArmOptions } from './arm-process';
import { summarise, type Summary } from './figures';

/** Documents per intake request in the burst, about 500 KB of NDJSON. */
const BATCH_SIZE = 100;
/** How long an arm may take to bring every alert to approval requested. */
const ARM_TIMEOUT_MS = 15 * 60_000;
const SETTINGS: ResponseSettings = { decisionTimeout: '30 minutes', approvers: ['bench'], isSlackEnabled: false };
const POSITIVE = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', 'data', 'alerts', 'positive-malseclogon.json'), 'utf8'),
) as Record<string, unknown>;

export interface WorkflowArmOptions {
  alerts: number;
  pacedAlerts: number;
  /** @default half of the burst's throughput, so that the paced alerts do not queue */
  ratePerSecond?: number;
}

export interface WorkflowArmFigures {
  /** All alerts sent as fast as the intake takes them. */
  burst: { alerts: number; durationMs: number; alertsPerSecond: number; latencyMs: Summary };
  /** Alerts sent one by one at a fixed rate, below saturation: latency without queueing. */
  paced: { alerts: number; ratePerSecond: number };
  pacedLatencyMs: Summary;
  /** Activities scheduled per run up to approval requested (the same in both worker arms). */
  activitiesPerRun: number;
  peakRssBytes: number;
}

/**
 * Runs one worker arm: its worker in a child process, a burst of `alerts` alerts through the
 * intake's processing path, then `pacedAlerts` alerts at `ratePerSecond`. Latency runs from the
 * moment the intake's start returned to the history event that set State to awaiting-decision.
 * The paced alerts follow once the burst is done, at half its throughput unless a rate is given.
 */
export async function runWorkflowArm(
  client: Client,
  arm: ArmOptions,
  options: WorkflowArmOptions,
): Promise<WorkflowArmFigures> {
  const child = spawnArm(arm);
  try {
    await nextMessage(child, 'ready');
    const taskQueue = arm.taskQueue ?? '';
    const acceptedAt = new Map<string, number>();
    const startAlert = async (alert: Alert) => {
      const started = await startOrAttach(client, { alert, settings: SETTINGS }, { taskQueue });
      acceptedAt.set(started.workflowId, Date.now());
      return started;
    };

    const burstIds: string[] = [];
    for (let first = 0; first < options.alerts; first += BATCH_SIZE) {
      const count = Math.min(BATCH_SIZE, options.alerts - first);
      const lines = Array.from({ length: count }, (_, i) => JSON.stringify(document(`${arm.mode}-burst-${first + i}`)));
      const outcome = await processBatch(lines.join('\n'), 'application/x-ndjson', startAlert);
      burstIds.push(...acceptedIds(outcome.results, count));
    }
    await waitForAwaiting(client, taskQueue, burstIds.length);
    const burstRuns = await readRuns(client, burstIds);
    const burstStart = Math.min(...burstIds.map((id) => acceptedAt.get(id) ?? Number.NaN));
    const burstEnd = Math.max(...burstRuns.map((run) => run.awaitingAtMs));
    const burstPerSecond = (burstIds.length * 1000) / (burstEnd - burstStart);
    const ratePerSecond = options.ratePerSecond ?? Math.round(burstPerSecond * 50) / 100;

    const pacedIds: string[] = [];
    const pacedStart = Date.now();
    const sends = Array.from({ length: options.pacedAlerts }, async (_, i) => {
      const dueMs = pacedStart + (i * 1000) / ratePerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueMs - Date.now())));
      const outcome = await processBatch(JSON.stringify(document(`${arm.mode}-paced-${i}`)), 'application/json', startAlert);
      pacedIds.push(...acceptedIds(outcome.results, 1));
    });
    await Promise.all(sends);
    await waitForAwaiting(client, taskQueue, burstIds.length + pacedIds.length);

    const pacedRuns = await readRuns(client, pacedIds);
    const latency = (runs: RunTimes[]) => runs.map((run) => run.awaitingAtMs - (acceptedAt.get(run.workflowId) ?? Number.NaN));
    child.send('memory');
    const memory = await nextMessage(child, 'memory');
    return {
      burst: {
        alerts: burstIds.length,
        durationMs: burstEnd - burstStart,
        alertsPerSecond: Math.round(burstPerSecond * 100) / 100,
        latencyMs: summarise(latency(burstRuns)),
      },
      paced: { alerts: pacedIds.length, ratePerSecond },
      pacedLatencyMs: summarise(latency(pacedRuns)),
      activitiesPerRun: Math.max(...burstRuns.map((run) => run.activities)),
      peakRssBytes: memory.event === 'memory' ? memory.peakRssBytes : Number.NaN,
    };
  } finally {
    await stopChild(child);
  }
}

/** Starts an arm's child process: Node with tsx's loader, results over IPC. */
export function spawnArm(options: ArmOptions): ChildProcess {
  const script = path.join(__dirname, 'arm-process.ts');
  return spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

function document(uuid: string): Record<string, unknown> {
  return { ...POSITIVE, 'kibana.alert.uuid': `bench-${uuid}` };
}

function acceptedIds(results: DocumentResult[], expected: number): string[] {
  const ids = results.flatMap((result) => (result.status === 'accepted' ? [result.workflowId] : []));
  if (ids.length !== expected) {
    throw new Error(`the intake accepted ${ids.length} of ${expected} alerts: ${JSON.stringify(results.slice(0, 3))}`);
  }
  return ids;
}

/** Polls visibility until `count` runs on the task queue await a decision. */
async function waitForAwaiting(client: Client, taskQueue: string, count: number): Promise<void> {
  const deadline = Date.now() + ARM_TIMEOUT_MS;
  const query = `TaskQueue = '${taskQueue}' AND State = 'awaiting-decision'`;
  for (;;) {
    const { count: awaiting } = await client.workflow.count(query);
    if (awaiting >= count) return;
    if (Date.now() > deadline) throw new Error(`${awaiting} of ${count} runs on ${taskQueue} await a decision after ${ARM_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface RunTimes {
  workflowId: string;
  awaitingAtMs: number;
  activities: number;
}

/** Reads each run's history: when State became awaiting-decision, and how many activities ran. */
async function readRuns(client: Client, workflowIds: string[]): Promise<RunTimes[]> {
  const pending = [...workflowIds];
  const runs: RunTimes[] = [];
  const work = async (): Promise<void> => {
    for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      runs.push(runTimes(id, history.events ?? []));
    }
  };
  await Promise.all(Array.from({ length: 16 }, work));
  return runs;
}

function runTimes(workflowId: string, events: temporal.api.history.v1.IHistoryEvent[]): RunTimes {
  const awaiting = events.find((event) => {
    const state = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.State;
    return state?.data !== undefined && state.data !== null && Buffer.from(state.data).toString('utf8') === '"awaiting-decision"';
  });
  if (awaiting?.eventTime === undefined || awaiting.eventTime === null) {
    throw new Error(`${workflowId} has no upsert to awaiting-decision in its history`);
  }
  const { seconds, nanos } = awaiting.eventTime;
  return {
    workflowId,
    awaitingAtMs: Number(seconds ?? 0) * 1000 + (nanos ?? 0) / 1e6,
    activities: events.filter((event) => event.activityTaskScheduledEventAttributes).length,
  };
}

async function nextMessage(child: ChildProcess, event: ArmMessage['event']): Promise<ArmMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ArmMessage): void => {
      if (message.event !== event) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`arm process exited with ${code} before '${event}'`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
