/**
 * Child-process entry for the fault tests: the product's response worker (`createResponseWorker`)
 * with the real enrichment and response activities, the bundled telemetry and the embedded
 * connector journalled under the data folder. Faults come from the options in argv[2] (JSON).
 * It reports over IPC: `ready` once polling, `holding` when a held activity starts.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createEnrichmentActivities } from '../../../activities/enrichment';
import { createResponseActivities } from '../../../activities/response';
import type { EnrichmentActivities } from '../../../activities/types';
import type { Alert } from '../../../src/alert/alert';
import { EvidenceStore } from '../../../src/evidence/store';
import { loadAssetInventory } from '../../../src/investigation/inventory';
import { createLogger } from '../../../src/logging';
import type { ResponseConnector } from '../../../src/response/connector';
import { EmbeddedConnector } from '../../../src/response/embedded-connector';
import { ReceiptJournal } from '../../../src/response/receipt-journal';
import { connectorJournalFile } from '../../../src/stack';
import { EmbeddedTelemetrySource } from '../../../src/telemetry/embedded';
import { createResponseWorker, installRuntimeLogger } from '../../../src/temporal/worker';
import { FaultyTelemetrySource, type TelemetryFault } from './faulty-source';

export interface WorkerProcessOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  dataDir: string;
  /** Path of a prebuilt workflow bundle, so each child skips webpack. */
  workflowBundlePath: string;
  telemetry?: TelemetryFault;
  /** Alert ids whose enrichment activities wait `holdMs` before they run. */
  holdEnrichmentOf?: string[];
  /** How long a held activity waits; unset, it waits until the process is killed. */
  holdMs?: number;
  /** Idempotency keys whose step is recorded by the connector and then never finishes here. */
  holdResponseKeys?: string[];
}

export type WorkerEvent =
  | { event: 'ready'; pid: number }
  | { event: 'holding'; kind: 'enrichment' | 'response'; key: string };

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** A held activity waits this long at most, so an orphaned child still ends by itself. */
const HOLD_LIMIT_MS = 10 * 60_000;
/** A child whose parent vanished stops after this long even if nobody kills it. */
const LIFETIME_LIMIT_MS = 10 * 60_000;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessOptions;
  const logger = createLogger('error');
  const embedded = await EmbeddedTelemetrySource.fromDirectory(path.join(REPO_ROOT, 'data', 'telemetry'));
  const source = options.telemetry ? new FaultyTelemetrySource(embedded, options.telemetry) : embedded;
  const enrichment = createEnrichmentActivities({
    source,
    inventory: await loadAssetInventory(path.join(REPO_ROOT, 'data', 'asset-inventory.json')),
  });
  const connector = new EmbeddedConnector(
    undefined,
    undefined,
    new EvidenceStore(path.join(options.dataDir, 'evidence')),
    new ReceiptJournal(connectorJournalFile({ SOAR_DATA_DIR: options.dataDir })),
  );

  // The SDK's runtime takes its logger before the first connection, or it logs to the console.
  installRuntimeLogger(logger);
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await createResponseWorker({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: {
      ...holdEnrichment(enrichment, new Set(options.holdEnrichmentOf ?? []), options.holdMs ?? HOLD_LIMIT_MS),
      ...createResponseActivities({ connector: holdResponse(connector, new Set(options.holdResponseKeys ?? [])) }),
    },
    logger,
    workflowBundle: { codePath: options.workflowBundlePath },
  });
  const lifetime = setTimeout(() => worker.shutdown(), LIFETIME_LIMIT_MS);
  process.once('SIGTERM', () => worker.shutdown());
  process.once('disconnect', () => worker.shutdown());
  const running = worker.run();
  await waitUntilRunning(worker);
  report({ event: 'ready', pid: process.pid });
  await running;
  clearTimeout(lifetime);
  await connection.close();
}

function holdEnrichment(
  activities: EnrichmentActivities,
  alertIds: Set<string>,
  holdMs: number,
): EnrichmentActivities {
  if (alertIds.size === 0) return activities;
  const held = async (alert: Alert): Promise<void> => {
    if (!alertIds.has(alert.alertId)) return;
    report({ event: 'holding', kind: 'enrichment', key: alert.alertId });
    await new Promise((resolve) => setTimeout(resolve, holdMs));
  };
  return {
    ...activities,
    assessTuple: async (alert) => (await held(alert), activities.assessTuple(alert)),
    recoverProcessLineage: async (alert) => (await held(alert), activities.recoverProcessLineage(alert)),
    searchDumpArtifacts: async (alert) => (await held(alert), activities.searchDumpArtifacts(alert)),
    assessImpact: async (alert) => (await held(alert), activities.assessImpact(alert)),
    pivotAuthentication: async (alert) => (await held(alert), activities.pivotAuthentication(alert)),
    findRelatedAlerts: async (input) => (await held(input.alert), activities.findRelatedAlerts(input)),
  };
}

// The hold comes after the connector recorded the step, so the retry on another worker meets a
// receipt it did not write: the case the journal exists for.
function holdResponse(connector: ResponseConnector, keys: Set<string>): ResponseConnector {
  return {
    name: connector.name,
    execute: async (request) => {
      const receipt = await connector.execute(request);
      if (keys.has(request.idempotencyKey)) {
        report({ event: 'holding', kind: 'response', key: request.idempotencyKey });
        await new Promise((resolve) => setTimeout(resolve, HOLD_LIMIT_MS));
      }
      return receipt;
    },
  };
}

async function waitUntilRunning(worker: { getState(): string }): Promise<void> {
  while (worker.getState() !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 50));
}

function report(event: WorkerEvent): void {
  process.send?.(event);
}

main().catch((error: unknown) => {
  // The crash handler of an entry point is the one place that writes to the console directly.
  console.error(error);
  process.exit(1);
});
