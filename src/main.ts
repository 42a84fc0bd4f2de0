import type { App } from '@slack/bolt';
import { isSlackEnabled, loadConfig, type Config } from './config';
import { loadDotEnv } from './env-file';
import { ConfigError, errorMessage } from './errors';
import { startStackIntake } from './intake/start';
import { createLogger, type Logger } from './logging';
import { createSlackApp, startSlackApp, stopSlackApp } from './slack/app';
import { startStack, type Stack } from './stack';

/**
 * The main job: Temporal (a local dev server unless TEMPORAL_ADDRESS is set), the worker, the
 * alert intake and, when configured, the Slack app. Stops cleanly on SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  if (config.SOAR_APPROVERS.length === 0) {
    logger.warn('SOAR_APPROVERS is empty, so every decision is rejected until it names approvers');
  }

  const stack = await startStack({ config, logger });
  const { server: intake } = await startStackIntake(config, logger, stack);
  const slackApp = await startSlack(config, logger, stack);
  logger.info({ intake: intake.url, temporal: stack.address }, 'responder running; press Ctrl-C to stop');

  let isStopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'stopping: intake first, then Slack, then the worker drains');
    await intake.close();
    if (slackApp) await stopSlackApp(slackApp);
    await stack.stop();
    logger.info('stopped');
  };
  // Without its Temporal server the worker and the intake can only fail, so stop and let a
  // supervisor (or the operator) start the responder again.
  void stack.devServer?.unexpectedExit.then(async (exit) => {
    logger.error({ exit, log: stack.devServer?.logFile }, 'the local Temporal server exited; stopping the responder');
    process.exitCode = 1;
    await stop('temporal-server-exit');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop(signal).catch((error: unknown) => {
        logger.error({ err: error }, 'clean stop failed');
        process.exitCode = 1;
      });
    });
  }
}

async function startSlack(config: Config, logger: Logger, stack: Stack): Promise<App | undefined> {
  if (!isSlackEnabled(config)) {
    logger.info(
      "Slack is not configured; list pending approvals with 'soar list --phase awaiting-decision' and decide with 'soar approve'",
    );
    return undefined;
  }
  const app = createSlackApp({ config, temporalClient: stack.client, logger });
  const address = await startSlackApp(app, config);
  logger.info(address, 'Slack app started');
  return app;
}

main().catch((error: unknown) => {
  // The crash handler of an entry point is the one place that writes to the console directly.
  console.error(error instanceof ConfigError ? error.message : `responder failed to start: ${errorMessage(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
