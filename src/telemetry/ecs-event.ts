/**
 * The one mapping from an ECS document (Winlogbeat 7/8, Elastic Agent, Elastic Defend, or an
 * Elastic Security alert) to a `TelemetryEvent`. Both the embedded and the Elasticsearch source
 * use it, so a question reads the same event whichever source returned it.
 */
import type { TelemetryEvent } from './types';
import {
  baseName,
  normaliseGuid,
  normaliseLogonId,
  parseLogonType,
  readFirstString,
  readInteger,
  readPath,
  readString,
  readStrings,
  shortHostName,
} from './ecs-fields';

export {
  isSameHost,
  normaliseAccessMask,
  normaliseGuid,
  normaliseLogonId,
  parseLogonType,
  shortHostName,
} from './ecs-fields';

const PROCESS_CODES = new Set(['1', '5', '8', '10', '4688', '4689']);
const FILE_CODES = new Set(['2', '11', '15', '23', '26', '29']);
const AUTHENTICATION_CODES = new Set(['4624', '4625', '4634', '4647', '4648', '4672']);

/**
 * Maps one ECS document to a `TelemetryEvent`. `dataset` names the record's origin (file or
 * index) in `recordId` when the document has no `labels.dataset` or `data_stream.dataset`.
 * Returns undefined when the document has no usable `@timestamp` or computer name.
 */
export function ecsToTelemetryEvent(doc: unknown, dataset: string): TelemetryEvent | undefined {
  const timestamp = readString(doc, '@timestamp');
  const hostName = readFirstString(doc, ['winlog.computer_name', 'host.name', 'host.hostname']);
  if (timestamp === undefined || Number.isNaN(Date.parse(timestamp)) || hostName === undefined) {
    return undefined;
  }

  const eventCode = readFirstString(doc, ['event.code', 'winlog.event_id']) ?? '';
  const category = categorise(doc, eventCode);
  const event: TelemetryEvent = {
    recordId: recordIdOf(doc, dataset, category),
    timestamp: new Date(Date.parse(timestamp)).toISOString(),
    host: { id: endpointHostId(doc, hostName), name: hostName.toLowerCase() },
    eventCode,
    category,
  };
  const process = readProcess(doc, eventCode);
  if (process !== undefined) event.process = process;
  const filePath = readFirstString(doc, ['file.path', 'winlog.event_data.TargetFilename']);
  if (filePath !== undefined) {
    event.file = { path: filePath, name: readString(doc, 'file.name') ?? baseName(filePath) ?? '' };
  }
  const access = readAccess(doc);
  if (access !== undefined) event.access = access;
  if (category === 'authentication') event.logon = readLogon(doc);
  const user = {
    id: readString(doc, 'user.id'),
    name: readString(doc, 'user.name'),
    domain: readString(doc, 'user.domain'),
  };
  if (user.id !== undefined || user.name !== undefined) event.user = user;
  if (category === 'alert') event.alert = readAlert(doc);
  return event;
}

/**
 * Returns `host.id` only when it describes the endpoint. Winlogbeat on a Windows Event Forwarding
 * collector writes its own `host.name` and `host.id` on every forwarded record, while
 * `winlog.computer_name` names the endpoint; when the two names differ, `host.id` is the
 * collector's and is dropped.
 */
function endpointHostId(doc: unknown, endpointName: string): string | undefined {
  // `toEcs` already rewrote host.name to the endpoint and kept the collector's name in a label.
  const shipperName = readFirstString(doc, ['labels.original_host_name', 'host.name']);
  const isForwarded =
    shipperName !== undefined && shortHostName(shipperName) !== shortHostName(endpointName);
  return isForwarded ? undefined : readString(doc, 'host.id');
}

function categorise(doc: unknown, eventCode: string): TelemetryEvent['category'] {
  if (readString(doc, 'event.kind') === 'signal') return 'alert';
  const categories = readStrings(doc, 'event.category');
  if (categories.includes('authentication')) return 'authentication';
  if (categories.includes('file')) return 'file';
  if (categories.includes('process')) return 'process';
  if (AUTHENTICATION_CODES.has(eventCode)) return 'authentication';
  if (FILE_CODES.has(eventCode)) return 'file';
  if (PROCESS_CODES.has(eventCode)) return 'process';
  return 'other';
}

function recordIdOf(doc: unknown, dataset: string, category: TelemetryEvent['category']): string {
  const origin = readFirstString(doc, ['labels.dataset', 'data_stream.dataset']) ?? dataset;
  if (category === 'alert') {
    const alertId = readFirstString(doc, ['kibana.alert.uuid', '_id', 'event.id']);
    if (alertId !== undefined) return `${origin}#${alertId}`;
  } else {
    const recordId = readFirstString(doc, ['winlog.record_id', 'event.sequence', 'event.id']);
    if (recordId !== undefined) return `${origin}#${recordId}`;
  }
  const line = readString(doc, 'labels.source_line');
  if (line !== undefined) return `${origin}#line-${line}`;
  // `_id` comes after the bundled line number, so that a bundled record keeps one id whether it
  // is read from the files or from a cluster it was loaded into.
  const storedId = category === 'alert' ? undefined : readString(doc, '_id');
  if (storedId !== undefined) return `${origin}#${storedId}`;
  // Some recordings carry no record number; the code and time still name the record uniquely enough to find it.
  return `${origin}#${readFirstString(doc, ['event.code', 'winlog.event_id']) ?? 'event'}@${readString(doc, '@timestamp') ?? ''}`;
}

