import { describe, expect, it } from 'vitest';
import { readField } from '../../src/alert/fields';
import { toEcs } from '../../src/ecs';
import { InvalidAlertError } from '../../src/errors';
import { findRecord, readPublicRecords } from './public-data';

const TUTTO = 'evtx-attack-samples/tutto_malseclogon.ndjson';
const MIMIKATZ = 'otrf-security-datasets/empire_mimikatz_opth.winlogbeat-6.5.4.subset.ndjson';
const RUNAS = 'otrf-security-datasets/empire_invoke_runas.winlogbeat-6.7.0.subset.ndjson';
const CAMPAIGN_01 =
  'otrf-security-datasets/LSASS_campaign_01_seclogon_nearmiss.mordor-flat.subset.ndjson';
const RUBEUS =
  'otrf-security-datasets/empire_shell_rubeus_asktgt_createnetonly.mordor-flat.subset.ndjson';
const RDP =
  'otrf-security-datasets/rdp_interactive_taskmanager_lsass_dump.mordor-nxlog.subset.ndjson';
const COMSVCS = 'otrf-security-datasets/psh_lsass_memory_dump_comsvcs.mordor-flat.subset.ndjson';
const AGENT_SAMPLE = 'elastic-ecs-shapes/integrations.windows.sysmon_operational.sample_event.json';
const BEATS_4624 = 'elastic-ecs-shapes/beats.winlogbeat.security.4624-interactive.record-1542.json';

function byRecordId(id: string) {
  return (record: Record<string, unknown>) =>
    record.EventRecordID === id ||
    record.record_number === id ||
    record.RecordNumber === Number(id);
}

describe('toEcs on EVTX conversions', () => {
  const records = readPublicRecords(TUTTO);

  it('maps Sysmon 1 to process and parent fields', () => {
    const doc = toEcs(findRecord(records, byRecordId('619516')), { dataset: 'tutto' });

    expect(readField(doc, 'event.code')).toBe('1');
    expect(readField(doc, 'event.category')).toEqual(['process']);
    expect(readField(doc, 'process.entity_id')).toBe('{747f3d96-9acd-61af-d401-000000000102}');
    expect(readField(doc, 'process.pid')).toBe(7108);
    expect(readField(doc, 'process.name')).toBe('svchost.exe');
    expect(readField(doc, 'process.command_line')).toBe(
      'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s seclogon',
    );
    expect(readField(doc, 'process.parent.pid')).toBe(628);
    expect(readField(doc, 'user.name')).toBe('SYSTEM');
    expect(readField(doc, 'winlog.event_data.LogonId')).toBe('0x00000000000003e7');
  });

  it('keeps Sysmon 10 event data verbatim and maps the source to process', () => {
    const doc = toEcs(findRecord(records, byRecordId('619520')));

    expect(readField(doc, 'winlog.event_data.GrantedAccess')).toBe('0x00001410');
    expect(readField(doc, 'winlog.event_data.TargetImage')).toBe(
      'C:\\Windows\\system32\\lsass.exe',
    );
    expect(readField(doc, 'winlog.event_data.SourceProcessGUID')).toBe(
      '{747F3D96-9ACD-61AF-D501-000000000102}',
    );
    expect(readField(doc, 'process.name')).toBe('MalSeclogon.exe');
    expect(readField(doc, 'process.pid')).toBe(6072);
    expect(readField(doc, 'event.category')).toEqual(['process']);
  });

  it('sets the envelope fields from the record', () => {
    const doc = toEcs(findRecord(records, byRecordId('329918')), { dataset: 'tutto' });

    expect(readField(doc, '@timestamp')).toBe('2021-12-07T17:33:01.616Z');
    expect(readField(doc, 'host.name')).toBe('msedgewin10');
    expect(readField(doc, 'winlog.computer_name')).toBe('MSEDGEWIN10');
    expect(readField(doc, 'winlog.channel')).toBe('Security');
    expect(readField(doc, 'winlog.record_id')).toBe('329918');
    expect(readField(doc, 'winlog.provider_name')).toBe('Microsoft-Windows-Security-Auditing');
    expect(readField(doc, 'host.os.type')).toBe('windows');
    expect(readField(doc, 'labels.host_os_inferred')).toBe(true);
    expect(readField(doc, 'labels.dataset')).toBe('tutto');
  });

  it('maps 4624 type 9 to NewCredentials with verbatim logon ids', () => {
    const doc = toEcs(findRecord(records, byRecordId('329918')));

    expect(readField(doc, 'event.category')).toEqual(['authentication']);
    expect(readField(doc, 'winlog.logon.type')).toBe('NewCredentials');
    expect(readField(doc, 'winlog.event_data.TargetLogonId')).toBe('0x00000000016e3db3');
    expect(readField(doc, 'winlog.event_data.LogonProcessName')).toBe('seclogo');
    expect(readField(doc, 'winlog.event_data.TargetOutboundUserName')).toBe('MalseclogonUser');
    expect(readField(doc, 'user.id')).toBe('S-1-5-21-3461203602-4096304019-2269080069-1000');
    expect(readField(doc, 'source.ip')).toBe('::1');
  });

  it('maps 4688 to process and parent with hex pids', () => {
    const doc = toEcs(findRecord(records, byRecordId('329919')));

    expect(readField(doc, 'event.category')).toEqual(['process']);
    expect(readField(doc, 'process.parent.executable')).toBe('C:\\Windows\\System32\\lsass.exe');
    expect(readField(doc, 'winlog.event_data.TargetLogonId')).toBe('0x00000000016e3db3');
    expect(typeof readField(doc, 'process.pid')).toBe('number');
  });

  it('maps other Security events to category other', () => {
    const doc = toEcs(findRecord(records, byRecordId('329915')));

    expect(readField(doc, 'event.code')).toBe('4703');
    expect(readField(doc, 'event.category')).toEqual(['other']);
  });
});

