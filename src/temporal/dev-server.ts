import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TemporalBinaryError } from '../errors';
import type { Logger } from '../logging';
import { requireTemporalBinary } from './binaries';
import { devServerSearchAttributes } from './search-attributes';

const LOOPBACK = '127.0.0.1';

export interface DevServerOptions {
  /** Folder for `temporal.sqlite` and `temporal-server.log`; created when missing. */
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  logger: Logger;
  /** @default the binary that `requireTemporalBinary('cli')` finds */
  cliPath?: string;
  /**
   * How long to wait for the frontend to accept connections. A first start creates the SQLite
   * schema, which takes a few seconds on a laptop.
   * @default 60_000
   */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. @default 10_000 */
  stopGraceMs?: number;
}

export interface DevServer {
  /** `host:port` of the gRPC frontend, for `Connection.connect` and `NativeConnection.connect`. */
  address: string;
  /** Resolves with the exit code or signal if the server exits without `stop()` being called. */
  unexpectedExit: Promise<string>;
  logFile: string;
  dbFile: string;
  /** Stops the server: SIGTERM, then SIGKILL after the grace period. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on loopback with a SQLite file in `dataDir`, so workflows
 * survive a restart, and resolves once the frontend accepts TCP connections. For a cluster set
 * by TEMPORAL_ADDRESS, the caller skips this. Throws `TemporalBinaryError` when the CLI is
 * missing, the port is already taken, or the server exits or stays silent past the timeout. The
 * message names the log file.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { dataDir, port, uiPort, namespace, logger } = options;
  const cliPath = options.cliPath ?? requireTemporalBinary('cli');
  mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const logFile = path.join(dataDir, 'temporal-server.log');

  if (await isAcceptingConnections(port)) {
    throw new TemporalBinaryError(
      `port ${port} on ${LOOPBACK} is already in use. Stop the other server, set TEMPORAL_DEV_PORT ` +
        'to a free port, or set TEMPORAL_ADDRESS to use that server.',
    );
  }

  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    LOOPBACK,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--ui-disable-news-fetch',
    '--log-format',
    'json',
    '--log-level',
    'warn',
    ...searchAttributeArgs(),
  ];
  const logFd = openSync(logFile, 'a');
  const child = spawn(cliPath, args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  // Backstop for a parent that exits without calling stop(): never leave the server running.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  logger.info({ pid: child.pid, port, uiPort, dbFile, logFile }, 'starting Temporal dev server');

  let isStopping = false;
  const unexpectedExit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!isStopping) resolve(String(code ?? signal));
    });
  });
  const server: DevServer = {
    address: `${LOOPBACK}:${port}`,
    unexpectedExit,
    logFile,
    dbFile,
    stop: async () => {
      isStopping = true;
      process.removeListener('exit', killOnExit);
      await stopChild(child, options.stopGraceMs ?? 10_000, logger);
    },
  };
  try {
    await waitUntilReady(child, () => spawnError, port, options.startTimeoutMs ?? 60_000, logFile);
  } catch (error) {
    await server.stop();
    throw error;
  }
  logger.info({ address: server.address }, 'Temporal dev server ready');
  return server;
}

/** Registers the response workflow's search attributes, which the workflow sets on every run. */
function searchAttributeArgs(): string[] {
  return Object.entries(devServerSearchAttributes()).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
}

async function waitUntilReady(
  child: ChildProcess,
  spawnError: () => Error | undefined,
  port: number,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const error = spawnError();
    if (error) {
      throw new TemporalBinaryError(`Temporal dev server could not be started: ${error.message}`, {
        cause: error,
      });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TemporalBinaryError(
        `Temporal dev server exited (code ${child.exitCode ?? child.signalCode}) before accepting ` +
          `connections. See ${logFile}.`,
      );
    }
    if ((await isAcceptingConnections(port)) && (await isFrontendServing(port))) return;
    await delay(200);
  }
  throw new TemporalBinaryError(
    `Temporal dev server did not accept connections on ${LOOPBACK}:${port} within ${timeoutMs} ms. ` +
      `See ${logFile}.`,
  );
}

/**
 * Asks the frontend for its system info, the first call every client makes. The port accepts
 * connections a moment before the frontend reports itself healthy, and a client connecting in
 * that moment fails with "Frontend is not healthy yet".
 */
async function isFrontendServing(port: number): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `${LOOPBACK}:${port}`, connectTimeout: '2s' });
    await connection.withDeadline(Date.now() + 2_000, () => connection!.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

function isAcceptingConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess, graceMs: number, logger: Logger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const grace = new AbortController();
  child.kill('SIGTERM');
  const isExited = await Promise.race([
    exited.then(() => true),
    delay(graceMs, false, { signal: grace.signal }).catch(() => false),
  ]);
  grace.abort();
  if (!isExited) {
    logger.warn(
      { pid: child.pid, graceMs },
      'Temporal dev server ignored SIGTERM; sending SIGKILL',
    );
    child.kill('SIGKILL');
    await exited;
  }
  logger.info({ pid: child.pid }, 'Temporal dev server stopped');
}