function readProcess(doc: unknown, eventCode: string): TelemetryEvent['process'] {
  const executable = readString(doc, 'process.executable');
  const entityId = normaliseGuid(readString(doc, 'process.entity_id'));
  const pid = readInteger(doc, 'process.pid');
  if (executable === undefined && entityId === undefined && pid === undefined) return undefined;

  const parentExecutable = readFirstString(doc, [
    'process.parent.executable',
    'winlog.event_data.ParentImage',
    'winlog.event_data.ParentProcessName',
  ]);
  const parent = {
    entityId: normaliseGuid(
      readFirstString(doc, ['process.parent.entity_id', 'winlog.event_data.ParentProcessGuid']),
    ),
    pid:
      readInteger(doc, 'process.parent.pid') ??
      readInteger(doc, 'winlog.event_data.ParentProcessId'),
    executable: parentExecutable,
    commandLine: readFirstString(doc, [
      'process.parent.command_line',
      'winlog.event_data.ParentCommandLine',
    ]),
  };
  const hasParent = Object.values(parent).some((value) => value !== undefined);
  const ancestry = readStrings(doc, 'process.Ext.ancestry')
    .map((id) => normaliseGuid(id))
    .filter((id) => id !== undefined);
  return {
    entityId,
    pid,
    executable,
    name: readString(doc, 'process.name')?.toLowerCase() ?? baseName(executable),
    commandLine: readString(doc, 'process.command_line'),
    logonId: readProcessLogonId(doc, eventCode),
    ...(ancestry.length > 0 ? { ancestry } : {}),
    ...(hasParent ? { parent } : {}),
  };
}

/**
 * Reads the session of a process: Defend's `process.Ext.authentication_id`, Sysmon's `LogonId`,
 * or for Security 4688 the `TargetLogonId` (set when the new process runs in another session),
 * else the creator's `SubjectLogonId`.
 */
function readProcessLogonId(doc: unknown, eventCode: string): string | undefined {
  const direct =
    normaliseLogonId(readPath(doc, 'process.Ext.authentication_id')) ??
    normaliseLogonId(readPath(doc, 'winlog.event_data.LogonId'));
  if (direct !== undefined || eventCode !== '4688') return direct;
  const target = normaliseLogonId(readPath(doc, 'winlog.event_data.TargetLogonId'));
  if (target !== undefined && target !== '0x0') return target;
  return normaliseLogonId(readPath(doc, 'winlog.event_data.SubjectLogonId'));
}

function readAccess(doc: unknown): TelemetryEvent['access'] {
  const targetImage = readString(doc, 'winlog.event_data.TargetImage');
  const grantedAccess = readString(doc, 'winlog.event_data.GrantedAccess');
  if (targetImage === undefined && grantedAccess === undefined) return undefined;
  return {
    sourceImage: readString(doc, 'winlog.event_data.SourceImage'),
    sourceProcessGuid: normaliseGuid(
      readFirstString(doc, [
        'winlog.event_data.SourceProcessGUID',
        'winlog.event_data.SourceProcessGuid',
      ]),
    ),
    targetImage,
    targetProcessId: readInteger(doc, 'winlog.event_data.TargetProcessId'),
    grantedAccess,
    callTrace: readString(doc, 'winlog.event_data.CallTrace'),
  };
}

function readLogon(doc: unknown): TelemetryEvent['logon'] {
  const eventData = (field: string) => readString(doc, `winlog.event_data.${field}`);
  return {
    type:
      parseLogonType(readPath(doc, 'winlog.event_data.LogonType')) ??
      parseLogonType(readPath(doc, 'winlog.logon.type')),
    targetUserSid: eventData('TargetUserSid'),
    targetUserName: eventData('TargetUserName'),
    subjectUserSid: eventData('SubjectUserSid'),
    subjectUserName: eventData('SubjectUserName'),
    targetLogonId: normaliseLogonId(readPath(doc, 'winlog.event_data.TargetLogonId')),
    subjectLogonId: normaliseLogonId(readPath(doc, 'winlog.event_data.SubjectLogonId')),
    logonProcessName: eventData('LogonProcessName')?.trim(),
    sourceIp: readString(doc, 'source.ip') ?? eventData('IpAddress'),
    targetOutboundUserName: eventData('TargetOutboundUserName'),
    targetServerName: eventData('TargetServerName'),
  };
}

function readAlert(doc: unknown): TelemetryEvent['alert'] {
  const threats = readPath(doc, 'kibana.alert.rule.threat');
  const tactics = Array.isArray(threats)
    ? threats.flatMap((threat) => readStrings(threat, 'tactic.name'))
    : readStrings(doc, 'threat.tactic.name');
  return {
    ruleName:
      readFirstString(doc, ['kibana.alert.rule.name', 'rule.name', 'signal.rule.name']) ??
      'unnamed rule',
    tactics,
    severity: readFirstString(doc, ['kibana.alert.severity', 'kibana.alert.rule.severity']),
    userId: readString(doc, 'user.id'),
  };
}
