/**
 * The derived and synthetic documents of the bundled dataset. No public recording contains
 * the rule's exact event, so the positive alert is derived from the real MalSecLogon run in
 * tutto_malseclogon, and `labels` marks every derived or synthetic document.
 */
import { RULE_ID, RULE_NAME } from '../../src/constants';
import { isRecord, readText, type JsonRecord } from '../../src/alert/fields';
import { toEcs, type EcsDocument } from '../../src/ecs';

/** Time of the derived access: after the seclogon start (619516, 17:33:01.474816Z) and the
 * 619517 access (17:33:01.485670Z), before the 4624 (17:33:01.616154Z) and 619518 (17:33:01.636384Z). */
const DERIVED_ACCESS_TIME = '2021-12-07T17:33:01.590000000Z';

/** The rule runs every 5 minutes, so an alert is written a few minutes after its event. */
const POSITIVE_ALERT_WRITTEN_AT = '2021-12-07T17:36:02.114Z';

/** Kibana saved-object id of the rule in the fictitious deployment the alerts come from. */
const RULE_UUID = '5b0c3f3e-8f41-4d0e-9d2a-3c6f1e2b7a90';

/**
 * The seclogon.dll call trace of the real Sysmon 10 in empire_mimikatz_opth (record 3325364,
 * seclogon svchost → powershell.exe, Windows 10 build 17763 like MSEDGEWIN10), copied verbatim.
 */
const SECLOGON_CALL_TRACE = [
  'C:\\Windows\\SYSTEM32\\ntdll.dll+9fb24',
  'C:\\Windows\\System32\\KERNELBASE.dll+3225e',
  'c:\\windows\\system32\\seclogon.dll+128f',
  'c:\\windows\\system32\\seclogon.dll+10ac',
  'C:\\Windows\\System32\\RPCRT4.dll+777e3',
  'C:\\Windows\\System32\\RPCRT4.dll+db4a6',
  'C:\\Windows\\System32\\RPCRT4.dll+10d20',
  'C:\\Windows\\System32\\RPCRT4.dll+54a38',
  'C:\\Windows\\System32\\RPCRT4.dll+304b0',
  'C:\\Windows\\System32\\RPCRT4.dll+2fe5b',
  'C:\\Windows\\System32\\RPCRT4.dll+221ff',
  'C:\\Windows\\System32\\RPCRT4.dll+2165a',
  'C:\\Windows\\System32\\RPCRT4.dll+20c21',
  'C:\\Windows\\System32\\RPCRT4.dll+20692',
  'C:\\Windows\\System32\\RPCRT4.dll+17465',
  'C:\\Windows\\SYSTEM32\\ntdll.dll+4f4c0',
  'C:\\Windows\\SYSTEM32\\ntdll.dll+50348',
  'C:\\Windows\\System32\\KERNEL32.DLL+17e94',
  'C:\\Windows\\SYSTEM32\\ntdll.dll+6a251',
].join('|');

export const DERIVATION =
  'Derived, not recorded: Sysmon 10 envelope of tutto_malseclogon record 619520 with the source ' +
  'set to the seclogon svchost of Sysmon 1 record 619516 (SourceProcessGUID = its ProcessGuid, ' +
  'SourceProcessId 7108, SourceUser NT AUTHORITY\\SYSTEM), TargetImage C:\\WINDOWS\\system32\\lsass.exe ' +
  'with TargetProcessId 636 (the -p 636 argument of record 619515), GrantedAccess 0x14c0, ' +
  'CallTrace copied from empire_mimikatz_opth record 3325364, time 2021-12-07T17:33:01.590Z ' +
  '(between records 619517 and 329918), SourceThreadId and TargetProcessGUID omitted because ' +
  'the recording does not hold them, record id derived-619516.';

function findRecord(records: JsonRecord[], recordId: string): JsonRecord {
  const found = records.find((record) => record.EventRecordID === recordId);
  if (found === undefined) throw new Error(`tutto_malseclogon record ${recordId} not found`);
  return found;
}

function eventDataOf(record: JsonRecord): JsonRecord {
  const data = record.EventData;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`record ${String(record.EventRecordID)} has no EventData`);
  }
  return { ...data };
}

/**
 * Builds the derived Sysmon 10 of the rule's exact event as an ECS document. Throws when the
 * tutto_malseclogon records it is derived from are missing.
 */
export function buildDerivedAccessEvent(tuttoRecords: JsonRecord[], dataset: string): EcsDocument {
  const envelope = findRecord(tuttoRecords, '619520');
  const seclogon = eventDataOf(findRecord(tuttoRecords, '619516'));
  const raw: JsonRecord = {
    ...envelope,
    EventRecordID: 'derived-619516',
    TimeCreated: DERIVED_ACCESS_TIME,
    EventData: {
      RuleName: '-',
      UtcTime: '2021-12-07 17:33:01.590',
      SourceProcessGUID: seclogon.ProcessGuid,
      SourceProcessId: seclogon.ProcessId,
      SourceImage: 'C:\\Windows\\system32\\svchost.exe',
      TargetProcessId: '636',
      TargetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
      GrantedAccess: '0x14c0',
      CallTrace: SECLOGON_CALL_TRACE,
      SourceUser: seclogon.User,
      TargetUser: 'NT AUTHORITY\\SYSTEM',
    },
  };
  const ecs = toEcs(raw, { dataset });
  labelsOf(ecs).derived = true;
  labelsOf(ecs).derivation = DERIVATION;
  return ecs;
}

