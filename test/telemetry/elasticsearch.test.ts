import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TelemetryUnavailableError } from '../../src/errors';
import {
  ElasticsearchTelemetrySource,
  isTransientTelemetryError,
} from '../../src/telemetry/elasticsearch';
import { EVENT_SORT } from '../../src/telemetry/elasticsearch-query';

interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body: Record<string, unknown>;
}

type Reply = (request: RecordedRequest, response: ServerResponse) => void;

const WINDOW = { from: '2021-12-07T16:33:01.600Z', to: '2021-12-07T18:33:01.600Z' };
const HOST = { id: 'host-id-1', name: 'msedgewin10' };

const processHit = {
  _index: '.ds-logs-windows.sysmon_operational-default-2021.12.07-000001',
  _id: 'abc',
  _source: {
    '@timestamp': '2021-12-07T17:33:01.636Z',
    event: { code: '1', category: ['process'], kind: 'event' },
    host: { id: 'host-id-1', name: 'msedgewin10' },
    winlog: {
      record_id: '619518',
      event_data: { LogonId: '0x00000000016E3DB3', ParentProcessId: '636' },
    },
    process: {
      entity_id: '{747F3D96-9ACD-61AF-D601-000000000102}',
      pid: 6072,
      executable: 'C:\\Tools\\MalSeclogon.exe',
      command_line: 'MalSeclogon.exe  -p 636 -d 2 -l 1',
    },
    labels: { dataset: 'tutto_malseclogon' },
  },
};

function hits(list: unknown[], total = list.length) {
  return {
    took: 1,
    timed_out: false,
    hits: { total: { value: total, relation: 'eq' }, max_score: null, hits: list },
  };
}

let server: Server;
let baseUrl: string;
let requests: RecordedRequest[];
let reply: Reply;

beforeAll(async () => {
  server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        authorization: incoming.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      };
      requests.push(request);
      reply(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  reply = (_request, response) => json(response, 200, hits([]));
});

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function source(timeoutMs = 2_000, paging: { maxHits?: number; pageSize?: number } = {}) {
  return new ElasticsearchTelemetrySource({
    url: baseUrl,
    apiKey: 'c2VjcmV0OmtleQ==',
    timeoutMs,
    maxHits: paging.maxHits ?? 50,
    pageSize: paging.pageSize ?? 50,
  });
}

/** Numbered process hits with sort values, as a `_search` with `sort` returns them. */
function numberedHits(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    _index: processHit._index,
    _id: `hit-${index}`,
    _source: {
      ...processHit._source,
      winlog: { ...processHit._source.winlog, record_id: String(1000 + index) },
    },
    sort: [1638898381636, processHit._index, String(1000 + index), null],
  }));
}

/** Answers each `_search` with the page that follows `search_after`, like Elasticsearch. */
function pagedReply(all: Record<string, unknown>[]): Reply {
  return (request, response) => {
    const after = request.body.search_after as unknown[] | undefined;
    const start =
      after === undefined ? 0 : all.findIndex((hit) => (hit.sort as unknown[])[2] === after[2]) + 1;
    const size = request.body.size as number;
    json(response, 200, hits(all.slice(start, start + size), all.length));
  };
}

function filtersOf(request: RecordedRequest): unknown[] {
  const query = request.body.query as { bool: { filter: unknown[] } };
  return query.bool.filter;
}

