import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface IntakeToken {
  token: string;
  /** File that keeps a generated token; undefined when the token came from config. */
  generatedAt?: string;
}

/**
 * Returns the configured intake token, or the one kept in `<dataDir>/intake-token`, creating
 * that file (mode 0600) with a new random token on first start.
 */
export function resolveIntakeToken(configured: string | undefined, dataDir: string): IntakeToken {
  if (configured !== undefined) return { token: configured };

  const file = path.resolve(dataDir, 'intake-token');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return { token: kept, generatedAt: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generatedAt: file };
}

/** Compares a request's `Authorization` header with the expected bearer token in constant time. */
export function isAuthorised(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) return false;
  const given = Buffer.from(match[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
