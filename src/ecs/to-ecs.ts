/**
 * Conversion of one raw Windows event record into an ECS document, with the field names that
 * Winlogbeat 7/8 (sysmon and security modules) and the Elastic Agent windows and system
 * integrations use.
 */
import { InvalidAlertError } from '../errors';
import { expandDottedKeys, isRecord, readText, type JsonRecord } from '../alert/fields';
import { readEnvelope, type WindowsRecord } from './envelope';
import { mergeFragment } from './event-values';
import { parseRawRecord } from './raw-schemas';
import { mapSecurityEvent } from './security';
import { mapSysmonEvent } from './sysmon';

/** An ECS document as a plain nested object. */
export type EcsDocument = JsonRecord;

export interface ToEcsOptions {
  /** Written to `labels.dataset`; omitted when undefined. */
  dataset?: string;
}

/** ECS version the mappings follow. */
export const ECS_VERSION = '8.11.0';

/**
 * Converts one raw Windows event record (ECS, winlogbeat 6, Mordor flat or NXLog, EVTX
 * conversion; nested or dotted keys) into an ECS document. ECS input passes through with
 * `event.code`, `winlog.event_id` and `winlog.record_id` rendered as strings. `host.name` is
 * always the endpoint's computer name in lower case, never a WEF collector. Hex values such as
 * GrantedAccess and logon ids stay exactly as rendered under `winlog.event_data`.
 * Pure. Throws `InvalidAlertError` with JSONPath issues when the record fits no shape.
 */
export function toEcs(record: unknown, options: ToEcsOptions = {}): EcsDocument {
  const { value } = expandDottedKeys(record);
  const parsed = parseRawRecord(value);
  if (!parsed.ok) throw new InvalidAlertError('record is not a valid Windows event', parsed.issues);
  if (parsed.shape === 'ecs') return normaliseEcs(parsed.record, options);
  return buildEcs(readEnvelope(parsed.shape, parsed.record), options);
}

function buildEcs(windows: WindowsRecord, options: ToEcsOptions): EcsDocument {
  const doc: EcsDocument = {
    '@timestamp': windows.time.iso,
    event: {
      kind: 'event',
      code: windows.eventId,
      provider: windows.providerName,
      module: moduleOf(windows.channel),
    },
    host: { name: windows.computerName.toLowerCase(), os: { type: 'windows', family: 'windows' } },
    agent:
      windows.collector === undefined
        ? undefined
        : {
            type: windows.collector.type,
            hostname: windows.collector.hostname,
            version: windows.collector.version,
          },
    winlog: winlogFields(windows),
    message: windows.message,
    labels: {
      dataset: options.dataset,
      source_shape: windows.shape,
      // Windows event logs only come from Windows; the raw shapes carry no host.os.* of their own.
      host_os_inferred: true,
      timestamp_field: windows.time.field,
      timestamp_zone_assumed: windows.time.isZoneAssumed ? true : undefined,
    },
    ecs: { version: ECS_VERSION },
  };
  return mergeFragment(mergeFragment({}, doc), mapEvent(windows));
}

function mapEvent(windows: WindowsRecord): JsonRecord {
  const module = moduleOf(windows.channel);
  if (module === 'sysmon') return mapSysmonEvent(windows.eventId, windows.eventData);
  if (module === 'security') return mapSecurityEvent(windows.eventId, windows.eventData);
  return { event: { category: ['other'], type: ['info'] } };
}

/** Returns the Winlogbeat module name for a channel: `sysmon`, `security`, or undefined. */
function moduleOf(channel: string): string | undefined {
  if (channel === 'Microsoft-Windows-Sysmon/Operational') return 'sysmon';
  if (channel === 'Security') return 'security';
  return undefined;
}

function winlogFields(windows: WindowsRecord): JsonRecord {
  return {
    channel: windows.channel,
    provider_name: windows.providerName,
    provider_guid: windows.providerGuid,
    computer_name: windows.computerName,
    event_id: windows.eventId,
    record_id: windows.recordId,
    task: windows.task,
    opcode: windows.opcode,
    version: windows.version,
    process: { pid: windows.execution?.pid, thread: { id: windows.execution?.threadId } },
    user: windows.logUser,
    event_data: Object.keys(windows.eventData).length > 0 ? windows.eventData : undefined,
    user_data: windows.userData,
  };
}

/**
 * Passes an ECS document through, rendering `event.code`, `winlog.event_id` and
 * `winlog.record_id` as strings. `host.name` becomes the lower-case `winlog.computer_name`; a
 * different original `host.name` (a collector) is kept in `labels.original_host_name`, and its
 * `host.id` moves to `labels.original_host_id`.
 */
function normaliseEcs(input: JsonRecord, options: ToEcsOptions): EcsDocument {
  const doc = structuredClone(input);
  const event = ensureRecord(doc, 'event');
  const winlog = isRecord(doc.winlog) ? doc.winlog : {};
  const host = ensureRecord(doc, 'host');
  const labels = ensureRecord(doc, 'labels');

  const code = readText(doc, 'event.code') ?? readText(doc, 'winlog.event_id');
  if (code !== undefined) event.code = code;
  if (winlog.event_id !== undefined) winlog.event_id = String(winlog.event_id);
  if (winlog.record_id !== undefined) winlog.record_id = String(winlog.record_id);

  const computerName = readText(doc, 'winlog.computer_name');
  const originalHostName = readText(doc, 'host.name');
  const endpoint = (computerName ?? originalHostName ?? '').toLowerCase();
  if (originalHostName !== undefined && originalHostName.toLowerCase() !== endpoint) {
    labels.original_host_name = originalHostName;
    // A WEF collector's shipper writes its own host.id too, which would tie the endpoint's
    // events to the collector, so it moves to a label with the collector's name.
    if (host.id !== undefined) {
      labels.original_host_id = host.id;
      delete host.id;
    }
  }
  host.name = endpoint;
  // Only Windows writes winlog.*, so a document with it and no host.os.type is from Windows.
  const os = ensureRecord(host, 'os');
  if (os.type === undefined && isRecord(doc.winlog)) {
    os.type = 'windows';
    labels.host_os_inferred = true;
  }
  if (options.dataset !== undefined) labels.dataset = options.dataset;
  labels.source_shape = 'ecs';
  return doc;
}

function ensureRecord(parent: JsonRecord, key: string): JsonRecord {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: JsonRecord = {};
  parent[key] = created;
  return created;
}
