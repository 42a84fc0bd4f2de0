/**
 * One place that configures Slack's SDK clients: where they send requests, how they retry and
 * where their log lines go.
 */
import { LogLevel, webApi } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logging';

/** Options for the Web API clients of the Slack app and the Slack activities. */
export interface SlackClientSettings {
  /** Web API base URL (config `SLACK_API_URL`); unset means Slack's own. */
  slackApiUrl?: string;
  logger: Logger;
  /** @default 10_000 */
  timeoutMs?: number;
}

/**
 * Builds `WebClientOptions` that make every failed call surface at once: no SDK retries and no
 * waiting out rate limits inside the call. Temporal's retry policy (activities) or the person
 * clicking again (the app) decides what happens next, and a rate-limited call fails with the
 * SDK's `slack_webapi_rate_limited_error`, which carries Retry-After as `retryAfter` seconds.
 */
export function slackClientOptions(settings: SlackClientSettings): webApi.WebClientOptions {
  const options: webApi.WebClientOptions = {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: settings.timeoutMs ?? 10_000,
    logger: toSlackLogger(settings.logger),
  };
  if (settings.slackApiUrl !== undefined)
    options.slackApiUrl = withTrailingSlash(settings.slackApiUrl);
  return options;
}

/** Creates a Web API client with `slackClientOptions`. Sends nothing until a method is called. */
export function createSlackWebClient(
  token: string,
  settings: SlackClientSettings,
): webApi.WebClient {
  return new webApi.WebClient(token, slackClientOptions(settings));
}

/**
 * Adapts a pino logger to the logger interface of Slack's SDKs. SDK debug lines are dropped
 * because the Web API client writes request bodies at that level.
 */
export function toSlackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-sdk' });
  let level = LogLevel.INFO;
  const write = (target: 'info' | 'warn' | 'error', parts: unknown[]): void => {
    child[target]({ detail: parts.map(describePart).join(' ') }, 'slack sdk message');
  };
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => {
      if (level === LogLevel.INFO || level === LogLevel.DEBUG) write('info', parts);
    },
    warn: (...parts: unknown[]) => {
      if (level !== LogLevel.ERROR) write('warn', parts);
    },
    error: (...parts: unknown[]) => write('error', parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function describePart(part: unknown): string {
  if (part instanceof Error) return part.message;
  return typeof part === 'string' ? part : JSON.stringify(part);
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
