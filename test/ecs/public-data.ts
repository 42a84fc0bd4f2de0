import fs from 'node:fs';
import path from 'node:path';

/** The public recordings, resolved from the repository root as ../shared/data/public. */
export const PUBLIC_DATA_DIR = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'public',
);

/** Reads every record of a public NDJSON or JSON file. */
export function readPublicRecords(relativePath: string): Record<string, unknown>[] {
  const text = fs.readFileSync(path.join(PUBLIC_DATA_DIR, relativePath), 'utf8');
  if (!relativePath.endsWith('.ndjson')) return [JSON.parse(text) as Record<string, unknown>];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Returns the first record that matches the predicate. Throws when none does. */
export function findRecord(
  records: Record<string, unknown>[],
  predicate: (record: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  const found = records.find(predicate);
  if (found === undefined) throw new Error('record not found in the public data');
  return found;
}
