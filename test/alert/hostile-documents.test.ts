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