function labelsOf(doc: EcsDocument): JsonRecord {
  const labels = doc.labels;
  if (isRecord(labels)) return labels;
  const created: JsonRecord = {};
  doc.labels = created;
  return created;
}

/**
 * Wraps a source event into an Elastic Security alert document for the MalSecLogon rule, with
 * `kibana.*` keys dotted as alert indices store them and the source event's fields nested.
 */
export function buildAlertDocument(
  event: EcsDocument,
  alert: { uuid: string; writtenAt: string; ancestorId: string; ancestorIndex: string },
): JsonRecord {
  const { event: sourceEvent, ...sourceFields } = event;
  const original = isRecord(sourceEvent) ? sourceEvent : {};
  const hostName = readText(event, 'host.name') ?? 'unknown host';
  const originalEvent = Object.fromEntries(
    Object.entries(original).map(([key, value]) => [`kibana.alert.original_event.${key}`, value]),
  );
  return {
    ...sourceFields,
    '@timestamp': alert.writtenAt,
    event: { kind: 'signal', category: ['process'], type: ['access'] },
    'kibana.alert.uuid': alert.uuid,
    'kibana.alert.original_time': event['@timestamp'],
    ...originalEvent,
    'kibana.alert.status': 'active',
    'kibana.alert.workflow_status': 'open',
    'kibana.alert.depth': 1,
    'kibana.alert.severity': 'high',
    'kibana.alert.risk_score': 73,
    'kibana.alert.reason': `process event with process svchost.exe, on ${hostName} created high alert ${RULE_NAME}.`,
    'kibana.alert.ancestors': [
      { id: alert.ancestorId, index: alert.ancestorIndex, depth: 0, type: 'event' },
    ],
    'kibana.alert.rule.name': RULE_NAME,
    'kibana.alert.rule.rule_id': RULE_ID,
    'kibana.alert.rule.uuid': RULE_UUID,
    'kibana.alert.rule.type': 'eql',
    'kibana.alert.rule.version': 312,
    'kibana.alert.rule.severity': 'high',
    'kibana.alert.rule.risk_score': 73,
    'kibana.alert.rule.threat': [
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0006', name: 'Credential Access' },
        technique: [
          {
            id: 'T1003',
            name: 'OS Credential Dumping',
            subtechnique: [{ id: 'T1003.001', name: 'LSASS Memory' }],
          },
        ],
      },
    ],
    'kibana.space_ids': ['default'],
  };
}

/** Builds the positive alert document for the derived access event. */
export function buildPositiveAlert(derivedEvent: EcsDocument): JsonRecord {
  return buildAlertDocument(derivedEvent, {
    uuid: '0e4d5a4c-2f5b-4c1e-9a57-6b1f2d8c3e71',
    writtenAt: POSITIVE_ALERT_WRITTEN_AT,
    ancestorId: 'derived-619516',
    ancestorIndex: 'winlogbeat-7.17.0-2021.12.07',
  });
}

/** Host of the synthetic alert; no file in data/telemetry mentions it. */
export const MISSING_TELEMETRY_HOST = 'ws-nodata-01.corp.example';

/**
 * A synthetic positive alert, shaped like an Elastic Agent Sysmon event, on a host that has no
 * telemetry in the bundle. Every value is made up, and `labels.synthetic` marks it.
 */
export function buildMissingTelemetryAlert(): JsonRecord {
  const event: EcsDocument = {
    '@timestamp': '2024-05-14T09:12:44.201Z',
    event: { kind: 'event', code: '10', category: ['process'], type: ['access'], module: 'sysmon' },
    host: {
      id: '6f1c2a0e-4b7d-4e8a-9c31-52d0a7e4b9f3',
      name: MISSING_TELEMETRY_HOST,
      os: { type: 'windows', family: 'windows' },
    },
    process: {
      entity_id: '{1c9e0b7a-3f2d-6641-2a01-000000000a00}',
      pid: 1184,
      executable: 'C:\\Windows\\system32\\svchost.exe',
      name: 'svchost.exe',
    },
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      provider_name: 'Microsoft-Windows-Sysmon',
      computer_name: 'WS-NODATA-01.corp.example',
      event_id: '10',
      record_id: '88412',
      event_data: {
        SourceProcessGUID: '{1c9e0b7a-3f2d-6641-2a01-000000000a00}',
        SourceProcessId: '1184',
        SourceImage: 'C:\\Windows\\system32\\svchost.exe',
        TargetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
        TargetProcessId: '712',
        GrantedAccess: '0x14c0',
        CallTrace: SECLOGON_CALL_TRACE,
      },
    },
    labels: {
      synthetic: true,
      derivation:
        'Synthetic: every value is made up, to exercise a host without bundled telemetry.',
    },
    data_stream: { dataset: 'windows.sysmon_operational', namespace: 'default', type: 'logs' },
  };
  return buildAlertDocument(event, {
    uuid: '9a3f6c1d-7e2b-4f58-8d0c-1b4e6a9f2c57',
    writtenAt: '2024-05-14T09:15:03.870Z',
    ancestorId: 'synthetic-88412',
    ancestorIndex: '.ds-logs-windows.sysmon_operational-default-2024.05.14-000001',
  });
}
