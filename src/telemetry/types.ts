import type { HostRef } from '../alert/alert';

/**
 * Whether a data source could answer a question: `present` means it answered and holds data of
 * that kind for the host in the window, `absent` that it answered but holds none of that kind,
 * `failed` that it did not answer. Only `present` can support a benign verdict.
 */
export type Coverage = 'present' | 'absent' | 'failed';

export interface TimeWindow {
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, inclusive. */
  to: string;
}

/** One telemetry record in the fields the questions read, with its original identity. */
export interface TelemetryEvent {
  /** Original record id with its dataset or index, e.g. `tutto_malseclogon#619518`. */
  recordId: string;
  timestamp: string;
  host: HostRef;
  /** `event.code` as a string: '1', '10', '11', '4624', '4648', '4688', ... */
  eventCode: string;
  category: 'process' | 'file' | 'authentication' | 'alert' | 'other';
  process?: {
    entityId?: string;
    pid?: number;
    executable?: string;
    name?: string;
    commandLine?: string;
    /** Logon id of the process's session, lower-case hex without padding. */
    logonId?: string;
    /** Elastic Defend `process.Ext.ancestry`: entity ids from the parent upwards. */
    ancestry?: string[];
    parent?: { entityId?: string; pid?: number; executable?: string; commandLine?: string };
  };
  file?: { path: string; name: string };
  access?: {
    sourceImage?: string;
    sourceProcessGuid?: string;
    targetImage?: string;
    /** Sysmon `TargetProcessId`; identifies LSASS's pid when the target is lsass.exe. */
    targetProcessId?: number;
    grantedAccess?: string;
    callTrace?: string;
  };
  logon?: {
    /** Numeric logon type; `NewCredentials` is 9. */
    type?: number;
    targetUserSid?: string;
    targetUserName?: string;
    subjectUserSid?: string;
    subjectUserName?: string;
    /** Lower-case hex without padding, so ids compare as numbers. */
    targetLogonId?: string;
    subjectLogonId?: string;
    logonProcessName?: string;
    sourceIp?: string;
    targetOutboundUserName?: string;
    targetServerName?: string;
  };
  user?: { id?: string; name?: string; domain?: string };
  alert?: { ruleName: string; tactics: string[]; severity?: string; userId?: string };
}

export interface QueryResult {
  /** True when the source holds any data of the queried kind for the host in the window. */
  hasDataOfKind: boolean;
  events: TelemetryEvent[];
  /** A short description of the query that ran, for the audit timeline. */
  querySummary: string;
  /**
   * Set when more records matched than the source returns for one query: `events` holds the
   * oldest `maxHits` of `matched`, and the rest were not read.
   */
  capped?: { maxHits: number; matched: number };
}

export interface ProcessQuery {
  host: HostRef;
  window: TimeWindow;
}

export interface AuthenticationQuery {
  host: HostRef;
  userId?: string;
  window: TimeWindow;
}

export interface ExecutableHistoryQuery {
  host: HostRef;
  /** The span searched for earlier executions; it ends before the question's window starts. */
  window: TimeWindow;
  /** Executables to look for, compared case-insensitively. */
  executables: string[];
}

export interface AlertQuery {
  userId?: string;
  host?: HostRef;
  window: TimeWindow;
}

/**
 * Where the questions read telemetry from. Implementations throw when the source cannot answer
 * (the caller records `failed` coverage); an empty answer is not an error.
 */
export interface TelemetrySource {
  readonly name: string;
  processEvents(query: ProcessQuery): Promise<QueryResult>;
  fileEvents(query: ProcessQuery): Promise<QueryResult>;
  authenticationEvents(query: AuthenticationQuery): Promise<QueryResult>;
  /**
   * Process starts on the host in the window whose `process.executable` is one of
   * `query.executables`: at least one per executable that ran, not every run. `hasDataOfKind` is
   * true when the host has any process event in the window, so that a host without history is
   * not mistaken for one on which every binary is new.
   */
  executableHistory(query: ExecutableHistoryQuery): Promise<QueryResult>;
  relatedAlerts(query: AlertQuery): Promise<QueryResult>;
}
