/**
 * The internal alert type. Every inbound shape (Elastic Security alert document, ECS event,
 * winlogbeat 6 event, Mordor flat record, EVTX conversion) is normalised into this once, at the
 * intake boundary, and nothing past the boundary reads the raw document.
 */

/** The six fields the rule's EQL query tests, as they appear on the event (not normalised). */
export interface RuleFields {
  /** `host.os.type`; for Windows event-log shapes without it, `windows` is inferred. */
  hostOsType?: string;
  /** `event.code` as a string (numbers in the source are rendered in base 10). */
  eventCode?: string;
  targetImage?: string;
  callTrace?: string;
  /** `process.name`; for shapes without it, the file name of `SourceImage`. */
  processName?: string;
  grantedAccess?: string;
}

export type SourceShape = 'elastic-alert' | 'ecs' | 'winlogbeat6' | 'mordor-flat' | 'evtx';

export interface HostRef {
  /** `host.id` when the agent adds host metadata; absent in forwarded (WEF) data. */
  id?: string;
  /** The endpoint's computer name, lower case. Never the WEF collector's name. */
  name: string;
}

export interface UserRef {
  /** SID of the account, `user.id` in ECS. */
  id?: string;
  name?: string;
  domain?: string;
}

export interface Alert {
  /** Stable identity: `kibana.alert.uuid`, else derived from the source event and host. */
  alertId: string;
  identitySource: 'kibana.alert.uuid' | 'source-event';
  shape: SourceShape;
  /** `kibana.alert.rule.uuid` when the document is an Elastic Security alert. */
  ruleUuid?: string;
  /** Source event time, ISO 8601 (`kibana.alert.original_time`, else `@timestamp`). */
  timestamp: string;
  host: HostRef;
  user: UserRef;
  rule: RuleFields;
  access: {
    sourceImage?: string;
    /** Sysmon SourceProcessGUID, lower case with braces. */
    sourceProcessGuid?: string;
    sourceProcessId?: number;
    targetImage?: string;
    targetProcessId?: number;
    grantedAccess?: string;
    callTrace?: string;
  };
  /** `process.Ext.authentication_id` (Elastic Defend) when present, as lower-case hex. */
  authenticationId?: string;
  /** Original record id of the source event (EventRecordID, record_number, winlog.record_id). */
  recordId?: string;
}
