/**
 * Splits an intake request body into documents. Accepted bodies: a JSON array of documents,
 * NDJSON (one document per line), a single document object, or the object a Kibana webhook
 * connector sends with the body `{"alerts": {{{context.alerts}}}}`.
 */
import { isRecord } from './fields';

export type IntakeFormat = 'array' | 'ndjson' | 'object' | 'webhook';

/** One document of the body; `index` is its position among the body's documents, from 0. */
export interface IntakeDocument {
  index: number;
  value: unknown;
  /** 1-based line number, for NDJSON bodies. */
  line?: number;
}

/** A document of the body that could not be used; the others are still returned. */
export interface IntakeError {
  index: number;
  /** JSONPath of the document in the body, such as `$[2]`. */
  path: string;
  message: string;
  line?: number;
}

export type IntakeParseResult =
  | { ok: true; format: IntakeFormat; documents: IntakeDocument[]; errors: IntakeError[] }
  | { ok: false; error: string };

const EXPECTED =
  'expected a JSON array of alert documents, one JSON object, NDJSON (one object per line) ' +
  'or a Kibana webhook body {"alerts": [...]}';

/**
 * Parses a request body. A body that is JSON as a whole is read as an array, a webhook object or
 * a single document. Any other body, and any body whose `contentType` names NDJSON, is read line
 * by line, and a bad line is an error for that line only. A body with no usable JSON at all
 * fails as a whole, with a message naming the accepted forms. Pure; never throws.
 */
export function parseIntakeBody(body: string, contentType?: string): IntakeParseResult {
  if (body.trim() === '') return { ok: false, error: `the body is empty: ${EXPECTED}` };
  if (isNdjsonType(contentType)) return parseNdjson(body);

  const whole = tryParse(body);
  if (!whole.ok) return parseNdjson(body);
  const value = whole.value;
  if (Array.isArray(value)) return fromElements('array', value);
  if (isRecord(value) && Object.hasOwn(value, 'alerts')) {
    if (!Array.isArray(value.alerts)) {
      return {
        ok: false,
        error: `the "alerts" key must hold an array of alert documents: ${EXPECTED}`,
      };
    }
    return fromElements('webhook', value.alerts);
  }
  if (isRecord(value))
    return { ok: true, format: 'object', documents: [{ index: 0, value }], errors: [] };
  return { ok: false, error: `the body is JSON ${describe(value)}: ${EXPECTED}` };
}

function fromElements(format: 'array' | 'webhook', elements: unknown[]): IntakeParseResult {
  const documents: IntakeDocument[] = [];
  const errors: IntakeError[] = [];
  elements.forEach((value, index) => {
    if (isRecord(value)) documents.push({ index, value });
    else
      errors.push({
        index,
        path: `$[${index}]`,
        message: `must be a JSON object, not ${describe(value)}`,
      });
  });
  return { ok: true, format, documents, errors };
}

function parseNdjson(body: string): IntakeParseResult {
  const documents: IntakeDocument[] = [];
  const errors: IntakeError[] = [];
  let index = 0;
  body.split(/\r?\n/).forEach((text, lineIndex) => {
    if (text.trim() === '') return;
    const line = lineIndex + 1;
    const parsed = tryParse(text);
    if (!parsed.ok) {
      errors.push({
        index,
        line,
        path: `$[${index}]`,
        message: `line ${line} is not valid JSON: ${parsed.error}`,
      });
    } else if (!isRecord(parsed.value)) {
      const message = `line ${line} must be a JSON object, not ${describe(parsed.value)}`;
      errors.push({ index, line, path: `$[${index}]`, message });
    } else {
      documents.push({ index, line, value: parsed.value });
    }
    index += 1;
  });
  if (documents.length === 0)
    return { ok: false, error: `the body is not valid JSON or NDJSON: ${EXPECTED}` };
  return { ok: true, format: 'ndjson', documents, errors };
}

function isNdjsonType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-ndjson' || mediaType === 'application/ndjson';
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
