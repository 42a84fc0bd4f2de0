/**
 * Custom search attributes of the response workflow, defined once for the dev server (which
 * registers them at start), the workflow (which sets them as a run progresses) and `soar list`
 * (which filters on them). All are Keyword attributes, so a visibility query matches them exactly.
 *
 * This module imports only `@temporalio/common`, so workflow code may import it too.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ALERT_ID_KEY = defineSearchAttributeKey('AlertId', SearchAttributeType.KEYWORD);
/** The endpoint's host name, lower case, as on the alert. */
export const HOST_KEY = defineSearchAttributeKey('Host', SearchAttributeType.KEYWORD);
/** The alert's user: `user.name` when present, else `user.id`. */
export const USER_KEY = defineSearchAttributeKey('User', SearchAttributeType.KEYWORD);
/** Verdict kind: escalate, unresolved or benign. */
export const VERDICT_KEY = defineSearchAttributeKey('Verdict', SearchAttributeType.KEYWORD);
/** The decided action: preserve, contain, isolate, close-benign or exception. */
export const DECISION_KEY = defineSearchAttributeKey('Decision', SearchAttributeType.KEYWORD);
/** The run's phase: enriching, awaiting-decision, responding or done. */
export const STATE_KEY = defineSearchAttributeKey('State', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [
  ALERT_ID_KEY,
  HOST_KEY,
  USER_KEY,
  VERDICT_KEY,
  DECISION_KEY,
  STATE_KEY,
] as const;

/** `Name=Keyword` for each attribute, the form `temporal server start-dev --search-attribute` takes. */
export function devServerSearchAttributes(): Record<string, 'Keyword'> {
  return Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, 'Keyword' as const]));
}
