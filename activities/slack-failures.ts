/**
 * Translates Slack Web API errors into Temporal failures in one place: transient faults stay
 * retryable for the activity retry policy, and faults a retry cannot fix become non-retryable
 * `SlackApiError` failures whose message names the fix.
 */
import { webApi } from '@slack/bolt';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { errorMessage, type SlackApiError } from '../src/errors';

/** Failure type of non-retryable Slack errors; the compiler checks it against the class. */
const FAILURE_TYPE: SlackApiError['type'] = 'SlackApiError';

/** Slack error codes a person must fix, with what to do about each. */
const REMEDIES: Readonly<Record<string, string>> = {
  invalid_auth: 'the bot token is invalid or revoked; set a valid SLACK_BOT_TOKEN (xoxb-…)',
  not_authed: 'no bot token was sent; set SLACK_BOT_TOKEN',
  account_inactive:
    'the bot token belongs to a deleted app or user; reinstall the app and update SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN',
  missing_scope:
    'the app lacks a scope; add the scopes in slack-app-manifest.yml and reinstall the app',
  channel_not_found:
    'SLACK_CHANNEL_ID names no channel the app can see; check the id and invite the app',
  not_in_channel: 'the app is not a member of the channel; invite it with /invite @<app name>',
  is_archived: 'the channel is archived; unarchive it or set another SLACK_CHANNEL_ID',
};

/** Slack platform errors that report a fault on Slack's side, worth another attempt. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * Runs one Web API call and translates its failure:
 * - 429: retryable `SlackRateLimitedError` whose next retry waits Retry-After seconds;
 * - HTTP 5xx, network errors and Slack's transient errors: retryable;
 * - auth, scope and channel errors, and other platform errors: non-retryable `SlackApiError`.
 */
export async function callSlack<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateSlackError(method, error);
  }
}

/** Returns the Temporal failure for a Web API error thrown by `method`. */
export function translateSlackError(method: string, error: unknown): Error {
  const cause = error instanceof Error ? error : undefined;
  if (!isCodedError(error))
    return new Error(`Slack ${method} failed: ${errorMessage(error)}`, { cause });

  switch (error.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const retryAfterSeconds =
        'retryAfter' in error && typeof error.retryAfter === 'number' ? error.retryAfter : 1;
      return ApplicationFailure.create({
        message: `Slack ${method} was rate limited; Retry-After is ${retryAfterSeconds}s`,
        type: 'SlackRateLimitedError',
        nextRetryDelay: `${Math.max(retryAfterSeconds, 1)}s`,
        cause,
      });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = 'statusCode' in error ? String(error.statusCode) : 'unknown';
      return new Error(
        `Slack ${method} failed with HTTP ${status}; the activity retry policy retries it`,
        { cause },
      );
    }
    case webApi.ErrorCode.PlatformError:
      return translatePlatformError(method, readPlatformCode(error), cause);
    default:
      return new Error(`Slack ${method} request failed: ${error.message}`, { cause });
  }
}

function translatePlatformError(method: string, code: string, cause: Error | undefined): Error {
  if (TRANSIENT_PLATFORM_ERRORS.has(code))
    return new Error(`Slack ${method} failed with '${code}'`, { cause });
  const remedy =
    REMEDIES[code] ??
    'the request was rejected and a retry cannot fix it; check the payload and the app settings';
  return ApplicationFailure.create({
    message: `Slack ${method} failed with '${code}': ${remedy}`,
    type: FAILURE_TYPE,
    nonRetryable: true,
    cause,
  });
}

/**
 * Parses a Web API reply with `schema`. A mismatch means Slack's contract changed, which a retry
 * cannot fix, so it throws a non-retryable `SlackApiError`.
 */
export function parseSlackReply<S extends z.ZodType>(
  method: string,
  schema: S,
  reply: unknown,
): z.infer<S> {
  const result = schema.safeParse(reply);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
  throw ApplicationFailure.create({
    message: `Slack ${method} returned an unexpected reply (fields: ${fields})`,
    type: FAILURE_TYPE,
    nonRetryable: true,
  });
}

function isCodedError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}

function readPlatformCode(error: Error): string {
  if (!('data' in error) || typeof error.data !== 'object' || error.data === null)
    return 'unknown_error';
  return 'error' in error.data && typeof error.data.error === 'string'
    ? error.data.error
    : 'unknown_error';
}
