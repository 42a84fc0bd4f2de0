import path from 'node:path';
import {
  bundleWorkflowCode,
  Runtime,
  Worker,
  makeTelemetryFilterString,
  type NativeConnection,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { TASK_QUEUE } from '../constants';
import type { Logger } from '../logging';

/**
 * Absolute path of the workflow bundle's entry point. Resolved from this file rather than the
 * working directory, so the worker starts the same under tsx, vitest and any cwd.
 */
export const WORKFLOWS_PATH = path.resolve(__dirname, '..', '..', 'workflows', 'index.ts');

export interface ResponseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Activity implementations, keyed by the names in activities/types.ts. */
  activities: object;
  logger: Logger;
  /** @default TASK_QUEUE */
  taskQueue?: string;
  /** A prebuilt bundle of WORKFLOWS_PATH; tests pass one to skip bundling for every worker. */
  workflowBundle?: WorkflowBundleOption;
}

/**
 * Creates the worker that runs the response workflow and its activities. Routes the SDK's logs to
 * `logger` on the first call in the process. Throws the SDK's errors when the bundle does not
 * build or the connection is closed. Each call creates a new worker; call `run()` on it.
 */
export async function createResponseWorker(options: ResponseWorkerOptions): Promise<Worker> {
  const { connection, namespace, activities, logger, workflowBundle } = options;
  installRuntimeLogger(logger);

  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  logger.info({ taskQueue, namespace }, 'creating response worker');
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    workflowBundle: workflowBundle ?? (await bundleWorkflows(logger)),
    // Each alert runs one workflow with a handful of short activities. These bounds keep one busy
    // worker from flooding the telemetry source or the response connector.
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 20,
    maxCachedWorkflows: 200,
    shutdownGraceTime: '10 seconds',
  });
}

/**
 * Bundles the workflow code with webpack. Its build report goes to debug level: at info it
 * would put a multi-line table of modules into every start-up log.
 */
async function bundleWorkflows(logger: Logger): Promise<WorkflowBundleOption> {
  const bundlerLog = logger.child({ component: 'workflow-bundler' });
  const quiet = new PinoSdkLogger(bundlerLog);
  quiet.info = (message, meta) => quiet.debug(message, meta);
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
}

let isRuntimeLoggerInstalled = false;

/**
 * Routes the Temporal SDK's logs (worker, activity context, and core logs at `coreLevel` and
 * above) to a pino logger. `Runtime.install` works once per process and only before any
 * connection or test environment exists, so later calls do nothing and log why at debug level.
 */
export function installRuntimeLogger(logger: Logger, coreLevel: LogLevel = 'WARN'): void {
  if (isRuntimeLoggerInstalled) return;
  isRuntimeLoggerInstalled = true;
  if (Runtime._instance !== undefined) {
    logger.debug('Temporal runtime already created; its logger stays as configured');
    return;
  }

  Runtime.install({
    logger: new PinoSdkLogger(logger.child({ component: 'temporal-sdk' })),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: coreLevel }), forward: {} },
    },
  });
}

/** Adapts pino to the SDK's logger interface: fields first, message second. */
class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = PINO_METHODS[level];
    this.logger[method](meta ?? {}, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

const PINO_METHODS = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;
