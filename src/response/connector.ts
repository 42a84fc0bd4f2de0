import type { StepName, StepRequest } from './types';

/** Receipt a connector returns for one executed step request. */
export interface ConnectorReceipt {
  step: StepName;
  target: Record<string, string>;
  parameters: Record<string, unknown>;
  idempotencyKey: string;
  /** ISO 8601 time the connector first executed this idempotency key. */
  recordedAt: string;
  /** `recorded` when the connector only records the intent, `applied` when it acted on a system. */
  effect: 'recorded' | 'applied';
  /** Connector-specific detail, e.g. an EDR action id. */
  detail?: Record<string, unknown>;
}

/**
 * The system that carries out response steps (an EDR, an identity provider, a case tracker).
 *
 * One `execute` method takes every `StepName`, so a connector for a new product implements one
 * call and dispatches on `request.step`. Callers run the safety checks in `safety.ts` before
 * calling it. Implementations must be idempotent per `request.idempotencyKey`: a repeated key
 * returns the first receipt and acts no second time. They throw an ordinary `Error` for a
 * transient fault (the activity retries), and an error whose `type` is non-retryable for a
 * refusal that a retry cannot change.
 */
export interface ResponseConnector {
  readonly name: string;
  execute(request: StepRequest): Promise<ConnectorReceipt>;
}
