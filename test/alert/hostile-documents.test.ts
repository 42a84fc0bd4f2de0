import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseDocument } from '../../src/alert/normalise';
import { checkRuleTuple } from '../../src/alert/rule-tuple';

const positive = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', '..', 'data', 'alerts', 'positive-malseclogon.json'), 'utf8'),
);

function isMatchingAlert(doc: unknown): boolean {
  const result = normaliseDocument(doc);
  return result.ok && checkRuleTuple(result.alert.rule).matches;
}

describe('normaliseDocument on hostile input', () => {
  it.each([
    ['a __proto__ object', '{"__proto__":{"GrantedAccess":"0x14c0","type":"x"}}'],
    ['a dotted __proto__ key', '{"winlog.__proto__.polluted":"yes"}'],
    ['a constructor.prototype key', '{"constructor.prototype.polluted":"yes"}'],
  ])('rejects %s without touching Object.prototype', (_name, text) => {
    const result = normaliseDocument(JSON.parse(text));

    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).GrantedAccess).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(isMatchingAlert(positive)).toBe(true);
  });

  it('rejects deep nesting with a path instead of overflowing the stack', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`);

    const result = normaliseDocument(deep, 2);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toContain('nested deeper than');
  });
});

describe('rule tuple on look-alike and missing fields', () => {
  function failingFields(doc: Record<string, unknown>): string[] {
    const result = normaliseDocument(doc);
    if (!result.ok) throw new Error(`document is invalid: ${JSON.stringify(result.issues)}`);
    return checkRuleTuple(result.alert.rule).failures.map((failure) => failure.field);
  }

  it('does not fold the long s into s', () => {
    const doc = { ...positive, process: { ...positive.process, name: 'ſvchoſt.exe' } };

    expect(failingFields(doc)).toEqual(['process.name']);
  });

  it('fails an alert without host.os.type instead of inferring it', () => {
    const doc = structuredClone(positive);
    delete doc.host.os;

    expect(failingFields(doc)).toEqual(['host.os.type']);
  });

  it('fails an alert without process.name instead of reading SourceImage', () => {
    const doc = structuredClone(positive);
    delete doc.process.name;

    expect(failingFields(doc)).toEqual(['process.name']);
  });
});
