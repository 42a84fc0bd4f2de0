/**
 * Test helpers around the local OpenSearch node of scripts/opensearch.ts: a node loaded with the
 * bundled telemetry and alerts, an embedded source built from the very same documents, and a
 * wrapper that records every query a telemetry source receives.
 */
import { startNode, type RunningNode } from '../../scripts/opensearch';
import {
  ALERTS_INDEX,
  createTemplates,
  loadDocuments,
  readBundledAlert,
  readBundledTelemetry,
  type IndexedDocument,
} from '../../scripts/opensearch-data';
import { ecsToTelemetryEvent } from '../../src/telemetry/ecs-event';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import type {
  AlertQuery,
  AuthenticationQuery,
  ExecutableHistoryQuery,
  ProcessQuery,
  QueryResult,
  TelemetryEvent,
  TelemetrySource,
} from '../../src/telemetry/types';

export interface LoadedNode {
  node: RunningNode;
  /** Every document loaded, with the index it went to. */
  documents: IndexedDocument[];
}

/**
 * Starts a node, creates the ECS templates and loads data/telemetry/*.ndjson, the named alerts
 * of data/alerts and `extraAlerts` into the alerts index. Stops the node again when loading
 * fails.
 */
export async function startLoadedNode(
  alertFiles: string[],
  extraAlerts: Record<string, unknown>[] = [],
): Promise<LoadedNode> {
  const node = await startNode();
  try {
    const documents = [
      ...readBundledTelemetry(),
      ...alertFiles.map(readBundledAlert),
      ...extraAlerts.map((document) => ({ index: ALERTS_INDEX, document })),
    ];
    await createTemplates(node.url);
    await loadDocuments(node.url, documents);
    return { node, documents };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/**
 * Builds an embedded source over the loaded documents, read as
 * `EmbeddedTelemetrySource.fromDirectory` reads files, so that a document of the alerts index
 * counts only when it is an alert.
 */
export function embeddedSourceOf(documents: IndexedDocument[]): EmbeddedTelemetrySource {
  const events: TelemetryEvent[] = [];
  for (const { index, document } of documents) {
    const event = ecsToTelemetryEvent(document, index);
    if (event === undefined) continue;
    if (index === ALERTS_INDEX && event.category !== 'alert') continue;
    events.push(event);
  }
  return new EmbeddedTelemetrySource(events, { name: 'embedded' });
}

/** One call that a telemetry source received. */
export type RecordedQuery =
  | { method: 'processEvents' | 'fileEvents'; query: ProcessQuery }
  | { method: 'authenticationEvents'; query: AuthenticationQuery }
  | { method: 'executableHistory'; query: ExecutableHistoryQuery }
  | { method: 'relatedAlerts'; query: AlertQuery };

/** Wraps `source` so that every call is appended to `calls` before it is passed on. */
export function recordingSource(source: TelemetrySource, calls: RecordedQuery[]): TelemetrySource {
  return {
    name: source.name,
    processEvents: (query) => {
      calls.push({ method: 'processEvents', query: structuredClone(query) });
      return source.processEvents(query);
    },
    fileEvents: (query) => {
      calls.push({ method: 'fileEvents', query: structuredClone(query) });
      return source.fileEvents(query);
    },
    authenticationEvents: (query) => {
      calls.push({ method: 'authenticationEvents', query: structuredClone(query) });
      return source.authenticationEvents(query);
    },
    executableHistory: (query) => {
      calls.push({ method: 'executableHistory', query: structuredClone(query) });
      return source.executableHistory(query);
    },
    relatedAlerts: (query) => {
      calls.push({ method: 'relatedAlerts', query: structuredClone(query) });
      return source.relatedAlerts(query);
    },
  };
}

/** Sends a recorded query to `source` again. */
export function replay(source: TelemetrySource, call: RecordedQuery): Promise<QueryResult> {
  switch (call.method) {
    case 'processEvents':
      return source.processEvents(call.query);
    case 'fileEvents':
      return source.fileEvents(call.query);
    case 'authenticationEvents':
      return source.authenticationEvents(call.query);
    case 'executableHistory':
      return source.executableHistory(call.query);
    case 'relatedAlerts':
      return source.relatedAlerts(call.query);
  }
}

/** True while a process with this id exists (signal 0 tests for existence only). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
