import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/evidence/canonical';
import { EvidenceStore } from '../../src/evidence/store';
import { EvidenceIntegrityError } from '../../src/errors';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    const value = { b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, e: 'x' };

    expect(canonicalJson(value)).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1,"e":"x"}');
  });

  it('gives equal bytes for equal values in any key order', () => {
    expect(canonicalJson({ x: 1, y: [2, 3] })).toBe(canonicalJson({ y: [2, 3], x: 1 }));
  });
});

describe('EvidenceStore', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'soar-evidence-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores canonical JSON and records its hash', async () => {
    const store = new EvidenceStore(root);

    const [item] = await store.preserve('alert-1', [{ name: 'alert', content: { b: 2, a: 1 } }]);

    const bytes = await readFile(path.join(root, 'alert-1', 'alert.json'), 'utf8');
    expect(bytes).toBe('{"a":1,"b":2}');
    expect(item).toEqual({ name: 'alert', file: 'alert-1/alert.json', sha256: sha256Hex(bytes), bytes: 13 });
  });

  it('keeps an identical file on a retried preservation', async () => {
    const store = new EvidenceStore(root);
    const first = await store.preserve('alert-1', [{ name: 'alert', content: { a: 1 } }]);

    const second = await store.preserve('alert-1', [{ name: 'alert', content: { a: 1 } }]);

    expect(second).toEqual(first);
  });

  it('never overwrites a file with other content', async () => {
    const store = new EvidenceStore(root);
    await store.preserve('alert-1', [{ name: 'alert', content: { a: 1 } }]);

    const again = store.preserve('alert-1', [{ name: 'alert', content: { a: 2 } }]);

    await expect(again).rejects.toBeInstanceOf(EvidenceIntegrityError);
    expect(await readFile(path.join(root, 'alert-1', 'alert.json'), 'utf8')).toBe('{"a":1}');
  });

  it('names modified and missing files on verification', async () => {
    const store = new EvidenceStore(root);
    const items = await store.preserve('alert-1', [
      { name: 'alert', content: { a: 1 } },
      { name: 'answer-Q4', content: { q: 4 } },
      { name: 'request', content: { r: true } },
    ]);
    await writeFile(path.join(root, 'alert-1', 'answer-Q4.json'), '{"q":5}');
    await rm(path.join(root, 'alert-1', 'request.json'));

    const results = await store.verify(items);

    expect(results.map((result) => [result.name, result.status])).toEqual([
      ['alert', 'ok'],
      ['answer-Q4', 'mismatch'],
      ['request', 'missing'],
    ]);
  });

  it('keeps alert ids and item names inside the evidence folder', async () => {
    const store = new EvidenceStore(root);

    const [item] = await store.preserve('../../etc', [{ name: '../passwd', content: {} }]);

    expect(item?.file).toBe('__.._etc/__passwd.json');
    expect(() => store.pathOf('../outside.json')).toThrow(EvidenceIntegrityError);
  });
});
