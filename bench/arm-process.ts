/**
 * Child process for one benchmark arm, so that each arm's peak RSS is its own:
 * - `real`: the product's worker with the real enrichment and response activities;
 * - `noop`: the same worker and workflow with activities that return canned answers at once;
 * - `queries`: no Temporal, the enrichment the workflow asks for, alert after alert.
 * Options come as JSON in argv[2]; results go back over IPC.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createEnrichmentActivities } from '../activities/enrichment';
import { createResponseActivities } from '../activities/response';
import type { EnrichmentActivities, ResponseActivities, VerdictResult } from '../activities/types';
import type { Alert } from '../src/alert/alert';
import { normaliseDocument } from '../src/alert/normalise';
import { EvidenceStore } from '../src/evidence/store';
import { loadAssetInventory } from '../src/investigation/inventory';
import type { Answer } from '../src/investigation/types';
import { createLogger } from '../src/logging';
import { EmbeddedConnector } from '../src/response/embedded-connector';
import { ReceiptJournal } from '../src/response/receipt-journal';
import { connectorJournalFile } from '../src/stack';
import { EmbeddedTelemetrySource } from '../src/telemetry/embedded';
import { createResponseWorker, installRuntimeLogger } from '../src/temporal/worker';

export type ArmMode = 'real' | 'noop' | 'queries';

export interface ArmOptions {
  mode: ArmMode;
  dataDir: string;
  /** For the worker arms. */
  address?: string;
  namespace?: string;
  taskQueue?: string;
  workflowBundlePath?: string;
  /** For the `queries` arm: how many alerts to investigate. */
  alerts?: number;
}

export type ArmMessage =
  | { event: 'ready' }
  | { event: 'memory'; peakRssBytes: number }
  | { event: 'queries-done'; durationsMs: number[]; totalMs: number; peakRssBytes: number };

const REPO_ROOT = path.resolve(__dirname, '..');
/** An orphaned arm stops by itself after this long. */
const LIFETIME_LIMIT_MS = 30 * 60_000;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ArmOptions;
  const enrichment = createEnrichmentActivities({
    source: await EmbeddedTelemetrySource.fromDirectory(path.join(REPO_ROOT, 'data', 'telemetry')),
    inventory: await loadAssetInventory(path.join(REPO_ROOT, 'data', 'asset-inventory.json')),
  });
  if (options.mode === 'queries') return runQueries(enrichment, options.alerts ?? 100);

  const activities = options.mode === 'real' ? realActivities(enrichment, options) : await cannedActivities(enrichment);
  const logger = createLogger('error');
  // The SDK's runtime takes its logger before the first connection, or it logs to the console.
  installRuntimeLogger(logger);
  const connection = await NativeConnection.connect({ address: options.address ?? '' });
  const worker = await createResponseWorker({
    connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities,
    logger,
    workflowBundle: { codePath: options.workflowBundlePath ?? '' },
  });
  const lifetime = setTimeout(() => worker.shutdown(), LIFETIME_LIMIT_MS);
  process.on('message', (message) => {
    if (message === 'memory') send({ event: 'memory', peakRssBytes: peakRssBytes() });
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('disconnect', () => worker.shutdown());
  const running = worker.run();
  while (worker.getState() !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 50));
  send({ event: 'ready' });
  await running;
  clearTimeout(lifetime);
  await connection.close();
}

function realActivities(enrichment: EnrichmentActivities, options: ArmOptions): object {
  const connector = new EmbeddedConnector(
    undefined,
    undefined,
    new EvidenceStore(path.join(options.dataDir, 'evidence')),
    new ReceiptJournal(connectorJournalFile({ SOAR_DATA_DIR: options.dataDir })),
  );
  return { ...enrichment, ...createResponseActivities({ connector }) };
}

/**
 * Activities with the real names and answer shapes, computed once for the bundled alert and then
 * returned at once, so the workflow schedules the same activities and carries the same payloads.
 */
async function cannedActivities(enrichment: EnrichmentActivities): Promise<EnrichmentActivities & ResponseActivities> {
  const alert = bundledAlert('canned');
  const answers = await investigate(enrichment, alert);
  const tuple = answers.find((answer) => answer.question === 'Q1') as Answer;
  const lineage = answers.filter((answer) => answer.question === 'Q2' || answer.question === 'Q3');
  const byQuestion = (question: string): Answer => answers.find((answer) => answer.question === question) as Answer;
  const verdict: VerdictResult = await enrichment.reachVerdict({ alert, answers });
  return {
    assessTuple: async () => tuple,
    recoverProcessLineage: async () => lineage,
    searchDumpArtifacts: async () => byQuestion('Q4'),
    assessImpact: async () => byQuestion('Q5'),
    pivotAuthentication: async () => byQuestion('Q6'),
    findRelatedAlerts: async () => byQuestion('Q7'),
    reachVerdict: async () => verdict,
    planResponse: async () => [],
    runResponseStep: async ({ request }) => ({
      step: request.step,
      outcome: 'done',
      detail: 'canned',
      idempotencyKey: request.idempotencyKey,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    }),
  };
}

/**
 * Makes the enrichment calls the workflow makes for one alert (workflows/investigate.ts): Q1 to Q6 and
 * the user-scoped Q7 together, the host-scoped Q7 when local evidence is not clear, the verdict.
 */
async function investigate(enrichment: EnrichmentActivities, alert: Alert): Promise<Answer[]> {
  const groups = await Promise.all([
    enrichment.assessTuple(alert),
    enrichment.recoverProcessLineage(alert),
    enrichment.searchDumpArtifacts(alert),
    enrichment.assessImpact(alert),
    enrichment.pivotAuthentication(alert),
    enrichment.findRelatedAlerts({ alert, scope: 'user' }),
  ]);
  const answers = groups.flat();
  const isClear = answers
    .filter((answer) => answer.question !== 'Q7')
    .every((answer) => answer.coverage === 'present' && answer.findings.every((finding) => !finding.isSuspicious));
  if (!isClear) answers.push(await enrichment.findRelatedAlerts({ alert, scope: 'host' }));
  await enrichment.reachVerdict({ alert, answers });
  return answers;
}

async function runQueries(enrichment: EnrichmentActivities, count: number): Promise<void> {
  const durationsMs: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const alert = bundledAlert(`bench-queries-${i}`);
    const before = performance.now();
    await investigate(enrichment, alert);
    durationsMs.push(performance.now() - before);
  }
  send({ event: 'queries-done', durationsMs, totalMs: performance.now() - started, peakRssBytes: peakRssBytes() });
}

function bundledAlert(uuid: string): Alert {
  const file = path.join(REPO_ROOT, 'data', 'alerts', 'positive-malseclogon.json');
  const document = { ...(JSON.parse(readFileSync(file, 'utf8')) as object), 'kibana.alert.uuid': uuid };
  const normalised = normaliseDocument(document, 0);
  if (!normalised.ok) throw new Error(`the bundled alert does not normalise: ${JSON.stringify(normalised.issues)}`);
  return normalised.alert;
}

/** The process's peak resident set (VmHWM), in bytes. */
function peakRssBytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

function send(message: ArmMessage): void {
  process.send?.(message);
}

main().catch((error: unknown) => {
  // The crash handler of an entry point is the one place that writes to the console directly.
  console.error(error);
  process.exit(1);
});
