/**
 * Request bodies for Elasticsearch `_search`, one builder per telemetry query. Kept apart from
 * the transport so that tests can compare them with what the stand-in server receives.
 */
import type { HostRef } from '../alert/alert';
import { shortHostName } from './ecs-fields';
import type { TimeWindow } from './types';

type Clause = Record<string, unknown>;

/**
 * Index patterns searched for each kind of data. Process and file events share the defaults,
 * because Elastic Defend, Sysmon, Security 4688 and Winlogbeat documents all hold both kinds.
 */
export interface IndexPatterns {
  /** @default Elastic Defend, Sysmon and Security data streams, and `winlogbeat-*` */
  process: string[];
  /** @default the same patterns as `process` */
  file: string[];
  /** @default `logs-system.security-*` (Elastic Agent System integration) and `winlogbeat-*` */
  authentication: string[];
  /** @default `.alerts-security.alerts-default` */
  alerts: string[];
}

const EVENT_INDEX_PATTERNS = [
  'logs-endpoint.events.*',
  'logs-windows.sysmon_operational-*',
  'logs-system.security-*',
  'winlogbeat-*',
];

export const DEFAULT_INDEX_PATTERNS: IndexPatterns = {
  process: EVENT_INDEX_PATTERNS,
  file: EVENT_INDEX_PATTERNS,
  authentication: ['logs-system.security-*', 'winlogbeat-*'],
  alerts: ['.alerts-security.alerts-default'],
};

/**
 * Matches the host by `host.id` when the alert has one. Documents without `host.id` and alerts
 * without it fall back to the computer name in `host.name`, either exact, as the short name, or
 * as an FQDN starting with the short name. Forwarded (WEF) documents carry the collector's
 * `host.name` and `host.id`, so `winlog.computer_name` (the endpoint, in the case Windows
 * rendered it) matches them whatever their `host.id`.
 */
export function hostFilter(host: HostRef): Clause {
  const short = shortHostName(host.name);
  const byHostName: Clause = {
    bool: {
      should: [
        { term: { 'host.name': host.name.toLowerCase() } },
        { term: { 'host.name': short } },
        { prefix: { 'host.name': `${short}.` } },
      ],
      minimum_should_match: 1,
    },
  };
  const byComputerName: Clause = {
    bool: {
      should: [
        { term: { 'winlog.computer_name': { value: host.name, case_insensitive: true } } },
        { term: { 'winlog.computer_name': { value: short, case_insensitive: true } } },
        { prefix: { 'winlog.computer_name': { value: `${short}.`, case_insensitive: true } } },
      ],
      minimum_should_match: 1,
    },
  };
  const byId: Clause[] =
    host.id === undefined
      ? [byHostName]
      : [
          { term: { 'host.id': host.id } },
          { bool: { filter: [byHostName], must_not: [{ exists: { field: 'host.id' } }] } },
        ];
  return { bool: { should: [...byId, byComputerName], minimum_should_match: 1 } };
}

export function timeFilter(window: TimeWindow): Clause {
  return {
    range: {
      '@timestamp': { gte: window.from, lte: window.to, format: 'strict_date_optional_time' },
    },
  };
}

/**
 * Sort of every event search: oldest first, then fields that tell apart events of the same
 * millisecond, so that `search_after` can continue from the last hit of a page. `unmapped_type`
 * keeps an index without the field from failing the search.
 * NOTE: two events that share the index, the timestamp, `winlog.record_id` and `event.sequence`
 * compare equal, so one of them can be skipped when a page ends between them. A point in time
 * with `_shard_doc` would remove this, but OpenSearch has no `_shard_doc`.
 */
export const EVENT_SORT: Clause[] = [
  { '@timestamp': { order: 'asc' } },
  { _index: { order: 'asc' } },
  { 'winlog.record_id': { order: 'asc', unmapped_type: 'keyword' } },
  { 'event.sequence': { order: 'asc', unmapped_type: 'long' } },
];

/**
 * A search returning one page of events in `EVENT_SORT` order, with an exact total for
 * `hasDataOfKind`. `searchAfter` holds the sort values of the previous page's last hit.
 */
export function searchBody(filters: Clause[], size: number, searchAfter?: unknown[]): Clause {
  return {
    size,
    track_total_hits: true,
    sort: EVENT_SORT,
    query: { bool: { filter: filters } },
    ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
  };
}

/** A count-only search that decides `hasDataOfKind` when the event search is narrower. */
export function countBody(filters: Clause[]): Clause {
  return { size: 0, track_total_hits: true, query: { bool: { filter: filters } } };
}

export function categoryFilter(category: 'process' | 'file' | 'authentication'): Clause {
  return { term: { 'event.category': category } };
}

/**
 * 4624 with TargetUserSid = user and 4648 with SubjectUserSid = user; both codes for every
 * user when the alert has no `user.id`.
 */
export function userAuthenticationFilter(userId: string | undefined): Clause {
  if (userId === undefined) return { terms: { 'event.code': ['4624', '4648'] } };
  return {
    bool: {
      should: [
        {
          bool: {
            filter: [
              { term: { 'event.code': '4624' } },
              sidTerm('winlog.event_data.TargetUserSid', userId),
            ],
          },
        },
        {
          bool: {
            filter: [
              { term: { 'event.code': '4648' } },
              sidTerm('winlog.event_data.SubjectUserSid', userId),
            ],
          },
        },
      ],
      minimum_should_match: 1,
    },
  };
}

/**
 * Process starts whose `process.executable` is one of `executables`, in any letter case
 * (`case_insensitive` term queries need Elasticsearch 7.10 or later).
 */
export function executablesFilter(executables: string[]): Clause {
  return {
    bool: {
      should: executables.map((executable) => ({
        term: { 'process.executable': { value: executable, case_insensitive: true } },
      })),
      minimum_should_match: 1,
      must_not: [{ term: { 'event.type': 'access' } }],
    },
  };
}

/**
 * Matches a Windows SID in any letter case, as Windows compares them; a term query alone would
 * miss `s-1-5-…` against a stored `S-1-5-…`.
 */
export function sidTerm(field: string, sid: string): Clause {
  return { term: { [field]: { value: sid, case_insensitive: true } } };
}

export const SIGNAL_FILTER: Clause = { term: { 'event.kind': 'signal' } };
