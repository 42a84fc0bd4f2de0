import { describe, expect, it } from 'vitest';
import { parseIntakeBody } from '../../src/alert/intake-body';

function parseOk(body: string, contentType?: string) {
  const result = parseIntakeBody(body, contentType);
  if (!result.ok) throw new Error(`body rejected: ${result.error}`);
  return result;
}

function parseError(body: string): string {
  const result = parseIntakeBody(body);
  if (result.ok) throw new Error('body accepted');
  return result.error;
}

describe('parseIntakeBody', () => {
  it('reads a JSON array with per-element errors', () => {
    const result = parseOk('[{"a":1}, 5, {"b":2}]');

    expect(result.format).toBe('array');
    expect(result.documents.map((doc) => doc.index)).toEqual([0, 2]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.index).toBe(1);
    expect(result.errors[0]?.path).toBe('$[1]');
  });

  it('reads NDJSON and reports one bad line only', () => {
    const body = '{"a":1}\n{"broken":\n\n{"c":3}\n';

    const result = parseOk(body, 'application/x-ndjson');

    expect(result.format).toBe('ndjson');
    expect(result.documents.map((doc) => doc.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(result.documents.map((doc) => doc.line)).toEqual([1, 4]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(2);
    expect(result.errors[0]?.index).toBe(1);
    expect(result.errors[0]?.message).toMatch(/line 2 is not valid JSON/);
  });

  it('detects NDJSON without a content type', () => {
    const result = parseOk('{"a":1}\n{"b":2}', 'application/json');

    expect(result.format).toBe('ndjson');
    expect(result.documents).toHaveLength(2);
  });

  it('reads a Kibana webhook body', () => {
    const body = JSON.stringify({
      alerts: [{ 'kibana.alert.uuid': 'x' }, { 'kibana.alert.uuid': 'y' }],
    });

    const result = parseOk(body, 'application/json; charset=utf-8');

    expect(result.format).toBe('webhook');
    expect(result.documents.map((doc) => doc.index)).toEqual([0, 1]);
  });

  it('rejects a webhook body whose alerts is not an array', () => {
    const error = parseError('{"alerts": "none"}');

    expect(error).toMatch(/"alerts" key must hold an array/);
  });

  it('reads a single document object', () => {
    const result = parseOk('{"@timestamp":"2021-12-07T17:33:01.590Z"}');

    expect(result.format).toBe('object');
    expect(result.documents).toHaveLength(1);
  });

  it.each([
    ['garbage', 'this is not json'],
    ['empty body', '   '],
    ['a JSON number', '42'],
    ['NDJSON with only bad lines', '{bad\n[nope'],
  ])('rejects %s as a whole, naming the accepted forms', (_, body) => {
    const error = parseError(body);

    expect(error).toMatch(/expected a JSON array of alert documents/);
  });
});
