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
  // The SDK adds the activity's task token to activity log lines; it can complete the activity.
  'taskToken',
];

/**
 * Builds the root logger. Writes JSON lines to stderr so that commands whose stdout is data
 * (`soar check`, `soar demo`) stay machine-readable.
 */
export function createLogger(level = 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    { level, base: { service: 'malseclogon-responder' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