describe('toEcs on winlogbeat 6 events', () => {
  it('uses computer_name as the host, not the WEF collector', () => {
    const doc = toEcs(findRecord(readPublicRecords(MIMIKATZ), byRecordId('3325364')));

    expect(readField(doc, 'host.name')).toBe('it001.shire.com');
    expect(readField(doc, 'agent.hostname')).toBe('WECserver');
    expect(readField(doc, 'winlog.record_id')).toBe('3325364');
    expect(readField(doc, 'event.code')).toBe('10');
    expect(readField(doc, 'winlog.event_data.GrantedAccess')).toBe('0x14c0');
    expect(readField(doc, '@timestamp')).toBe('2019-03-19T17:15:29.278Z');
  });

  it('maps 4648 to authentication with the subject as user', () => {
    const doc = toEcs(findRecord(readPublicRecords(RUNAS), (r) => r.event_id === 4648));

    expect(readField(doc, 'event.category')).toEqual(['authentication']);
    expect(readField(doc, 'user.name')).toBe(readField(doc, 'winlog.event_data.SubjectUserName'));
    expect(readField(doc, 'winlog.event_data.TargetServerName')).toBe('localhost');
    expect(readField(doc, 'winlog.event_data.SubjectUserSid')).toBeTypeOf('string');
  });
});

