import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { TelemetryUnavailableError, errorMessage } from '../errors';
import { ecsToTelemetryEvent } from './ecs-event';
import {
  DEFAULT_INDEX_PATTERNS,
  SIGNAL_FILTER,
  categoryFilter,
  countBody,
  executablesFilter,
  hostFilter,
  searchBody,
  sidTerm,
  timeFilter,
  userAuthenticationFilter,
  type IndexPatterns,
} from './elasticsearch-query';
import type {
  AlertQuery,
  AuthenticationQuery,
  ExecutableHistoryQuery,
  ProcessQuery,
  QueryResult,
  TelemetryEvent,
  TelemetrySource,
} from './types';

export { DEFAULT_INDEX_PATTERNS, type IndexPatterns } from './elasticsearch-query';

export interface ElasticsearchOptions {
  /** Base URL of the cluster, e.g. `https://es.example:9200`. */
  url: string;
  /** Encoded API key, sent as `Authorization: ApiKey <key>`. */
  apiKey?: string;
  /** @default 10_000 */
  timeoutMs?: number;
  /** @default DEFAULT_INDEX_PATTERNS */
  indices?: Partial<IndexPatterns>;
  /**
   * Maximum events one query returns, over all its pages. A query that matches more returns the
   * oldest `maxHits` and sets `capped` on its result.
   * @default 500
   */
  maxHits?: number;
  /** Hits per `_search` request (`size`); later pages follow with `search_after`. @default 500 */
  pageSize?: number;
}

const SearchResponseSchema = z.object({
  hits: z.object({
    total: z.union([z.number(), z.object({ value: z.number(), relation: z.string().optional() })]),
    hits: z.array(
      z.object({
        _index: z.string(),
        _id: z.string().optional(),
        _source: z.record(z.string(), z.unknown()),
        sort: z.array(z.unknown()).optional(),
      }),
    ),
  }),
});
type SearchResponse = z.infer<typeof SearchResponseSchema>;
type SearchHit = SearchResponse['hits']['hits'][number];

/** The hits of every page of one query, and how many documents matched in all. */
interface PagedHits {
  hits: SearchHit[];
  total: number;
}

/** A `TelemetryUnavailableError` with a flag that tells whether retrying the same request can help. */
export type TelemetryRequestError = TelemetryUnavailableError & { retryable: boolean };

/**
 * True for telemetry failures that a retry may fix: timeouts, connection errors, 5xx, 408
 * and 429. Authentication, permission and malformed-request or malformed-reply failures are
 * not transient.
 */
export function isTransientTelemetryError(error: unknown): boolean {
  return (
    error instanceof TelemetryUnavailableError &&
    'retryable' in error &&
    (error as TelemetryRequestError).retryable === true
  );
}

/**
 * Reads telemetry from Elasticsearch with `POST <indices>/_search`. Every query filters on the
 * host, the event category and `@timestamp` in the window, and reads pages oldest first with
 * `search_after` until the end or `maxHits`; a result cut at `maxHits` carries `capped`. Every
 * method throws `TelemetryRequestError` when a search fails and is read-only, so a retry is safe.
 */
export class ElasticsearchTelemetrySource implements TelemetrySource {
  readonly name = 'elasticsearch';
  private readonly http: AxiosInstance;
  private readonly indices: IndexPatterns;
  private readonly maxHits: number;
  private readonly pageSize: number;

