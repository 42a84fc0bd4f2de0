import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging';
import { isAuthorised } from './token';
import type { BatchOutcome } from './batch';

export interface IntakeServerOptions {
  host: string;
  port: number;
  token: string;
  maxBodyBytes: number;
  logger: Logger;
  /** Processes one request body; every accepted alert has a workflow when it resolves. */
  processBatch(body: string, contentType: string | undefined): Promise<BatchOutcome>;
  /** Reports whether the Temporal connection is usable, for `GET /healthz`. */
  checkHealth(): Promise<{ isHealthy: boolean; detail: string }>;
}

export interface IntakeServer {
  /** The address the server listens on (the real port when 0 was asked for). */
  url: string;
  /** Stops accepting connections and waits for requests in flight to finish. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP intake: `POST /alerts` (bearer token, JSON array, NDJSON or a Kibana webhook
 * body) and `GET /healthz`. A request is answered only after every accepted alert's workflow has
 * been started, so a 2xx answer means nothing it accepted can be lost.
 */
export async function startIntakeServer(options: IntakeServerOptions): Promise<IntakeServer> {
  const { logger } = options;
  const server = http.createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, 'intake request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the responder log' });
      else res.end();
    });
  });
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      const where = `${options.host}:${options.port}`;
      reject(new Error(`intake address ${where} is already in use; stop the other process or set INTAKE_PORT`, { cause: error }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'alert intake listening');

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: IntakeServerOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://intake');

  if (url.pathname === '/healthz') {
    if (req.method !== 'GET') return sendMethodNotAllowed(res, 'GET');
    const health = await options.checkHealth();
    return sendJson(res, health.isHealthy ? 200 : 503, {
      status: health.isHealthy ? 'ok' : 'unavailable',
      temporal: health.detail,
    });
  }

  if (url.pathname !== '/alerts') {
    return sendJson(res, 404, { error: `no route ${url.pathname}; use POST /alerts or GET /healthz` });
  }
  if (req.method !== 'POST') return sendMethodNotAllowed(res, 'POST');
  if (!isAuthorised(req.headers.authorization, options.token)) {
    req.resume();
    res.setHeader('WWW-Authenticate', 'Bearer');
    return sendJson(res, 401, {
      error: 'missing or invalid bearer token; send "Authorization: Bearer <INTAKE_TOKEN>"',
    });
  }

  const body = await readBody(req, options.maxBodyBytes);
  if (body === undefined) {
    return sendJson(res, 413, {
      error: `request body exceeds ${options.maxBodyBytes} bytes; split the batch or raise INTAKE_MAX_BODY_BYTES`,
    });
  }

  const outcome = await options.processBatch(body, req.headers['content-type']);
  options.logger.info(outcome.counts, 'alert batch processed');
  return sendJson(res, outcome.httpStatus, { counts: outcome.counts, results: outcome.results, error: outcome.error });
}

/** Reads the body up to `maxBytes`; returns undefined (and drains the rest) when it is larger. */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let isTooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) isTooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(isTooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendMethodNotAllowed(res: http.ServerResponse, allowed: string): void {
  res.setHeader('Allow', allowed);
  sendJson(res, 405, { error: `method not allowed; use ${allowed}` });
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}
