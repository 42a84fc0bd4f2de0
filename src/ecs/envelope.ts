/**
 * Reads the envelope of a raw Windows event record (channel, provider, event id, record id,
 * computer, time) and its event data, whatever shape carried them.
 */
import { isRecord, type JsonRecord } from '../alert/fields';
import { MORDOR_TIME_FIELDS, type RawShape } from './raw-schemas';
import { pickRecordTime, type RecordTime } from './time';

/** One Windows event record, independent of the shape it arrived in. */
export interface WindowsRecord {
  shape: Exclude<RawShape, 'ecs'>;
  channel: string;
  providerName: string;
  eventId: string;
  recordId?: string;
  /** The endpoint's computer name as rendered (not lower-cased). */
  computerName: string;
  time: RecordTime;
  /** EventData values; numbers and booleans are rendered as text, as Windows renders them. */
  eventData: JsonRecord;
  userData?: JsonRecord;
  message?: string;
  /** The WEF collector or forwarder that shipped the record, when the shape names it. */
  collector?: { hostname: string; type: string; version?: string };
  execution?: { pid?: number; threadId?: number };
  /** The account the logging process ran as (`SecurityUserID`, winlogbeat 6 `user`). */
  logUser?: JsonRecord;
  providerGuid?: string;
  task?: string;
  opcode?: string;
  version?: number;
}

const CANONICAL_CHANNELS = [
  'Security',
  'System',
  'Application',
  'Microsoft-Windows-Sysmon/Operational',
  'Windows PowerShell',
  'Microsoft-Windows-PowerShell/Operational',
];

const PROVIDER_BY_CHANNEL: Record<string, string> = {
  Security: 'Microsoft-Windows-Security-Auditing',
  'Microsoft-Windows-Sysmon/Operational': 'Microsoft-Windows-Sysmon',
};

/** Keys of a Mordor or NXLog record that belong to the envelope, not to EventData. */
const MORDOR_ENVELOPE_KEYS = new Set([
  '@timestamp',
  '@version',
  'AccountName',
  'AccountType',
  'ActivityID',
  'Category',
  'Channel',
  'Domain',
  'EventCountTotal',
  'EventID',
  'EventIdx',
  'EventReceivedTime',
  'EventTime',
  'EventType',
  'ExecutionProcessID',
  'Hostname',
  'Keywords',
  'Level',
  'Message',
  'Opcode',
  'OpcodeValue',
  'ProviderGuid',
  'RecordNumber',
  'RelatedActivityID',
  'Severity',
  'SeverityValue',
  'SourceModuleName',
  'SourceModuleType',
  'SourceName',
  'Task',
  'ThreadID',
  'TimeCreated',
  'UserID',
  'Version',
  'host',
  'port',
  'tags',
]);

/**
 * Reads the envelope of a record already validated by its shape's schema. Throws `Error` only
 * when the record lacks a parseable time, which the schemas rule out.
 */
export function readEnvelope(shape: Exclude<RawShape, 'ecs'>, record: JsonRecord): WindowsRecord {
  if (shape === 'winlogbeat6') return readWinlogbeat6(record);
  if (shape === 'evtx') return readEvtx(record);
  return readMordor(shape, record);
}

function readWinlogbeat6(record: JsonRecord): WindowsRecord {
  const beat = isRecord(record.beat) ? record.beat : {};
  const metadata = isRecord(record['@metadata']) ? record['@metadata'] : {};
  const collectorName =
    textOf(isRecord(record.host) ? record.host.name : undefined) ?? textOf(beat.hostname);
  const channel = canonicalChannel(String(record.log_name));
  return {
    shape: 'winlogbeat6',
    channel,
    providerName: textOf(record.source_name) ?? inferProvider(channel),
    eventId: String(record.event_id),
    recordId: textOf(record.record_number),
    computerName: String(record.computer_name),
    time: requireTime(record, ['@timestamp']),
    eventData: renderValues(isRecord(record.event_data) ? record.event_data : {}),
    userData: isRecord(record.user_data) ? renderValues(record.user_data) : undefined,
    message: textOf(record.message),
    collector:
      collectorName === undefined
        ? undefined
        : {
            hostname: collectorName,
            type: 'winlogbeat',
            version: textOf(metadata.version) ?? textOf(beat.version),
          },
    execution: { pid: integerOf(record.process_id), threadId: integerOf(record.thread_id) },
    logUser: isRecord(record.user) ? record.user : undefined,
    providerGuid: textOf(record.provider_guid),
    task: textOf(record.task),
    opcode: textOf(record.opcode),
    version: integerOf(record.version),
  };
}

function readEvtx(record: JsonRecord): WindowsRecord {
  const execution = isRecord(record.Execution) ? record.Execution : {};
  const channel = canonicalChannel(String(record.Channel));
  const securityUserId = textOf(record.SecurityUserID);
  return {
    shape: 'evtx',
    channel,
    providerName: textOf(record.ProviderName) ?? inferProvider(channel),
    eventId: String(record.EventID),
    recordId: textOf(record.EventRecordID),
    computerName: String(record.Computer),
    time: requireTime(record, ['TimeCreated']),
    eventData: renderValues(isRecord(record.EventData) ? record.EventData : {}),
    userData: isRecord(record.UserData) ? renderValues(record.UserData) : undefined,
    execution: { pid: integerOf(execution.ProcessID), threadId: integerOf(execution.ThreadID) },
    logUser: securityUserId === undefined ? undefined : { identifier: securityUserId },
    providerGuid: textOf(record.ProviderGuid),
    task: textOf(record.Task),
    opcode: textOf(record.Opcode),
    version: integerOf(record.Version),
  };
}

function readMordor(shape: 'mordor-flat' | 'mordor-nxlog', record: JsonRecord): WindowsRecord {
  const channel = canonicalChannel(String(record.Channel));
  const eventData: JsonRecord = {};
  for (const [key, value] of Object.entries(record)) {
    if (!MORDOR_ENVELOPE_KEYS.has(key)) eventData[key] = value;
  }
  const collectorName = textOf(record.host);
  return {
    shape,
    channel,
    providerName: textOf(record.SourceName) ?? inferProvider(channel),
    eventId: String(record.EventID),
    recordId: textOf(record.RecordNumber),
    computerName: String(record.Hostname),
    time: requireTime(record, MORDOR_TIME_FIELDS),
    eventData: renderValues(eventData),
    message: textOf(record.Message),
    collector:
      collectorName === undefined
        ? undefined
        : {
            hostname: collectorName,
            type: textOf(record.SourceModuleType) === 'im_msvistalog' ? 'nxlog' : 'unknown',
          },
    execution: { pid: integerOf(record.ExecutionProcessID), threadId: integerOf(record.ThreadID) },
    providerGuid: textOf(record.ProviderGuid),
    task: textOf(record.Category) ?? textOf(record.Task),
    opcode: textOf(record.Opcode),
    version: integerOf(record.Version),
  };
}

/** Maps a channel name in any case to the case Windows uses (`security` → `Security`). */
export function canonicalChannel(channel: string): string {
  return (
    CANONICAL_CHANNELS.find((known) => known.toLowerCase() === channel.toLowerCase()) ?? channel
  );
}

function inferProvider(channel: string): string {
  return PROVIDER_BY_CHANNEL[channel] ?? channel;
}

function requireTime(record: JsonRecord, fields: readonly string[]): RecordTime {
  const time = pickRecordTime(record, fields);
  if (time === undefined) throw new Error(`no parseable time in ${fields.join(', ')}`);
  return time;
}

function renderValues(data: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return out;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
