import { readFileSync } from 'node:fs';

/** Thrown for a command-line mistake; the CLI prints the message and the usage, exit code 2. */
export class UsageError extends Error {}

/** Reads a file argument, or standard input when it is `-`. Throws naming the path when unreadable. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`);
  }
}

/** Writes one JSON value per line to standard output. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
