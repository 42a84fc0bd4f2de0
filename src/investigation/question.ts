/**
 * What every question module shares: its dependencies, the time windows around the alert, and
 * how a telemetry failure becomes `failed` coverage.
 */
import type { Alert } from '../alert/alert';
import { errorMessage } from '../errors';
import type {
  Coverage,
  QueryResult,
  TelemetryEvent,
  TelemetrySource,
  TimeWindow,
} from '../telemetry/types';
import type { AssetInventory } from './inventory';
import type { Answer, Finding, QuestionId } from './types';

export interface QuestionDeps {
  inventory: AssetInventory;
  /**
   * Decides whether a telemetry error propagates to the caller (so that Temporal retries the
   * activity) instead of becoming `failed` coverage. When unset, every error becomes `failed`.
   */
  shouldRethrow?: (error: unknown) => boolean;
}

/** A question: reads the alert and telemetry and returns one answer. */
export type Question = (
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
) => Promise<Answer>;

/** Half-width of each question's window around the alert's source event time, in hours. */
export const WINDOW_HOURS = { Q2: 1, Q3: 1, Q4: 1, Q6: 24, Q7: 48 } as const;

const HOUR_MS = 3_600_000;

/** The window from `hours` before to `hours` after the alert's source event time. */
export function windowAround(alert: Alert, hours: number): TimeWindow {
  const time = Date.parse(alert.timestamp);
  return {
    from: new Date(time - hours * HOUR_MS).toISOString(),
    to: new Date(time + hours * HOUR_MS).toISOString(),
  };
}

/**
 * Runs one telemetry query. Returns the error instead of throwing, unless `shouldRethrow`
 * claims it, so the caller can record `failed` coverage with the reason.
 */
export async function attempt<T>(
  deps: QuestionDeps,
  query: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await query() };
  } catch (error) {
    if (deps.shouldRethrow?.(error) === true) throw error;
    return { ok: false, error };
  }
}

/**
 * Builds the answer of a question whose source contains no data of the kind it needs. Such an
 * answer is unresolved, never benign.
 */
export function absentAnswer(
  question: QuestionId,
  querySummaries: string[],
  coverageNote: string,
): Answer {
  return { question, coverage: 'absent', findings: [], querySummaries, coverageNote };
}

/** Builds the answer of a question whose telemetry source failed. */
export function failedAnswer(
  question: QuestionId,
  error: unknown,
  querySummaries: string[] = [],
): Answer {
  return {
    question,
    coverage: 'failed',
    findings: [],
    querySummaries,
    coverageNote: `telemetry query failed: ${errorMessage(error)}`,
  };
}

/** Combines coverages of several queries: any failure wins, then any absence. */
export function combineCoverage(coverages: Coverage[]): Coverage {
  if (coverages.includes('failed')) return 'failed';
  if (coverages.includes('absent')) return 'absent';
  return 'present';
}

/** Builds a finding from events, taking their record ids in order without repeats. */
export function finding(
  kind: string,
  summary: string,
  isSuspicious: boolean,
  fields: string[],
  events: TelemetryEvent[],
  subject?: string,
): Finding {
  const recordIds = [...new Set(events.map((event) => event.recordId))];
  return {
    kind,
    summary,
    isSuspicious,
    fields,
    recordIds,
    ...(subject === undefined ? {} : { subject }),
  };
}

/** A short label for a process in summaries: executable, else name, else pid. */
export function describeProcess(process: TelemetryEvent['process']): string {
  return process?.executable ?? process?.name ?? `pid ${process?.pid ?? 'unknown'}`;
}

/**
 * Returns one `query-capped` finding per result that the source cut at its per-query cap. The
 * verdict counts the finding as unresolved, because the records past the cap were never read.
 */
export function cappedFindings(results: QueryResult[]): Finding[] {
  return results.flatMap((result) => {
    if (result.capped === undefined) return [];
    const { maxHits, matched } = result.capped;
    return [
      {
        kind: 'query-capped',
        summary:
          `Only the oldest ${maxHits} of ${matched} matching records were read (${result.querySummary}); ` +
          'the rest were not examined. Raise ELASTICSEARCH_MAX_HITS or narrow the window to read them.',
        isSuspicious: false,
        fields: ['@timestamp'],
        recordIds: [],
      },
    ];
  });
}
