/**
 * ECS data for the local OpenSearch node of scripts/opensearch.ts: the index templates of
 * tools/opensearch/ecs-templates.json, the index each bundled document belongs in, and a bulk
 * loader.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const TEMPLATES_FILE = path.resolve(__dirname, '..', 'tools', 'opensearch', 'ecs-templates.json');
const DATA_DIR = path.resolve(__dirname, '..', 'data');

/** A template or bulk request that the node rejected. */
export class OpenSearchLoadError extends Error {}

interface TemplatesFile {
  component_templates: Record<string, unknown>;
  index_templates: Record<string, unknown>;
}

/**
 * Creates the component and index templates of tools/opensearch/ecs-templates.json: keyword
 * fields as an ECS integration maps them, `@timestamp` as a date, data streams for the Elastic
 * Agent patterns, dated indices for winlogbeat, and an alias for the alerts index.
 */
export async function createTemplates(url: string): Promise<void> {
  const templates = JSON.parse(readFileSync(TEMPLATES_FILE, 'utf8')) as TemplatesFile;
  for (const [name, body] of Object.entries(templates.component_templates)) {
    await request(url, 'PUT', `/_component_template/${name}`, body);
  }
  for (const [name, body] of Object.entries(templates.index_templates)) {
    await request(url, 'PUT', `/_index_template/${name}`, body);
  }
}

/** An ECS document and the index or data stream it belongs in. */
export interface IndexedDocument {
  index: string;
  document: Record<string, unknown>;
}

/**
 * Bulk-loads documents with `create` operations (data streams accept no other) and refreshes,
 * so every document is searchable when it resolves. Throws `OpenSearchLoadError` listing the
 * first failed items when any document is rejected.
 */
export async function loadDocuments(url: string, documents: IndexedDocument[]): Promise<void> {
  const lines = documents.flatMap(({ index, document }) => [
    JSON.stringify({ create: { _index: index } }),
    JSON.stringify(document),
  ]);
  const body = (await request(url, 'POST', '/_bulk?refresh=true', `${lines.join('\n')}\n`)) as {
    errors: boolean;
    items: { create: { _index: string; status: number; error?: unknown } }[];
  };
  if (!body.errors) return;
  const failed = body.items
    .map((item) => item.create)
    .filter((item) => item.error !== undefined)
    .slice(0, 5)
    .map((item) => `${item._index} (HTTP ${item.status}): ${JSON.stringify(item.error)}`);
  throw new OpenSearchLoadError(`bulk load rejected documents:\n${failed.join('\n')}`);
}

/**
 * Returns the index that receives a bundled telemetry document, chosen as its shipper would:
 * winlogbeat writes dated `winlogbeat-VERSION-DATE` indices, and Elastic Agent writes the data
 * stream of its `data_stream` fields. Documents of other shippers (EVTX and NXLog conversions,
 * Beats test data) go to the Agent data stream of their event log channel.
 */
export function indexFor(document: Record<string, unknown>): string {
  const agent = objectAt(document, 'agent');
  const dataStream = objectAt(document, 'data_stream');
  if (agent.type === 'winlogbeat') {
    const day = String(document['@timestamp']).slice(0, 10).replaceAll('-', '.');
    return `winlogbeat-${String(agent.version ?? '7.17.0')}-${day}`;
  }
  if (typeof dataStream.dataset === 'string') {
    const type = String(dataStream.type ?? 'logs');
    return `${type}-${dataStream.dataset}-${String(dataStream.namespace ?? 'default')}`;
  }
  const channel = objectAt(document, 'winlog').channel;
  if (channel === 'Microsoft-Windows-Sysmon/Operational') {
    return 'logs-windows.sysmon_operational-default';
  }
  if (channel === 'Security') return 'logs-system.security-default';
  return 'logs-windows.forwarded-default';
}

/** The concrete index that Kibana writes Elastic Security alerts to, behind the alias searched. */
export const ALERTS_INDEX = '.internal.alerts-security.alerts-default-000001';

function objectAt(document: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = document[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Reads every document of data/telemetry/*.ndjson, in file order, with its target index. */
export function readBundledTelemetry(): IndexedDocument[] {
  const folder = path.join(DATA_DIR, 'telemetry');
  const names = readdirSync(folder)
    .filter((name) => name.endsWith('.ndjson'))
    .sort();
  return names.flatMap((name) =>
    readFileSync(path.join(folder, name), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const document = JSON.parse(line) as Record<string, unknown>;
        return { index: indexFor(document), document };
      }),
  );
}

/** Reads one bundled alert document from data/alerts as an alerts-index document. */
export function readBundledAlert(name: string): IndexedDocument {
  const document = JSON.parse(
    readFileSync(path.join(DATA_DIR, 'alerts', name), 'utf8'),
  ) as Record<string, unknown>;
  return { index: ALERTS_INDEX, document };
}

async function request(
  url: string,
  method: string,
  pathAndQuery: string,
  body: unknown,
): Promise<unknown> {
  const isNdjson = typeof body === 'string';
  const response = await fetch(`${url}${pathAndQuery}`, {
    method,
    headers: { 'content-type': isNdjson ? 'application/x-ndjson' : 'application/json' },
    body: isNdjson ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new OpenSearchLoadError(
      `${method} ${pathAndQuery} failed with HTTP ${response.status}: ${text.slice(0, 500)}`,
    );
  }
  return JSON.parse(text) as unknown;
}

/** Reads every bundled alert document of data/alerts as an alerts-index document. */
export function readBundledAlerts(): IndexedDocument[] {
  return readdirSync(path.join(DATA_DIR, 'alerts'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map(readBundledAlert);
}
