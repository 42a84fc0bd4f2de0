import pino, { type Logger } from 'pino';

/** Paths that may hold secrets or whole payloads; redacted even if a caller logs them by mistake. */
const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'signingSecret',
  '*.signingSecret',
  'botToken',
  '*.botToken',
  'apiKey',
  '*.apiKey',
  'body',
  'rawBody',
];

/**
 * Builds the root logger. Writes JSON lines to stderr so that commands whose stdout is data
 * (`soar check`, `soar demo`) stay machine-readable.
 */
export function createLogger(level = 'info'): Logger {
  return pino(
    { level, base: { service: 'malseclogon-responder' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination(2),
  );
}

export type { Logger };