  constructor(options: ElasticsearchOptions) {
    this.indices = { ...DEFAULT_INDEX_PATTERNS, ...options.indices };
    this.maxHits = options.maxHits ?? 500;
    this.pageSize = options.pageSize ?? 500;
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        'Content-Type': 'application/json',
        ...(options.apiKey === undefined ? {} : { Authorization: `ApiKey ${options.apiKey}` }),
      },
      // The API key must not travel through a proxy taken from HTTP_PROXY, so axios' proxy lookup is off.
      proxy: false,
    });
  }

  async processEvents(query: ProcessQuery): Promise<QueryResult> {
    const filters = [hostFilter(query.host), categoryFilter('process'), timeFilter(query.window)];
    const paged = await this.searchPages(this.indices.process, filters);
    return this.toResult(paged, paged.total > 0, `process events for ${query.host.name}`);
  }

  async fileEvents(query: ProcessQuery): Promise<QueryResult> {
    const filters = [hostFilter(query.host), categoryFilter('file'), timeFilter(query.window)];
    const paged = await this.searchPages(this.indices.file, filters);
    return this.toResult(paged, paged.total > 0, `file events for ${query.host.name}`);
  }

  /** 4624/4648 for the user; a second, count-only search decides `hasDataOfKind`. */
  async authenticationEvents(query: AuthenticationQuery): Promise<QueryResult> {
    const indices = this.indices.authentication;
    const scope = [
      hostFilter(query.host),
      categoryFilter('authentication'),
      timeFilter(query.window),
    ];
    const paged = await this.searchPages(indices, [
      ...scope,
      userAuthenticationFilter(query.userId),
    ]);
    const hasData =
      paged.total > 0 || totalOf(await this.search(indices, countBody(scope))) > 0;
    return this.toResult(paged, hasData, `4624/4648 for ${query.userId ?? 'any user'}`);
  }

  /**
   * Earlier runs of the executables, one hit per distinct `process.executable` (field collapse),
   * so that one busy executable cannot crowd the others out of `maxHits`. A count-only search
   * over every process event decides `hasDataOfKind`.
   * NOTE: Elasticsearch accepts `search_after` with `collapse` only when sorting on the collapse
   * field, so this query reads one page of `maxHits` groups.
   */
  async executableHistory(query: ExecutableHistoryQuery): Promise<QueryResult> {
    const indices = this.indices.process;
    const scope = [hostFilter(query.host), categoryFilter('process'), timeFilter(query.window)];
    const body = {
      ...searchBody([...scope, executablesFilter(query.executables)], this.maxHits),
      collapse: { field: 'process.executable' },
    };
    const response = await this.search(indices, body);
    const hasData =
      totalOf(response) > 0 || totalOf(await this.search(indices, countBody(scope))) > 0;
    // The total counts runs, not executables, so it cannot tell whether groups were cut off.
    const paged = { hits: response.hits.hits, total: response.hits.hits.length };
    return this.toResult(paged, hasData, `earlier runs for ${query.host.name}`);
  }

  /** Alerts for the user and/or host; `hasDataOfKind` is true when any alert is stored in the window. */
  async relatedAlerts(query: AlertQuery): Promise<QueryResult> {
    const scope = [SIGNAL_FILTER, timeFilter(query.window)];
    const filters = [...scope];
    if (query.userId !== undefined) filters.push(sidTerm('user.id', query.userId));
    if (query.host !== undefined) filters.push(hostFilter(query.host));
    const paged = await this.searchPages(this.indices.alerts, filters);
    const hasData =
      paged.total > 0 || totalOf(await this.search(this.indices.alerts, countBody(scope))) > 0;
    return this.toResult(paged, hasData, 'related alerts');
  }

  /**
   * Reads pages of `pageSize` hits, each continuing after the last hit of the one before, until
   * a page comes back short or `maxHits` hits are read.
   */
  private async searchPages(indices: string[], filters: Record<string, unknown>[]): Promise<PagedHits> {
    const hits: SearchHit[] = [];
    let total = 0;
    let searchAfter: unknown[] | undefined;
    while (hits.length < this.maxHits) {
      const size = Math.min(this.pageSize, this.maxHits - hits.length);
      const response = await this.search(indices, searchBody(filters, size, searchAfter));
      if (searchAfter === undefined) total = totalOf(response);
      hits.push(...response.hits.hits);
      searchAfter = response.hits.hits.at(-1)?.sort;
      if (response.hits.hits.length < size || searchAfter === undefined) break;
    }
    return { hits, total: Math.max(total, hits.length) };
  }

  private async search(indices: string[], body: Record<string, unknown>): Promise<SearchResponse> {
    const target = indices.map(encodeURIComponent).join(',');
    let data: unknown;
    try {
      const response = await this.http.post(`/${target}/_search`, body, {
        params: { ignore_unavailable: true, allow_no_indices: true },
      });
      data = response.data;
    } catch (error) {
      throw translateTransportError(error, target);
    }
    const parsed = SearchResponseSchema.safeParse(data);
    if (!parsed.success) {
      throw requestError(
        `Elasticsearch returned an unexpected _search reply for ${target}`,
        false,
        parsed.error,
      );
    }
    return parsed.data;
  }

  private toResult(paged: PagedHits, hasDataOfKind: boolean, what: string): QueryResult {
    const events: TelemetryEvent[] = [];
    for (const hit of paged.hits) {
      const event = ecsToTelemetryEvent({ _id: hit._id, ...hit._source }, hit._index);
      if (event !== undefined) events.push(event);
    }
    const isCapped = paged.total > paged.hits.length;
    const cap = isCapped ? ` (stopped at the cap of ${this.maxHits})` : '';
    return {
      hasDataOfKind,
      events,
      querySummary: `${this.name}: ${what}: ${events.length} of ${paged.total}${cap}`,
      ...(isCapped ? { capped: { maxHits: this.maxHits, matched: paged.total } } : {}),
    };
  }
}

function totalOf(response: SearchResponse): number {
  const total = response.hits.total;
  return typeof total === 'number' ? total : total.value;
}

/** Translates every axios failure into one `TelemetryRequestError`, deciding retryability once. */
export function translateTransportError(error: unknown, target: string): TelemetryRequestError {
  if (!axios.isAxiosError(error)) {
    return requestError(
      `Elasticsearch search on ${target} failed: ${errorMessage(error)}`,
      false,
      error,
    );
  }
  const status = error.response?.status;
  if (status === undefined) {
    const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
    const what = timedOut ? 'timed out' : `failed (${error.code ?? error.message})`;
    return requestError(`Elasticsearch search on ${target} ${what}`, true, error);
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  const reason = elasticsearchReason(error.response?.data);
  return requestError(
    `Elasticsearch search on ${target} failed with HTTP ${status}${reason === undefined ? '' : `: ${reason}`}`,
    retryable,
    error,
  );
}

const ErrorBodySchema = z.object({
  error: z.union([
    z.string(),
    z.object({ type: z.string().optional(), reason: z.string().optional() }),
  ]),
});

function elasticsearchReason(body: unknown): string | undefined {
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const detail = parsed.data.error;
  if (typeof detail === 'string') return detail;
  return [detail.type, detail.reason].filter((part) => part !== undefined).join(': ') || undefined;
}

function requestError(message: string, retryable: boolean, cause: unknown): TelemetryRequestError {
  return Object.assign(new TelemetryUnavailableError(message, { cause }), { retryable });
}