describe('ElasticsearchTelemetrySource', () => {
  it('posts a bool-filtered _search for process events', async () => {
    reply = (_request, response) => json(response, 200, hits([processHit]));

    const result = await source().processEvents({ host: HOST, window: WINDOW });

    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(
      '/logs-endpoint.events.*,logs-windows.sysmon_operational-*,logs-system.security-*,winlogbeat-*/_search',
    );
    expect(request?.query.get('ignore_unavailable')).toBe('true');
    expect(request?.authorization).toBe('ApiKey c2VjcmV0OmtleQ==');
    expect(request?.body.size).toBe(50);
    expect(request?.body.track_total_hits).toBe(true);
    expect(request?.body.sort).toEqual(EVENT_SORT);
    expect((request?.body.sort as unknown[])[0]).toEqual({ '@timestamp': { order: 'asc' } });
    const filters = filtersOf(request as RecordedRequest);
    expect(filters).toContainEqual({ term: { 'event.category': 'process' } });
    expect(filters).toContainEqual({
      range: {
        '@timestamp': { gte: WINDOW.from, lte: WINDOW.to, format: 'strict_date_optional_time' },
      },
    });
    expect(JSON.stringify(filters)).toContain('"host.id":"host-id-1"');
    expect(result.hasDataOfKind).toBe(true);
    expect(result.events).toHaveLength(1);
  });

  it('maps hits through the shared ECS mapping', async () => {
    reply = (_request, response) => json(response, 200, hits([processHit]));

    const [event] = (await source().processEvents({ host: HOST, window: WINDOW })).events;

    expect(event?.recordId).toBe('tutto_malseclogon#619518');
    expect(event?.process?.entityId).toBe('{747f3d96-9acd-61af-d601-000000000102}');
    expect(event?.process?.logonId).toBe('0x16e3db3');
    expect(event?.process?.parent?.pid).toBe(636);
  });

  it('filters by computer name when the host has no id', async () => {
    await source().fileEvents({ host: { name: 'workstation5.theshire.local' }, window: WINDOW });

    const filters = JSON.stringify(filtersOf(requests[0] as RecordedRequest));
    expect(filters).toContain('{"term":{"host.name":"workstation5"}}');
    expect(filters).toContain('{"prefix":{"host.name":"workstation5."}}');
    expect(filters).toContain('{"term":{"event.category":"file"}}');
    expect(filters).not.toContain('host.id');
  });

  it('matches forwarded events by winlog.computer_name', async () => {
    await source().processEvents({ host: HOST, window: WINDOW });

    const filters = JSON.stringify(filtersOf(requests[0] as RecordedRequest));
    expect(filters).toContain(
      '{"term":{"winlog.computer_name":{"value":"msedgewin10","case_insensitive":true}}}',
    );
  });

  it('asks for one earlier run per executable', async () => {
    reply = (request, response) =>
      json(response, 200, request.body.size === 0 ? hits([], 3) : hits([]));

    const result = await source().executableHistory({
      host: HOST,
      window: WINDOW,
      executables: ['C:\\Tools\\x.exe'],
    });

    expect(requests[0]?.body.collapse).toEqual({ field: 'process.executable' });
    expect(JSON.stringify(filtersOf(requests[0] as RecordedRequest))).toContain(
      '"process.executable":{"value":"C:\\\\Tools\\\\x.exe","case_insensitive":true}',
    );
    expect(requests[1]?.body.size).toBe(0);
    expect(result.hasDataOfKind).toBe(true);
    expect(result.events).toEqual([]);
  });

  it('sends 4624 and 4648 user filters and a count query', async () => {
    reply = (request, response) =>
      json(response, 200, request.body.size === 0 ? hits([], 12) : hits([]));

    const result = await source().authenticationEvents({
      host: HOST,
      userId: 'S-1-5-21-1-2-3-1000',
      window: WINDOW,
    });

    expect(requests).toHaveLength(2);
    expect(requests[0]?.path).toBe('/logs-system.security-*,winlogbeat-*/_search');
    const userFilter = JSON.stringify(filtersOf(requests[0] as RecordedRequest));
    expect(userFilter).toContain(
      '{"term":{"event.code":"4624"}},{"term":{"winlog.event_data.TargetUserSid":{"value":"S-1-5-21-1-2-3-1000","case_insensitive":true}}}',
    );
    expect(userFilter).toContain(
      '{"term":{"event.code":"4648"}},{"term":{"winlog.event_data.SubjectUserSid":{"value":"S-1-5-21-1-2-3-1000","case_insensitive":true}}}',
    );
    expect(requests[1]?.body.size).toBe(0);
    expect(JSON.stringify(requests[1]?.body)).not.toContain('TargetUserSid');
    expect(result.hasDataOfKind).toBe(true);
    expect(result.events).toEqual([]);
  });

  it('reads related alerts from the alerts index', async () => {
    await source().relatedAlerts({ userId: 'S-1-5-21-1-2-3-1000', window: WINDOW });

    expect(requests[0]?.path).toBe('/.alerts-security.alerts-default/_search');
    const filters = filtersOf(requests[0] as RecordedRequest);
    expect(filters).toContainEqual({ term: { 'event.kind': 'signal' } });
    expect(filters).toContainEqual({
      term: { 'user.id': { value: 'S-1-5-21-1-2-3-1000', case_insensitive: true } },
    });
  });

  it('reports no data when the count is zero', async () => {
    const result = await source().authenticationEvents({ host: HOST, window: WINDOW });

    expect(result.hasDataOfKind).toBe(false);
  });

  it('raises a non-retryable error on 401', async () => {
    reply = (_request, response) =>
      json(response, 401, {
        error: {
          root_cause: [],
          type: 'security_exception',
          reason:
            'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
        },
        status: 401,
      });

    const error = await source()
      .processEvents({ host: HOST, window: WINDOW })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TelemetryUnavailableError);
    expect((error as Error).message).toContain('HTTP 401: security_exception');
    expect(isTransientTelemetryError(error)).toBe(false);
  });

  it('raises a retryable error on 503', async () => {
    reply = (_request, response) =>
      json(response, 503, {
        error: { type: 'cluster_block_exception', reason: 'blocked' },
        status: 503,
      });

    const error = await source()
      .processEvents({ host: HOST, window: WINDOW })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TelemetryUnavailableError);
    expect(isTransientTelemetryError(error)).toBe(true);
  });

  it('raises a retryable error when the cluster hangs', async () => {
    reply = () => undefined;

    const error = await source(200)
      .processEvents({ host: HOST, window: WINDOW })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TelemetryUnavailableError);
    expect((error as Error).message).toContain('timed out');
    expect(isTransientTelemetryError(error)).toBe(true);
  });

  it('raises a non-retryable error on a malformed reply', async () => {
    reply = (_request, response) => json(response, 200, { acknowledged: true });

    const error = await source()
      .processEvents({ host: HOST, window: WINDOW })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TelemetryUnavailableError);
    expect(isTransientTelemetryError(error)).toBe(false);
  });

  it('pages with search_after until the end', async () => {
    reply = pagedReply(numberedHits(25));

    const result = await source(2_000, { maxHits: 100, pageSize: 10 }).processEvents({
      host: HOST,
      window: WINDOW,
    });

    expect(requests).toHaveLength(3);
    expect(requests[0]?.body.search_after).toBeUndefined();
    expect(requests[1]?.body.search_after).toEqual(numberedHits(25)[9]?.sort);
    expect(requests[2]?.body.search_after).toEqual(numberedHits(25)[19]?.sort);
    expect(result.events.map((event) => event.recordId)).toEqual(
      Array.from({ length: 25 }, (_, index) => `tutto_malseclogon#${1000 + index}`),
    );
    expect(result.capped).toBeUndefined();
  });

  it('stops at the cap and says so', async () => {
    reply = pagedReply(numberedHits(25));

    const result = await source(2_000, { maxHits: 15, pageSize: 10 }).fileEvents({
      host: HOST,
      window: WINDOW,
    });

    expect(requests.map((request) => request.body.size)).toEqual([10, 5]);
    expect(result.events).toHaveLength(15);
    expect(result.capped).toEqual({ maxHits: 15, matched: 25 });
    expect(result.querySummary).toContain('15 of 25 (stopped at the cap of 15)');
  });

  it('marks a reply without sort values as capped', async () => {
    reply = (_request, response) => json(response, 200, hits([processHit], 40));

    const result = await source(2_000, { maxHits: 100, pageSize: 10 }).processEvents({
      host: HOST,
      window: WINDOW,
    });

    expect(requests).toHaveLength(1);
    expect(result.capped).toEqual({ maxHits: 100, matched: 40 });
  });

  it('searches the configured index patterns', async () => {
    const configured = new ElasticsearchTelemetrySource({
      url: baseUrl,
      indices: { authentication: ['logs-custom.security-*'], alerts: ['.alerts-security.alerts-soc'] },
    });

    await configured.authenticationEvents({ host: HOST, window: WINDOW });
    await configured.relatedAlerts({ host: HOST, window: WINDOW });

    expect(requests.map((request) => request.path)).toEqual([
      '/logs-custom.security-*/_search',
      '/logs-custom.security-*/_search',
      '/.alerts-security.alerts-soc/_search',
      '/.alerts-security.alerts-soc/_search',
    ]);
  });
});
