/**
 * The Elasticsearch telemetry source against a real search engine: an OpenSearch 2.19 node on
 * 127.0.0.1 (scripts/opensearch.ts), loaded with the bundled telemetry and alerts under ECS
 * mappings. Every query is compared with the embedded source reading the same documents.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert/alert';
import { normaliseDocument } from '../../src/alert/normalise';
import { investigateOffline, type OfflineInvestigation } from '../../src/investigation/investigate';
import { loadAssetInventory } from '../../src/investigation/inventory';
import { ElasticsearchTelemetrySource } from '../../src/telemetry/elasticsearch';
import type { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import type { QueryResult, TelemetryEvent, TimeWindow } from '../../src/telemetry/types';
import {
  embeddedSourceOf,
  isProcessRunning,
  recordingSource,
  replay,
  startLoadedNode,
  type LoadedNode,
  type RecordedQuery,
} from '../support/opensearch';

const DATA = path.resolve(__dirname, '..', '..', 'data');
const ALERT_FILES = [
  'positive-malseclogon.json',
  'near-miss-seclogon.json',
  'missing-telemetry.json',
];
/** The local account of the MSEDGEWIN10 recording (IEUser), as its 4624 stores it. */
const IEUSER_SID = 'S-1-5-21-3461203602-4096304019-2269080069-1000';
/** Wider than every bundled recording (2019 to 2021). */
const ALL_TIME: TimeWindow = { from: '2015-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' };

let loaded: LoadedNode | undefined;
let nodePid = -1;
let elasticsearch: ElasticsearchTelemetrySource;
let embedded: EmbeddedTelemetrySource;
let alert: Alert;

beforeAll(async () => {
  loaded = await startLoadedNode(ALERT_FILES, [userAlert()]);
  nodePid = loaded.node.pid;
  elasticsearch = new ElasticsearchTelemetrySource({ url: loaded.node.url, timeoutMs: 20_000 });
  embedded = embeddedSourceOf(loaded.documents);
  alert = readAlert('positive-malseclogon.json');
});

afterAll(async () => {
  await loaded?.node.stop();
  expect(isProcessRunning(nodePid)).toBe(false);
});

function readAlert(name: string): Alert {
  const document = JSON.parse(readFileSync(path.join(DATA, 'alerts', name), 'utf8')) as unknown;
  const result = normaliseDocument(document);
  if (!result.ok) {
    throw new Error(`bundled alert ${name} is invalid: ${JSON.stringify(result.issues)}`);
  }
  return result.alert;
}

/**
 * Returns the positive alert with a user SID and its own uuid. None of the bundled alerts
 * carries `user.id`, so related-alert queries by user would otherwise find nothing.
 */
function userAlert(): Record<string, unknown> {
  const document = JSON.parse(
    readFileSync(path.join(DATA, 'alerts', 'positive-malseclogon.json'), 'utf8'),
  ) as Record<string, unknown>;
  return {
    ...document,
    'kibana.alert.uuid': 'b7f0c6de-52a1-4d0e-8c1b-3f9e2a6d4c10',
    user: { id: IEUSER_SID, name: 'IEUser', domain: 'MSEDGEWIN10' },
    labels: { ...(document.labels as Record<string, unknown>), synthetic: true },
  };
}

function recordIds(result: QueryResult): string[] {
  return result.events.map((event) => event.recordId).sort();
}

function byRecordId(events: TelemetryEvent[]): TelemetryEvent[] {
  return [...events].sort((left, right) => left.recordId.localeCompare(right.recordId));
}

/** Runs one query on both sources and checks that they return the same records and coverage. */
async function expectSameAnswer(call: RecordedQuery): Promise<QueryResult> {
  const fromNode = await replay(elasticsearch, call);
  const fromMemory = await replay(embedded, call);
  const label = `${call.method} ${JSON.stringify(call.query)}`;

  expect(recordIds(fromNode), label).toEqual(recordIds(fromMemory));
  expect(fromNode.hasDataOfKind, label).toBe(fromMemory.hasDataOfKind);
  expect(byRecordId(fromNode.events), label).toEqual(byRecordId(fromMemory.events));
  const times = fromNode.events.map((event) => Date.parse(event.timestamp));
  expect(times, `${label}: oldest first`).toEqual([...times].sort((left, right) => left - right));
  return fromNode;
}

/**
 * Runs an earlier-runs query on both sources. The Elasticsearch source collapses the hits to one
 * per executable, so the two agree on which executables ran, not on every run.
 */
async function expectSameExecutables(call: RecordedQuery): Promise<void> {
  const fromNode = await replay(elasticsearch, call);
  const fromMemory = await replay(embedded, call);
  const label = `${call.method} ${JSON.stringify(call.query)}`;
  const executables = (result: QueryResult) =>
    [...new Set(result.events.map((event) => event.process?.executable ?? ''))].sort();

  expect(executables(fromNode), label).toEqual(executables(fromMemory));
  expect(fromNode.hasDataOfKind, label).toBe(fromMemory.hasDataOfKind);
  const referenceIds = fromMemory.events.map((event) => event.recordId);
  for (const event of fromNode.events) expect(referenceIds, label).toContain(event.recordId);
}

