import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Alert } from '../src/alert/alert';
import {
  ALERT_ID_KEY,
  DECISION_KEY,
  HOST_KEY,
  STATE_KEY,
  USER_KEY,
  VERDICT_KEY,
} from '../src/temporal/search-attributes';
import type { ResponseState } from './messages';

/**
 * Patch id of the search-attribute upserts. Runs that started before the upserts existed have no
 * `UpsertWorkflowSearchAttributes` events, so on replay `patched` returns false for them and the
 * workflow issues no upsert command where their history has none.
 */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

/**
 * Sets the run's search attributes from the alert and the current state: AlertId, Host and User
 * always, State from the phase, Verdict and Decision once they exist. Safe to call at every phase
 * change, because an upsert of an unchanged value changes nothing.
 *
 * Does nothing for a run started without the AlertId attribute. `startOrAttach` sets it, and only
 * a server with the attributes registered accepts that, while a server without them (the
 * time-skipping test server cannot register any) would fail every workflow task on the upsert.
 */
export function upsertRunSearchAttributes(alert: Alert, state: ResponseState): void {
  if (workflowInfo().typedSearchAttributes.get(ALERT_ID_KEY) === undefined) return;
  if (!patched(SEARCH_ATTRIBUTES_PATCH)) return;

  const user = alert.user.name ?? alert.user.id;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: ALERT_ID_KEY, value: alert.alertId },
    { key: HOST_KEY, value: alert.host.name },
    { key: STATE_KEY, value: state.phase },
  ];
  if (user !== undefined) pairs.push({ key: USER_KEY, value: user });
  if (state.verdict) pairs.push({ key: VERDICT_KEY, value: state.verdict.kind });
  if (state.decision) pairs.push({ key: DECISION_KEY, value: state.decision.action });
  upsertSearchAttributes(pairs);
}
