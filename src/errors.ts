/**
 * One class per failure mode. Each keeps its `cause`, and its `type` matches the class name so
 * that Temporal's `ApplicationFailure.type` and log queries can name it.
 */
export abstract class SoarError extends Error {
  abstract readonly type: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration value is missing or invalid; `keys` names them, never their values. */
export class ConfigError extends SoarError {
  readonly type = 'ConfigError';

  constructor(
    message: string,
    readonly keys: string[],
  ) {
    super(message);
  }
}

/** An inbound document failed schema validation. */
export class InvalidAlertError extends SoarError {
  readonly type = 'InvalidAlertError';

  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** A telemetry source could not answer a query (network, HTTP status, parse). */
export class TelemetryUnavailableError extends SoarError {
  readonly type = 'TelemetryUnavailableError';
}

/** A Temporal binary (CLI or test server) could not be found or started. */
export class TemporalBinaryError extends SoarError {
  readonly type = 'TemporalBinaryError';
}

/** A response step was refused before any request because it would break a safety invariant. */
export class UnsafeResponseError extends SoarError {
  readonly type = 'UnsafeResponseError';
}

/** Slack's Web API rejected a call in a way a retry cannot fix (bad token, missing scope). */
export class SlackApiError extends SoarError {
  readonly type = 'SlackApiError';
}

/** Preserved evidence would be overwritten, or a path leaves the evidence folder. */
export class EvidenceIntegrityError extends SoarError {
  readonly type = 'EvidenceIntegrityError';
}

/**
 * A Kibana request failed with an error status, timed out or got a reply in an unexpected shape. `retryable`
 * is true for timeouts, connection failures, 408, 429 and 5xx, and false for the rest (a bad API
 * key, a missing privilege, an object that does not exist, a malformed request or reply).
 */
export class KibanaApiError extends SoarError {
  readonly type = 'KibanaApiError';
  /** HTTP status of Kibana's reply; undefined when no reply arrived. */
  readonly status: number | undefined;

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
}

/**
 * A response step cannot run against the target as it is, e.g. the host has no Elastic Defend
 * agent or the alert lacks the field the API needs. A retry cannot change that.
 */
export class ResponseTargetError extends SoarError {
  readonly type = 'ResponseTargetError';
  readonly retryable = false;
}

/** An Elastic Defend response action finished as failed or expired on the endpoint. */
export class ResponseActionFailedError extends SoarError {
  readonly type = 'ResponseActionFailedError';
  readonly retryable = false;
}

/**
 * A Microsoft Graph or Microsoft Entra token request failed, timed out or got a reply in an
 * unexpected shape. `retryable` is true for timeouts, connection failures, 429 and 5xx.
 */
export class IdentityApiError extends SoarError {
  readonly type = 'IdentityApiError';
  /** HTTP status of the reply; undefined when no reply arrived. */
  readonly status: number | undefined;

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
}

/** True for a `SoarError` that declares `retryable: false`, so that activities fail it at once. */
export function isNonRetryableError(error: unknown): error is SoarError {
  return error instanceof SoarError && 'retryable' in error && error.retryable === false;
}

/** Returns the message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
