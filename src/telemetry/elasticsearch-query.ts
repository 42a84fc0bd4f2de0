/**
 * Request bodies for Elasticsearch `_search`, one builder per telemetry query. Kept apart from
 * the transport so that tests can compare them with what the stand-in server receives.
 */
import type { HostRef } from '../alert/alert';
import { shortHostName } from './ecs-fields';
import type { TimeWindow } from './types';

type Clause = Record<string, unknown>;

/** Index patterns searched for each kind of data. */
export interface IndexPatterns {
  /** @default 'logs-endpoint.events.*' (Elastic Defend) */
  defend: string;
  /** @default 'logs-windows.sysmon_operational-*' (Elastic Agent Windows integration) */
  sysmon: string;
  /** @default 'winlogbeat-*' */
  winlogbeat: string;
  /** @default 'logs-system.security-*' (Elastic Agent System integration) */
  security: string;
  /** @default '.alerts-security.alerts-default' */
  alerts: string;
}

export const DEFAULT_INDEX_PATTERNS: IndexPatterns = {
  defend: 'logs-endpoint.events.*',
  sysmon: 'logs-windows.sysmon_operational-*',
  winlogbeat: 'winlogbeat-*',
  security: 'logs-system.security-*',
  alerts: '.alerts-security.alerts-default',
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

/** A search returning events, oldest first, with an exact total for `hasDataOfKind`. */
export function searchBody(filters: Clause[], size: number): Clause {
  return {
    size,
    track_total_hits: true,
    sort: [{ '@timestamp': { order: 'asc' } }],
    query: { bool: { filter: filters } },
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
