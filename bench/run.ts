/**
 * `npm run bench [-- --alerts N] [-- --quick]`: the response workflow's throughput and latency on
 * this machine, up to "approval requested" (phase awaiting-decision), in three arms:
 * (a) the real activities, (b) the same workflow with canned activities (the Temporal ceiling),
 * (c) the enrichment's telemetry queries alone. Prints the figures as JSON and writes them to
 * bench/results/. Everything runs on loopback: a dev server from the product's launcher on a
 * temporary folder, and one child process per arm.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import pino from 'pino';
import { findFreePort } from '../src/net';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import type { ArmMessage, ArmMode, ArmOptions } from './arm-process';
import { machineDescription, summarise, type Summary } from './figures';
import { runWorkflowArm, spawnArm, type WorkflowArmFigures } from './workflow-arm';

const NAMESPACE = 'default';
const RESULTS_DIR = path.join(__dirname, 'results');

interface BenchOptions {
  alerts: number;
  /** Alerts sent one by one at a fixed rate to measure latency without queueing. */
  pacedAlerts: number;
  /** The paced rate; unset, half of the arm's own burst throughput. */
  ratePerSecond?: number;
}

function parseArgs(argv: string[]): BenchOptions {
  const valueOf = (flag: string): number | undefined => {
    const index = argv.indexOf(flag);
    if (index < 0) return undefined;
    const value = Number(argv[index + 1]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer, got ${argv[index + 1]}`);
    return value;
  };
  const isQuick = argv.includes('--quick');
  const alerts = valueOf('--alerts') ?? (isQuick ? 100 : 1000);
  return {
    alerts,
    pacedAlerts: valueOf('--paced') ?? Math.min(200, Math.max(20, Math.floor(alerts / 5))),
    ratePerSecond: valueOf('--rate'),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-bench-'));
  const logger = pino({ level: 'silent' });
  let server: DevServer | undefined;
  let connection: Connection | undefined;
  try {
    server = await startDevServer({
      dataDir,
      port: await findFreePort(),
      uiPort: await findFreePort(),
      namespace: NAMESPACE,
      logger,
    });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: NAMESPACE });
    const bundlePath = path.join(dataDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietSdkLogger() })).code);
    const armOptions = (mode: ArmMode): ArmOptions => ({
      mode,
      dataDir,
      address: server?.address,
      namespace: NAMESPACE,
      taskQueue: `bench-${mode}`,
      workflowBundlePath: bundlePath,
    });

    progress(`arm a: ${options.alerts} alerts with the real activities`);
    const real = await runWorkflowArm(client, armOptions('real'), options);
    progress(`arm b: ${options.alerts} alerts with canned activities`);
    const noop = await runWorkflowArm(client, armOptions('noop'), options);
    progress(`arm c: the telemetry queries of ${options.alerts} alerts`);
    const queries = await runQueryArm({ ...armOptions('queries'), alerts: options.alerts });

    const report = buildReport(options, real, noop, queries);
    const text = JSON.stringify(report, null, 2);
    process.stdout.write(`${text}\n`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${text}\n`);
    progress(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await connection?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface QueryArmFigures {
  alerts: number;
  alertsPerSecond: number;
  perAlertMs: Summary;
  peakRssBytes: number;
}

async function runQueryArm(options: ArmOptions): Promise<QueryArmFigures> {
  const child = spawnArm(options);
  const done = await new Promise<Extract<ArmMessage, { event: 'queries-done' }>>((resolve, reject) => {
    child.on('message', (message: ArmMessage) => {
      if (message.event === 'queries-done') resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`queries arm exited with ${code} before reporting`)));
  });
  child.kill('SIGTERM');
  return {
    alerts: done.durationsMs.length,
    alertsPerSecond: round((done.durationsMs.length * 1000) / done.totalMs),
    perAlertMs: summarise(done.durationsMs),
    peakRssBytes: done.peakRssBytes,
  };
}

function buildReport(
  options: BenchOptions,
  real: WorkflowArmFigures,
  noop: WorkflowArmFigures,
  queries: QueryArmFigures,
) {
  const overheadP95Ms = round(real.pacedLatencyMs.p95 - queries.perAlertMs.p95);
  const throughputRatio = round(real.burst.alertsPerSecond / noop.burst.alertsPerSecond);
  const rssRatio = round(real.peakRssBytes / noop.peakRssBytes);
  return {
    recordedAt: new Date().toISOString(),
    machine: machineDescription(),
    options,
    arms: { a_real: real, b_canned: noop, c_queries: queries },
    comparison: {
      throughputRatioAtoB: throughputRatio,
      p95OverheadAminusCMs: overheadP95Ms,
      rssRatioAtoB: rssRatio,
    },
    targets: {
      throughputRatioAtLeast0_8: throughputRatio >= 0.8,
      p95OverheadAtMost150Ms: overheadP95Ms <= 150,
      rssRatioAtMost1_3: rssRatio <= 1.3,
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function quietSdkLogger() {
  const ignore = (): void => undefined;
  return { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // The crash handler of an entry point is the one place that writes to the console directly.
    console.error(error);
    process.exit(1);
  });
}