describe('toEcs on Mordor records', () => {
  it('reads a flat record without a record number', () => {
    const doc = toEcs(findRecord(readPublicRecords(CAMPAIGN_01), (r) => r.EventID === 10));

    expect(readField(doc, 'host.name')).toBe('mkt01.pandalab.com');
    expect(readField(doc, 'winlog.record_id')).toBeUndefined();
    expect(readField(doc, 'winlog.event_data.GrantedAccess')).toBe('0x14c0');
    expect(readField(doc, '@timestamp')).toBe('2023-08-15T09:56:43.023Z');
    expect(readField(doc, 'winlog.event_data.UtcTime')).toBe('2023-08-16 04:56:43.016');
  });

  it('canonicalises a lower-case security channel', () => {
    const doc = toEcs(findRecord(readPublicRecords(RUBEUS), (r) => r.EventID === 4624));

    expect(readField(doc, 'winlog.channel')).toBe('Security');
    expect(readField(doc, 'winlog.logon.type')).toBe('NewCredentials');
    expect(readField(doc, 'agent.hostname')).toBe('wec.internal.cloudapp.net');
  });

  it('sets source.ip only when IpAddress is an address', () => {
    const records = readPublicRecords(RDP);
    const network = toEcs(findRecord(records, (r) => r.EventID === 4624 && r.LogonType === '3'));
    const unlock = toEcs(findRecord(records, (r) => r.EventID === 4624 && r.LogonType === '7'));

    expect(readField(network, 'source.ip')).toBe('1.2.3.4');
    expect(readField(network, 'winlog.logon.type')).toBe('Network');
    expect(readField(unlock, 'winlog.logon.type')).toBe('Unlock');
  });

  it('maps Sysmon 11 to file fields', () => {
    const doc = toEcs(findRecord(readPublicRecords(RDP), (r) => r.EventID === 11));

    expect(readField(doc, 'event.category')).toEqual(['file']);
    expect(readField(doc, 'file.name')).toBe('lsass.DMP');
    expect(readField(doc, 'file.extension')).toBe('dmp');
    expect(readField(doc, 'file.path')).toMatch(/\\lsass\.DMP$/);
    expect(readField(doc, 'process.name')).toBe('taskmgr.exe');
  });

  it('reads a zoneless TimeCreated as UTC and says so', () => {
    const doc = toEcs(findRecord(readPublicRecords(COMSVCS), (r) => r.EventID === 11));

    expect(readField(doc, '@timestamp')).toBe('2020-10-18T07:50:06.001Z');
    expect(readField(doc, 'labels.timestamp_zone_assumed')).toBe(true);
  });

  it('accepts Mordor envelope keys in any case', () => {
    const record = findRecord(readPublicRecords(CAMPAIGN_01), (r) => r.EventID === 10);
    const { EventID, Hostname, Channel, ...rest } = record;
    const doc = toEcs({ ...rest, eventid: EventID, HOSTNAME: Hostname, channel: Channel });

    expect(readField(doc, 'event.code')).toBe('10');
    expect(readField(doc, 'host.name')).toBe('mkt01.pandalab.com');
  });
});

describe('toEcs on ECS documents', () => {
  it('passes the Elastic Agent sample through', () => {
    const doc = toEcs(readPublicRecords(AGENT_SAMPLE)[0]);

    expect(readField(doc, 'event.code')).toBe('22');
    expect(readField(doc, 'host.name')).toBe('vagrant-2016');
    expect(readField(doc, 'host.os.type')).toBe('windows');
    expect(readField(doc, 'labels.host_os_inferred')).toBe(true);
    expect(readField(doc, 'dns.question.name')).toBe('www.msn.com');
  });

  it('renders numeric event.code and record_id as strings', () => {
    const sample = readPublicRecords(BEATS_4624)[0];
    const doc = toEcs({ ...sample, event: { code: 4624 }, 'winlog.record_id': 1542 });

    expect(readField(doc, 'event.code')).toBe('4624');
    expect(readField(doc, 'winlog.record_id')).toBe('1542');
    expect(readField(doc, 'winlog.logon.type')).toBe('Interactive');
  });
});

describe('toEcs rejections', () => {
  it('throws InvalidAlertError for an unknown shape', () => {
    expect(() => toEcs({ hello: 'world' })).toThrow(InvalidAlertError);
  });

  it('names the field path of a wrong type', () => {
    const record = { ...readPublicRecords(TUTTO)[0], EventData: { GrantedAccess: 5312 } };

    try {
      toEcs(record);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidAlertError);
      expect((error as InvalidAlertError).issues.map((issue) => issue.path)).toContain(
        '$.EventData.GrantedAccess',
      );
    }
  });
});