/** Returns the lower-case computer names of every loaded document. */
function hostNames(): string[] {
  const names = new Set<string>();
  for (const { document } of loaded?.documents ?? []) {
    const winlog = document.winlog as { computer_name?: string } | undefined;
    if (winlog?.computer_name !== undefined) names.add(winlog.computer_name.toLowerCase());
  }
  return [...names].sort();
}

/** Returns each computer name with the 4624 TargetUserSid and 4648 SubjectUserSid seen on it. */
function logonSids(): { host: string; sid: string }[] {
  const pairs = new Map<string, { host: string; sid: string }>();
  for (const { document } of loaded?.documents ?? []) {
    const code = (document.event as { code?: string } | undefined)?.code;
    const winlog = document.winlog as
      | { computer_name: string; event_data?: Record<string, string> }
      | undefined;
    const sid =
      code === '4624' ? winlog?.event_data?.TargetUserSid : winlog?.event_data?.SubjectUserSid;
    if ((code !== '4624' && code !== '4648') || sid === undefined || winlog === undefined) continue;
    const host = winlog.computer_name.toLowerCase();
    pairs.set(`${host} ${sid}`, { host, sid });
  }
  return [...pairs.values()];
}

describe('ElasticsearchTelemetrySource on OpenSearch', () => {
  it('finds every loaded document', async () => {
    const response = await fetch(`${loaded?.node.url}/_count`);
    const body = (await response.json()) as { count: number };

    expect(body.count).toBe(loaded?.documents.length);
  });

  it('answers process and file queries for every host', async () => {
    const hosts = hostNames();
    expect(hosts.length).toBeGreaterThan(5);

    for (const name of hosts) {
      for (const method of ['processEvents', 'fileEvents'] as const) {
        await expectSameAnswer({ method, query: { host: { name }, window: ALL_TIME } });
      }
    }
  });

  it('returns the positive alert host process events', async () => {
    const result = await expectSameAnswer({
      method: 'processEvents',
      query: { host: alert.host, window: ALL_TIME },
    });

    expect(result.hasDataOfKind).toBe(true);
    expect(result.events.map((event) => event.recordId)).toContain('tutto_malseclogon#619516');
  });

  it('matches hosts by FQDN and computer name', async () => {
    const variants = [
      { name: `${alert.host.name}.shire.example` },
      { name: alert.host.name.toUpperCase() },
      { id: 'host-id-not-in-data', name: alert.host.name },
    ];

    for (const host of variants) {
      const result = await expectSameAnswer({
        method: 'processEvents',
        query: { host, window: ALL_TIME },
      });
      expect(result.events.length, JSON.stringify(host)).toBeGreaterThan(0);
    }
  });

  it('filters authentication by user SID', async () => {
    const pairs = logonSids();
    expect(pairs.length).toBeGreaterThan(5);
    const queries = [
      ...hostNames().flatMap((host) => [
        { host, userId: undefined },
        { host, userId: 'S-1-5-21-0-0-0-1000' },
      ]),
      ...pairs.flatMap(({ host, sid }) => [
        { host, userId: sid },
        { host, userId: sid.toLowerCase() },
      ]),
    ];

    for (const { host, userId } of queries) {
      const result = await expectSameAnswer({
        method: 'authenticationEvents',
        query: { host: { name: host }, userId, window: ALL_TIME },
      });
      if (userId?.startsWith('S-1-5-21-0-')) expect(result.events).toEqual([]);
    }
    const lowerCase = await elasticsearch.authenticationEvents({
      host: alert.host,
      userId: IEUSER_SID.toLowerCase(),
      window: ALL_TIME,
    });
    expect(lowerCase.events.map((event) => event.recordId)).toEqual(['tutto_malseclogon#329918']);
  });

  it('pages with search_after to the same records', async () => {
    const paged = new ElasticsearchTelemetrySource({
      url: loaded?.node.url ?? '',
      timeoutMs: 20_000,
      pageSize: 3,
    });
    const capped = new ElasticsearchTelemetrySource({
      url: loaded?.node.url ?? '',
      timeoutMs: 20_000,
      pageSize: 3,
      maxHits: 5,
    });
    const query = { host: alert.host, window: ALL_TIME };

    const whole = await elasticsearch.processEvents(query);
    const inPages = await paged.processEvents(query);
    const cut = await capped.processEvents(query);

    expect(whole.events.length).toBeGreaterThan(6);
    expect(inPages.events.map((event) => event.recordId)).toEqual(
      whole.events.map((event) => event.recordId),
    );
    expect(inPages.capped).toBeUndefined();
    expect(cut.events.map((event) => event.recordId)).toEqual(
      whole.events.slice(0, 5).map((event) => event.recordId),
    );
    expect(cut.capped).toEqual({ maxHits: 5, matched: whole.events.length });
  });

  it('finds earlier runs in any letter case', async () => {
    const query = {
      host: alert.host,
      window: ALL_TIME,
      executables: [
        'C:\\WINDOWS\\SYSTEM32\\SVCHOST.EXE',
        '\\\\vboxsvr\\users\\analyst\\downloads\\malseclogon-master\\x64\\debug\\malseclogon.exe',
        'C:\\Tools\\not-run.exe',
      ],
    };

    await expectSameExecutables({ method: 'executableHistory', query });
    const result = await elasticsearch.executableHistory(query);
    const reference = await embedded.executableHistory(query);

    // Field collapse returns one run per executable where the embedded source returns them all.
    expect(result.events).toHaveLength(2);
    expect(reference.events.length).toBeGreaterThan(2);
    expect(result.hasDataOfKind).toBe(true);
  });

  it('returns related alerts by user and host', async () => {
    const queries = [
      { userId: IEUSER_SID, window: ALL_TIME },
      { userId: IEUSER_SID.toLowerCase(), window: ALL_TIME },
      { userId: 'S-1-5-21-0-0-0-1000', window: ALL_TIME },
      { host: alert.host, window: ALL_TIME },
      { userId: IEUSER_SID, host: alert.host, window: ALL_TIME },
      { userId: IEUSER_SID, host: { name: 'it001.shire.example' }, window: ALL_TIME },
      { host: { name: 'ws-nodata-01' }, window: ALL_TIME },
      { host: alert.host, window: { from: '2015-01-01T00:00:00Z', to: '2015-01-02T00:00:00Z' } },
    ];

    for (const query of queries) {
      await expectSameAnswer({ method: 'relatedAlerts', query });
    }
    const byUser = await elasticsearch.relatedAlerts({
      userId: IEUSER_SID.toLowerCase(),
      window: ALL_TIME,
    });
    expect(byUser.events.map((event) => event.recordId)).toEqual([
      'tutto_malseclogon#b7f0c6de-52a1-4d0e-8c1b-3f9e2a6d4c10',
    ]);
    const byHost = await elasticsearch.relatedAlerts({ host: alert.host, window: ALL_TIME });
    expect(byHost.events).toHaveLength(2);
  });

  it('answers every investigation query alike', async () => {
    const inventory = await loadAssetInventory(path.join(DATA, 'asset-inventory.json'));
    const calls: RecordedQuery[] = [];
    await investigateOffline(alert, recordingSource(embedded, calls), inventory);

    const methods = new Set(calls.map((call) => call.method));
    expect([...methods].sort()).toEqual([
      'authenticationEvents',
      'executableHistory',
      'fileEvents',
      'processEvents',
      'relatedAlerts',
    ]);
    for (const call of calls) {
      if (call.method === 'executableHistory') await expectSameExecutables(call);
      else await expectSameAnswer(call);
    }
  });

  it('reaches the embedded verdict and findings', async () => {
    const inventory = await loadAssetInventory(path.join(DATA, 'asset-inventory.json'));

    const fromNode = await investigateOffline(alert, elasticsearch, inventory);
    const fromMemory = await investigateOffline(alert, embedded, inventory);

    expect(fromNode.source).toBe('elasticsearch');
    expect(fromNode.verdict.kind).toBe('escalate');
    expect(fromNode.verdict.kind).toBe(fromMemory.verdict.kind);
    expect(fromNode.allowedActions).toEqual(fromMemory.allowedActions);
    expect(reasonsOf(fromNode)).toEqual(reasonsOf(fromMemory));
    expect(findingsOf(fromNode)).toEqual(findingsOf(fromMemory));
    expect(coverageOf(fromNode)).toEqual(coverageOf(fromMemory));
    expect(findingsOf(fromNode)).toEqual(
      expect.arrayContaining([
        'Q1 malseclogon-tuple',
        'Q2 seclogon-service-host',
        'Q2 ppid-spoofed-to-lsass',
        'Q4 lsass-clone',
        'Q6 logon-type-9',
      ]),
    );
  });
});

function reasonsOf(result: OfflineInvestigation): string[] {
  return result.verdict.reasons.map(
    (reason) => `${reason.question} ${reason.effect} ${reason.recordIds.join(',')}`,
  );
}

function findingsOf(result: OfflineInvestigation): string[] {
  return result.answers.flatMap((answer) =>
    answer.findings.map((finding) => `${answer.question} ${finding.kind}`),
  );
}

function coverageOf(result: OfflineInvestigation): string[] {
  return result.answers.map(
    (answer) => `${answer.question} ${answer.coverage} ${answer.evidenceRecordIds.join(',')}`,
  );
}
