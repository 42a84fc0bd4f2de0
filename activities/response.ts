import { ApplicationFailure, log } from '@temporalio/activity';
import { EvidenceIntegrityError, UnsafeResponseError, isNonRetryableError } from '../src/errors';
import type { ResponseConnector } from '../src/response/connector';
import { planResponse, skipReasonOf } from '../src/response/plan';
import { assertStepIsSafe } from '../src/response/safety';
import type { StepRequest, StepResult } from '../src/response/types';
import type { ResponseActivities } from './types';

export interface ResponseActivityDeps {
  connector: ResponseConnector;
}

/**
 * Builds the response activities on top of one connector.
 *
 * - `planResponse` is pure and returns the ordered steps for a decision.
 * - `runResponseStep` records a planned skip without a request, checks the safety invariants,
 *   then calls the connector. A safety refusal throws a non-retryable `UnsafeResponseError`
 *   failure. Connector errors propagate to the retry policy, which is safe because the connector
 *   is idempotent per `request.idempotencyKey`.
 */
export function createResponseActivities(deps: ResponseActivityDeps): ResponseActivities {
  const { connector } = deps;
  return {
    async planResponse({ alert, answers, decision }) {
      return planResponse(alert, answers, decision);
    },

    async runResponseStep({ alertId, request }) {
      const startedAt = new Date().toISOString();
      const skipReason = skipReasonOf(request);
      if (skipReason !== undefined) {
        log.info('response step skipped', { alertId, step: request.step, skipReason });
        return stepResult(request, 'skipped', `Skipped: ${skipReason}.`, startedAt);
      }

      assertSafeOrFail(request);
      const receipt = await executeOrFail(connector, request);
      log.info('response step done', {
        alertId,
        step: request.step,
        connector: connector.name,
        effect: receipt.effect,
      });
      const detail = `${connector.name} connector ${receipt.effect} the step at ${receipt.recordedAt}.`;
      return { ...stepResult(request, 'done', detail, startedAt), record: { ...receipt } };
    },
  };
}

// Preserved evidence that differs from what a retry would write stays different on every retry,
// and a connector error marked `retryable: false` (bad API key, missing privilege) does too.
async function executeOrFail(connector: ResponseConnector, request: StepRequest) {
  try {
    return await connector.execute(request);
  } catch (error) {
    if (!(error instanceof EvidenceIntegrityError) && !isNonRetryableError(error)) throw error;
    log.error('response step failed and a retry cannot help', {
      step: request.step,
      errorType: error.type,
      reason: error.message,
    });
    throw ApplicationFailure.nonRetryable(error.message, error.type);
  }
}

function assertSafeOrFail(request: StepRequest): void {
  try {
    assertStepIsSafe(request);
  } catch (error) {
    if (!(error instanceof UnsafeResponseError)) throw error;
    log.error('response step rejected by safety check', {
      step: request.step,
      reason: error.message,
    });
    throw ApplicationFailure.nonRetryable(error.message, error.type);
  }
}

function stepResult(
  request: StepRequest,
  outcome: StepResult['outcome'],
  detail: string,
  startedAt: string,
): StepResult {
  return {
    step: request.step,
    outcome,
    detail,
    idempotencyKey: request.idempotencyKey,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
