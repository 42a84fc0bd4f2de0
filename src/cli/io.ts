import { readFileSync } from 'node:fs';

/** Thrown for a command-line mistake; the CLI prints the message and the usage, exit code 2. */
export class UsageError extends Error {}

/** Thrown for a bad input the user named (missing file, unknown alert); exit code 1, no usage. */
export class InputError extends Error {}

/** Reads a file argument, or standard input when it is `-`. Throws naming the path when unreadable. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const what = file === '-' ? 'standard input' : file;
    throw new InputError(`cannot read ${what}: ${(error as Error).message}; check the path`);
  }
}

/** Writes one JSON value per line to standard output. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
