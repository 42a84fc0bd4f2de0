import type { Config } from '../config';
import { errorMessage } from '../errors';
import type { Logger } from '../logging';
import type { Stack } from '../stack';
import { responseSettings } from '../temporal/connect';
import { startOrAttach } from '../temporal/start';
import { processBatch } from './batch';
import { startIntakeServer, type IntakeServer } from './server';
import { resolveIntakeToken } from './token';

/** How long `GET /healthz` waits for Temporal before it answers 503. */
const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/**
 * Starts the alert intake on a running stack: the bearer token from config or the data folder,
 * one workflow start (or attach) per accepted alert, and a health check of the Temporal
 * connection. Returns the server and the token it expects.
 */
export async function startStackIntake(
  config: Config,
  logger: Logger,
  stack: Stack,
): Promise<{ server: IntakeServer; token: string }> {
  const { token, generatedAt } = resolveIntakeToken(config.INTAKE_TOKEN, config.SOAR_DATA_DIR);
  if (generatedAt !== undefined) {
    logger.info({ file: generatedAt }, 'INTAKE_TOKEN is unset; the intake token is kept in this file');
  }
  const settings = responseSettings(config);
  const server = await startIntakeServer({
    host: config.INTAKE_HOST,
    port: config.INTAKE_PORT,
    token,
    maxBodyBytes: config.INTAKE_MAX_BODY_BYTES,
    logger,
    processBatch: (body, contentType) =>
      processBatch(body, contentType, (alert) => startOrAttach(stack.client, { alert, settings }), { logger }),
    checkHealth: async () => {
      try {
        const deadline = Date.now() + HEALTH_CHECK_TIMEOUT_MS;
        await stack.connection.withDeadline(deadline, () => stack.connection.healthService.check({}));
        return { isHealthy: true, detail: `reachable at ${stack.address}` };
      } catch (error) {
        return { isHealthy: false, detail: `unreachable at ${stack.address}: ${errorMessage(error)}` };
      }
    },
  });
  return { server, token };
}
