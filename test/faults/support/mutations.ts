/**
 * Seeded generator of intake documents: the bundled positive alert with distinct ids, repeats of
 * earlier ids, and mutations that break its schema, its rule tuple or its JSON.
 */
import { positiveDocument } from './harness';

export type DocumentKind = 'valid' | 'repeat' | 'mutated' | 'garbage' | 'malformed-line';

export interface GeneratedDocument {
  kind: DocumentKind;
  /** The NDJSON line sent for it. */
  line: string;
  /** `kibana.alert.uuid` of a valid or repeated document. */
  uuid?: string;
}

/** Returns a seeded PRNG (mulberry32), so that a failing run can be repeated from its seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FIELDS_TO_BREAK = [
  '@timestamp',
  'host',
  'winlog',
  'process',
];
const ODD_VALUES: unknown[] = [
  null,
  42,
  -1,
  1e308,
  '',
  'x'.repeat(20_000),
  [],
  [1, 'two', null],
  {},
  { __proto__: { polluted: true } },
  '\u0000\u202e\ud800',
  true,
];

/**
 * Generates `count` documents: about 3 % valid with new ids and 2 % repeats, so that the runs
 * started stay few enough for SQLite on two cores, and the rest rejected.
 */
export function generateDocuments(count: number, seed: number): GeneratedDocument[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const validIds: string[] = [];
  const documents: GeneratedDocument[] = [];
  for (let i = 0; i < count; i += 1) {
    const roll = random();
    if (roll < 0.03 || validIds.length === 0) {
      const uuid = `flood-${seed}-${i}`;
      validIds.push(uuid);
      documents.push({ kind: 'valid', uuid, line: JSON.stringify(positiveDocument(uuid)) });
    } else if (roll < 0.05) {
      const uuid = pick(validIds);
      documents.push({ kind: 'repeat', uuid, line: JSON.stringify(positiveDocument(uuid)) });
    } else if (roll < 0.85) {
      documents.push({ kind: 'mutated', line: JSON.stringify(mutate(positiveDocument(`flood-mutant-${seed}-${i}`), random, pick)) });
    } else if (roll < 0.95) {
      documents.push({ kind: 'garbage', line: JSON.stringify(pick(ODD_VALUES)) ?? 'null' });
    } else {
      const text = JSON.stringify(positiveDocument(`flood-torn-${i}`));
      documents.push({ kind: 'malformed-line', line: text.slice(0, Math.floor(random() * (text.length - 1))) });
    }
  }
  return documents;
}

/**
 * Applies one to three random changes (drop, retype or replace a field, or nest it deeply), then
 * usually drops a top-level field the alert needs.
 */
function mutate(
  document: Record<string, unknown>,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
): unknown {
  const changes = 1 + Math.floor(random() * 3);
  for (let i = 0; i < changes; i += 1) {
    const target = descend(document, random, pick);
    const key = pick(Object.keys(target));
    if (key === undefined) continue;
    const action = random();
    if (action < 0.3) delete target[key];
    else if (action < 0.7) target[key] = pick(ODD_VALUES);
    else if (action < 0.85) target[key] = nest(40 + Math.floor(random() * 200));
    else target[key] = typeof target[key] === 'string' ? flipCase(target[key]) : String(target[key]);
  }
  // Most mutants also lose a field the schema or the rule needs, so that the runs started stay few.
  if (random() < 0.95) delete document[pick(FIELDS_TO_BREAK)];
  return document;
}

/** Walks down zero or more levels of nested objects and returns the object reached. */
function descend(
  document: Record<string, unknown>,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
): Record<string, unknown> {
  let current = document;
  while (random() < 0.6) {
    const children = Object.values(current).filter(
      (value): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value),
    );
    if (children.length === 0) break;
    current = pick(children);
  }
  return current;
}

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

function flipCase(text: string): string {
  return [...text].map((char) => (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase())).join('');
}
