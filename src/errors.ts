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

/** Returns the message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
