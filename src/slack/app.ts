/**
 * The Slack app: receives decision clicks and comment dialog submissions over HTTP (signed
 * requests) or Socket Mode and turns them into Temporal Updates on the response workflow.
 */
import { App } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import type { Logger } from '../logging';
import { createApproverChecker } from './approvers';
import { createCommentButtonHandler, createCommentSubmissionHandler } from './comment-dialog';
import { createDecisionHandler } from './decision-handler';
import { COMMENT_ACTION_ID_PATTERN, COMMENT_VIEW_IDS, DECISION_ACTION_ID_PATTERN } from './ids';
import { slackClientOptions, toSlackLogger } from './web-client';

/** Path that Slack's interactivity request URL must point at, in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Interface the HTTP listener binds to; expose it to Slack through a reverse proxy or tunnel. */
export const SLACK_LISTEN_HOST = '127.0.0.1';

export interface SlackAppOptions {
  config: Config;
  temporalClient: Client;
  logger: Logger;
}

/**
 * Creates the Bolt app without any network activity. HTTP mode verifies every request's
 * `X-Slack-Signature` against `SLACK_SIGNING_SECRET` and rejects timestamps older than 5
 * minutes with 401 (Bolt's `HTTPReceiver`); Socket Mode is used when `SLACK_APP_TOKEN` is set.
 * Throws `ConfigError` when the bot token, or the signing secret in HTTP mode, is missing.
 */
export function createSlackApp({ config, temporalClient, logger }: SlackAppOptions): App {
  const log = logger.child({ component: 'slack-app' });
  const botToken = config.SLACK_BOT_TOKEN;
  if (botToken === undefined) {
    throw new ConfigError('SLACK_BOT_TOKEN is required to run the Slack app', ['SLACK_BOT_TOKEN']);
  }
  const receiverOptions = selectReceiver(config);

  const app = new App({
    token: botToken,
    // Defers the `auth.test` call to `startSlackApp`, so that a bad token fails the start
    // instead of surfacing later as an unhandled rejection.
    deferInitialization: true,
    logger: toSlackLogger(log),
    clientOptions: slackClientOptions({ slackApiUrl: config.SLACK_API_URL, logger: log }),
    ...receiverOptions,
  });

  const checkApprover = createApproverChecker({
    approvers: config.SOAR_APPROVERS,
    client: app.client,
    logger: log,
  });
  const decisionOptions = { temporalClient, checkApprover, logger: log };
  app.action(DECISION_ACTION_ID_PATTERN, createDecisionHandler(decisionOptions));
  app.action(COMMENT_ACTION_ID_PATTERN, createCommentButtonHandler(decisionOptions));
  app.view(COMMENT_VIEW_IDS.callbackId, createCommentSubmissionHandler(decisionOptions));
  app.error(async (error) => {
    log.error({ error: error.message, code: error.code }, 'slack listener failed');
  });
  return app;
}

function selectReceiver(
  config: Config,
): { socketMode: true; appToken: string } | { signingSecret: string; endpoints: string } {
  if (config.SLACK_APP_TOKEN !== undefined)
    return { socketMode: true, appToken: config.SLACK_APP_TOKEN };
  if (config.SLACK_SIGNING_SECRET === undefined) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      ['SLACK_SIGNING_SECRET'],
    );
  }
  return { signingSecret: config.SLACK_SIGNING_SECRET, endpoints: SLACK_EVENTS_PATH };
}

/** Listening address of a started app; `port` is set in HTTP mode only. */
export interface SlackAppAddress {
  mode: 'http' | 'socket';
  port?: number;
}

/**
 * Verifies the bot token (`auth.test`) and starts receiving: in HTTP mode on
 * `127.0.0.1:<port>` at `/slack/events`, in Socket Mode by opening the WebSocket.
 * `port` overrides config `SLACK_PORT`; 0 picks a free port. Throws when the token is rejected or
 * the port is taken. Not idempotent: starting a started app throws.
 */
export async function startSlackApp(
  app: App,
  config: Config,
  port = config.SLACK_PORT,
): Promise<SlackAppAddress> {
  await app.init();
  if (config.SLACK_APP_TOKEN !== undefined) {
    await app.start();
    return { mode: 'socket' };
  }
  const server = await app.start({ port, host: SLACK_LISTEN_HOST });
  const address = server.address();
  return {
    mode: 'http',
    port: typeof address === 'object' && address !== null ? address.port : port,
  };
}

/** Closes the HTTP server or the WebSocket. Throws when the app is not started. */
export async function stopSlackApp(app: App): Promise<void> {
  await app.stop();
}
