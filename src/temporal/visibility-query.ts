import { WORKFLOW_TYPE } from '../constants';
import {
  DECISION_KEY,
  HOST_KEY,
  STATE_KEY,
  USER_KEY,
  VERDICT_KEY,
} from './search-attributes';

/** Filters of `soar list`; each one set must match exactly. */
export interface RunFilters {
  verdict?: string;
  host?: string;
  state?: string;
  decision?: string;
  user?: string;
}

const FILTER_KEYS = {
  verdict: VERDICT_KEY,
  host: HOST_KEY,
  state: STATE_KEY,
  decision: DECISION_KEY,
  user: USER_KEY,
} as const;

/**
 * Builds the visibility query for the response workflow's runs with the given filters, e.g.
 * `WorkflowType = 'malSecLogonResponse' AND Verdict = 'escalate' AND Host = 'ws-01'`.
 */
export function runsQuery(filters: RunFilters = {}): string {
  const clauses = [`WorkflowType = ${quoteQueryValue(WORKFLOW_TYPE)}`];
  for (const [name, key] of Object.entries(FILTER_KEYS)) {
    const value = filters[name as keyof RunFilters];
    if (value !== undefined) clauses.push(`${key.name} = ${quoteQueryValue(value)}`);
  }
  return clauses.join(' AND ');
}

/**
 * Quotes a value as a string literal of Temporal's visibility query language: single quotes, with
 * backslash and single quote escaped by a backslash. Throws for control characters, which no
 * host, user or verdict contains and which the query parser does not accept inside a literal.
 */
export function quoteQueryValue(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new RangeError(`a visibility query value contains a control character: ${JSON.stringify(value)}`);
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
