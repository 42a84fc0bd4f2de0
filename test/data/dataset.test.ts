import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readField } from '../../src/alert/fields';
import { DATASET_PATHS, PSEUDONYMS, pseudonymise } from '../../scripts/build-dataset';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function bundledFiles(): string[] {
  const dirs = [DATASET_PATHS.telemetryDir, DATASET_PATHS.alertsDir].map((dir) =>
    path.join(REPO_ROOT, dir),
  );
  return dirs.flatMap((dir) => fs.readdirSync(dir).map((name) => path.join(dir, name)));
}

function readNdjson(relativePath: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, relativePath), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('bundled dataset', () => {
  it('holds telemetry and alert files', () => {
    expect(bundledFiles().filter((file) => file.endsWith('.ndjson')).length).toBe(14);
    expect(fs.existsSync(path.join(REPO_ROOT, DATASET_PATHS.positiveAlert))).toBe(true);
  });

  it.each(PSEUDONYMS.map((entry) => [entry.original, entry.replacement]))(
    'contains no original value %s',
    (original) => {
      const offenders = bundledFiles().filter((file) =>
        fs.readFileSync(file, 'utf8').toLowerCase().includes(original.toLowerCase()),
      );

      expect(offenders).toEqual([]);
    },
  );

  it('labels the derived event in the tutto telemetry', () => {
    const docs = readNdjson(path.join(DATASET_PATHS.telemetryDir, 'tutto_malseclogon.ndjson'));
    const derived = docs.filter((doc) => readField(doc, 'labels.derived') === true);

    expect(derived).toHaveLength(1);
    expect(readField(derived[0], 'winlog.event_data.GrantedAccess')).toBe('0x14c0');
    expect(readField(derived[0], 'labels.derivation')).toMatch(/619516/);
    expect(docs).toHaveLength(16);
  });

  it('keeps every telemetry file in ECS with a dataset label', () => {
    for (const file of fs.readdirSync(path.join(REPO_ROOT, DATASET_PATHS.telemetryDir))) {
      for (const doc of readNdjson(path.join(DATASET_PATHS.telemetryDir, file))) {
        expect(readField(doc, 'event.code')).toBeTypeOf('string');
        expect(readField(doc, 'labels.dataset')).toBe(file.replace(/\.ndjson$/, ''));
        expect(readField(doc, 'host.os.type')).toBe('windows');
      }
    }
  });
});

describe('pseudonymise', () => {
  it('replaces values in any case and keeps the NT hash length', () => {
    const out = pseudonymise({
      a: 'C:\\Users\\BOUSS\\x',
      b: '/rc4:81d310fa34e6a56a31145445891bb7b8',
    });

    expect(out).toEqual({ a: 'C:\\Users\\analyst\\x', b: `/rc4:${'0'.repeat(32)}` });
  });

  it('replaces only the exact IP address', () => {
    expect(pseudonymise('1.2.3.4 11.2.3.4 1.2.3.45')).toBe('203.0.113.4 11.2.3.4 1.2.3.45');
  });
});
