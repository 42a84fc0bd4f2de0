/**
 * ECS fields for Security-Auditing events, following the Winlogbeat security module and the
 * Elastic Agent system.security pipeline. Every EventData value also stays verbatim under
 * `winlog.event_data` (logon ids keep their padding there).
 */
import type { JsonRecord } from '../alert/fields';
import { dataIp, dataNumber, dataText, processFields, type EcsFragment } from './event-values';

/** `winlog.logon.type` names for the numeric LogonType, as the Winlogbeat security module writes them. */
export const LOGON_TYPE_NAMES: Readonly<Record<string, string>> = {
  '0': 'System',
  '2': 'Interactive',
  '3': 'Network',
  '4': 'Batch',
  '5': 'Service',
  '7': 'Unlock',
  '8': 'NetworkCleartext',
  '9': 'NewCredentials',
  '10': 'RemoteInteractive',
  '11': 'CachedInteractive',
  '12': 'CachedRemoteInteractive',
  '13': 'CachedUnlock',
};

/** Maps the EventData of a Security event to ECS fields, by event id. Unknown ids map to `other`. */
export function mapSecurityEvent(eventId: string, data: JsonRecord): EcsFragment {
  if (eventId === '4688') return mapProcessCreation(data);
  if (eventId === '4624') return mapLogon(data);
  if (eventId === '4648') return mapExplicitCredentialLogon(data);
  return { event: { category: ['other'], type: ['info'] } };
}

function mapProcessCreation(data: JsonRecord): EcsFragment {
  return {
    event: { category: ['process'], type: ['start'] },
    process: {
      ...processFields(dataText(data, 'NewProcessName'), dataNumber(data, 'NewProcessId')),
      command_line: dataText(data, 'CommandLine'),
      parent: processFields(dataText(data, 'ParentProcessName'), dataNumber(data, 'ProcessId')),
    },
    user: subjectUser(data),
  };
}

/** 4624: `user.*` is the account that logged on (the target), as the security module sets it. */
function mapLogon(data: JsonRecord): EcsFragment {
  const logonType = dataText(data, 'LogonType')?.trim();
  const port = dataNumber(data, 'IpPort');
  return {
    event: { category: ['authentication'], type: ['start'], outcome: 'success' },
    winlog: { logon: { type: logonType === undefined ? undefined : LOGON_TYPE_NAMES[logonType] } },
    user: {
      id: dataText(data, 'TargetUserSid'),
      name: dataText(data, 'TargetUserName'),
      domain: dataText(data, 'TargetDomainName'),
    },
    source: { ip: dataIp(data, 'IpAddress'), port, domain: dataText(data, 'WorkstationName') },
    process: processFields(dataText(data, 'ProcessName'), dataNumber(data, 'ProcessId')),
  };
}

/** 4648: `user.*` is the account that used explicit credentials (the subject). */
function mapExplicitCredentialLogon(data: JsonRecord): EcsFragment {
  return {
    event: { category: ['authentication'], type: ['start'] },
    user: {
      ...subjectUser(data),
      target: {
        name: dataText(data, 'TargetUserName'),
        domain: dataText(data, 'TargetDomainName'),
      },
    },
    source: { ip: dataIp(data, 'IpAddress'), port: dataNumber(data, 'IpPort') },
    process: processFields(dataText(data, 'ProcessName'), dataNumber(data, 'ProcessId')),
  };
}

function subjectUser(data: JsonRecord): EcsFragment {
  return {
    id: dataText(data, 'SubjectUserSid'),
    name: dataText(data, 'SubjectUserName'),
    domain: dataText(data, 'SubjectDomainName'),
  };
}
