import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { RULE_ID } from '../constants';
import { TelemetryUnavailableError } from '../errors';
import { translateTransportError } from '../telemetry/elasticsearch';

/** Sort values of the last alert read: `[@timestamp in epoch milliseconds, kibana.alert.uuid]`. */
export type AlertCursor = (string | number)[];

export interface AlertIndexOptions {
  /** Base URL of the Elasticsearch cluster. */
  url: string;
  /** Encoded API key; it needs `read` on the alert index. */
  apiKey?: string;
  /** Kibana space whose alert index is read. @default 'default' */
  space?: string;
  /** @default 10_000 */
  timeoutMs?: number;
}

/** One alert document of the page, with the sort values that continue after it. */
export interface AlertHit {
  id: string;
  index: string;
  source: Record<string, unknown>;
  sort: AlertCursor;
}

const SearchReplySchema = z.object({
  hits: z.object({
    hits: z.array(
      z.object({
        _id: z.string(),
        _index: z.string(),
        _source: z.record(z.string(), z.unknown()),
        sort: z.array(z.union([z.string(), z.number()])),
      }),
    ),
  }),
});

/**
 * Reads the open alerts of "Suspicious LSASS Access via MalSecLogon" from
 * `.alerts-security.alerts-<space>` with `_search`, oldest first, one page at a time, continuing
 * after a cursor with `search_after`.
 */
export class AlertIndexReader {
  readonly index: string;
  private readonly http: AxiosInstance;

  constructor(options: AlertIndexOptions) {
    this.index = `.alerts-security.alerts-${options.space ?? 'default'}`;
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        'Content-Type': 'application/json',
        ...(options.apiKey === undefined ? {} : { Authorization: `ApiKey ${options.apiKey}` }),
      },
      proxy: false,
    });
  }

  /**
   * Returns up to `size` open alerts of the rule that sort after `after`. The sort ends with
   * `kibana.alert.uuid`, so alerts with equal timestamps keep a stable order across pages. Throws
   * `TelemetryRequestError` (retryable for timeouts, 5xx, 408 and 429). Read-only.
   */
  async readPage(after: AlertCursor | undefined, size: number): Promise<AlertHit[]> {
    const body = {
      size,
      query: {
        bool: {
          filter: [
            { term: { 'kibana.alert.rule.rule_id': RULE_ID } },
            { term: { 'kibana.alert.workflow_status': 'open' } },
          ],
        },
      },
      sort: [
        { '@timestamp': { order: 'asc' } },
        { 'kibana.alert.uuid': { order: 'asc' } },
      ],
      track_total_hits: false,
      ...(after === undefined ? {} : { search_after: after }),
    };
    let data: unknown;
    try {
      const response = await this.http.post(`/${encodeURIComponent(this.index)}/_search`, body, {
        params: { ignore_unavailable: true, allow_no_indices: true },
      });
      data = response.data;
    } catch (error) {
      throw translateTransportError(error, this.index);
    }
    const reply = SearchReplySchema.safeParse(data);
    if (!reply.success) {
      const message = `Elasticsearch returned an unexpected _search reply for ${this.index}`;
      throw Object.assign(new TelemetryUnavailableError(message, { cause: reply.error }), {
        retryable: false,
      });
    }
    return reply.data.hits.hits.map((hit) => ({
      id: hit._id,
      index: hit._index,
      source: hit._source,
      sort: hit.sort,
    }));
  }
}
