/**
 * The stable identity of an alert, which becomes its workflow id. The rule runs every 5 minutes
 * over the last 9, so one source event can be delivered more than once and must map to the same
 * workflow every time.
 */
import { createHash } from 'node:crypto';
import { WORKFLOW_ID_PREFIX } from '../constants';
import type { Alert } from './alert';
import { normaliseGuid } from './identifiers';

/** The parts of a source event that identify it when no `kibana.alert.uuid` is present. */
export interface SourceEventKey {
  providerName?: string;
  channel?: string;
  recordId?: string;
  sourceProcessGuid?: string;
  /** Source event time, ISO 8601 UTC. */
  timestamp: string;
  /** The endpoint's computer name; compared lower case. */
  hostName: string;
}

/**
 * Returns `evt-` and 32 hex digits of the SHA-256 of the source event's provider, channel,
 * record id, SourceProcessGUID, time and host. Case and GUID braces do not change the result,
 * so the same event read from two shapes gets one identity. The host is the computer name and
 * not `host.id`, because forwarded copies of an event often lack `host.id`. Pure.
 */
export function sourceEventIdentity(key: SourceEventKey): string {
  const canonical = JSON.stringify([
    key.providerName?.toLowerCase() ?? '',
    key.channel?.toLowerCase() ?? '',
    key.recordId ?? '',
    normaliseGuid(key.sourceProcessGuid) ?? key.sourceProcessGuid ?? '',
    key.timestamp,
    key.hostName.toLowerCase(),
  ]);
  return `evt-${sha256Hex(canonical).slice(0, 32)}`;
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Returns the workflow id of an alert: WORKFLOW_ID_PREFIX followed by its identity. An identity
 * with characters outside `A-Z a-z 0-9 . _ -`, or longer than 200 characters, is replaced by
 * `h-` and 32 hex digits of its SHA-256, so distinct identities never collapse into one id. Pure.
 */
export function workflowIdFor(alert: Pick<Alert, 'alertId'>): string {
  const identity = SAFE_ID.test(alert.alertId)
    ? alert.alertId
    : `h-${sha256Hex(alert.alertId).slice(0, 32)}`;
  return `${WORKFLOW_ID_PREFIX}${identity}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
