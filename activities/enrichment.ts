import { ApplicationFailure, asyncLocalStorage, log as activityLog } from '@temporalio/activity';
import type { Alert } from '../src/alert/alert';
import { allowedActionsFor } from '../src/investigation/allowed-actions';
import type { AssetInventory } from '../src/investigation/inventory';
import { assessTuple } from '../src/investigation/q1-tuple';
import { recoverInitiators } from '../src/investigation/q2-initiators';
import { assessLineage } from '../src/investigation/q3-lineage';
import { searchDumpArtifacts } from '../src/investigation/q4-artifacts';
import { assessImpact } from '../src/investigation/q5-impact';
import { pivotAuthentication } from '../src/investigation/q6-authentication';
import { findRelatedAlerts } from '../src/investigation/q7-related-alerts';
import type { QuestionDeps } from '../src/investigation/question';
import type { Answer } from '../src/investigation/types';
import { reachVerdict } from '../src/investigation/verdict';
import type { Logger } from '../src/logging';
import { isTransientTelemetryError } from '../src/telemetry/elasticsearch';
import type { TelemetrySource } from '../src/telemetry/types';
import type { EnrichmentActivities } from './types';

/**
 * Attempts after which a transient telemetry error is recorded as `failed` coverage instead of
 * being thrown for another retry. Keep it at or below the workflow's `maximumAttempts` for the
 * enrichment activities, so that the last attempt still returns an answer with the reason.
 */
export const MAX_TELEMETRY_ATTEMPTS = 3;

export interface EnrichmentDeps {
  source: TelemetrySource;
  inventory: AssetInventory;
  /** Used outside an activity context (direct calls in tests and tools). */
  logger?: Logger;
}

/**
 * Builds the enrichment activities over one telemetry source and asset inventory.
 *
 * Retry policy: inside an activity, a transient telemetry error (timeout, connection error,
 * HTTP 5xx, 408 or 429) is thrown so that Temporal retries the activity, until attempt
 * `MAX_TELEMETRY_ATTEMPTS`, whose error becomes `failed` coverage. Other telemetry errors
 * become `failed` coverage at once. Outside an activity every error becomes `failed` coverage.
 * An alert without `alertId`, `timestamp` or `host.name` is rejected with a non-retryable
 * `InvalidAlertError` failure. Every activity only reads, so retries are safe.
 */
export function createEnrichmentActivities(deps: EnrichmentDeps): EnrichmentActivities {
  const questionDeps: QuestionDeps = {
    inventory: deps.inventory,
    shouldRethrow: shouldRetryInActivity,
  };
  const run = async (
    name: string,
    alert: unknown,
    question: () => Promise<Answer>,
  ): Promise<Answer> => {
    requireAlert(alert);
    const answer = await question();
    logAnswer(deps.logger, name, answer);
    return answer;
  };

  return {
    assessTuple: (alert) =>
      run('assessTuple', alert, () => assessTuple(alert, deps.source, questionDeps)),
    recoverProcessLineage: async (alert) => [
      await run('recoverInitiators', alert, () =>
        recoverInitiators(alert, deps.source, questionDeps),
      ),
      await run('assessLineage', alert, () => assessLineage(alert, deps.source, questionDeps)),
    ],
    searchDumpArtifacts: (alert) =>
      run('searchDumpArtifacts', alert, () =>
        searchDumpArtifacts(alert, deps.source, questionDeps),
      ),
    assessImpact: (alert) =>
      run('assessImpact', alert, () => assessImpact(alert, deps.source, questionDeps)),
    pivotAuthentication: (alert) =>
      run('pivotAuthentication', alert, () =>
        pivotAuthentication(alert, deps.source, questionDeps),
      ),
    findRelatedAlerts: ({ alert, scope }) => {
      if (scope !== 'user' && scope !== 'host') {
        throw ApplicationFailure.nonRetryable(
          `invalid related-alert scope ${String(scope)}; expected user or host`,
          'InvalidAlertError',
        );
      }
      return run('findRelatedAlerts', alert, () =>
        findRelatedAlerts(alert, deps.source, { ...questionDeps, scope }),
      );
    },
    reachVerdict: async ({ alert, answers }) => {
      requireAlert(alert);
      if (!Array.isArray(answers)) {
        throw ApplicationFailure.nonRetryable(
          'answers must be an array of Answer',
          'InvalidAlertError',
        );
      }
      const verdict = reachVerdict(alert, answers);
      return { verdict, allowedActions: allowedActionsFor(verdict.kind) };
    },
  };
}

function shouldRetryInActivity(error: unknown): boolean {
  const context = asyncLocalStorage.getStore();
  if (context === undefined) return false;
  return isTransientTelemetryError(error) && context.info.attempt < MAX_TELEMETRY_ATTEMPTS;
}

function requireAlert(alert: unknown): asserts alert is Alert {
  const candidate = alert as Partial<Alert> | undefined;
  const missing = [
    typeof candidate?.alertId === 'string' ? undefined : 'alertId',
    typeof candidate?.timestamp === 'string' && !Number.isNaN(Date.parse(candidate.timestamp))
      ? undefined
      : 'timestamp',
    typeof candidate?.host?.name === 'string' ? undefined : 'host.name',
    typeof candidate?.access === 'object' && candidate.access !== null ? undefined : 'access',
    typeof candidate?.user === 'object' && candidate.user !== null ? undefined : 'user',
  ].filter((field) => field !== undefined);
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `invalid alert: missing or invalid ${missing.join(', ')}`,
      'InvalidAlertError',
    );
  }
}

function logAnswer(logger: Logger | undefined, name: string, answer: Answer): void {
  const fields = {
    activity: name,
    question: answer.question,
    coverage: answer.coverage,
    findings: answer.findings.length,
  };
  const isFailed = answer.coverage === 'failed';
  const message = isFailed ? 'question answered with failed coverage' : 'question answered';
  const meta = isFailed ? { ...fields, note: answer.coverageNote } : fields;
  // The SDK's activity logger takes the message first; pino takes the fields first.
  if (asyncLocalStorage.getStore() !== undefined) {
    if (isFailed) activityLog.warn(message, meta);
    else activityLog.debug(message, meta);
  } else if (isFailed) logger?.warn(meta, message);
  else logger?.debug(meta, message);
}
