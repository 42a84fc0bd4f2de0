import { describe, expect, it } from 'vitest';
import {
  ecsToTelemetryEvent,
  isSameHost,
  normaliseGuid,
  normaliseLogonId,
  parseLogonType,
} from '../../src/telemetry/ecs-event';

describe('normaliseLogonId', () => {
  it.each(['0x16e3db3', '0x00000000016e3db3', '0x16E3DB3'])('reads %s as 0x16e3db3', (value) => {
    expect(normaliseLogonId(value)).toBe('0x16e3db3');
  });

  it('reads a decimal number as the same id', () => {
    expect(normaliseLogonId(0x16e3db3)).toBe('0x16e3db3');
  });

  it('rejects text that is not a number', () => {
    expect(normaliseLogonId('-')).toBeUndefined();
  });
});

describe('parseLogonType', () => {
  it.each([[9], ['9'], ['NewCredentials'], ['newcredentials']])('reads %s as 9', (value) => {
    expect(parseLogonType(value)).toBe(9);
  });

  it('reads RemoteInteractive as 10', () => {
    expect(parseLogonType('RemoteInteractive')).toBe(10);
  });
});

describe('normaliseGuid', () => {
  it('lower-cases and adds braces', () => {
    expect(normaliseGuid('747F3D96-9ACD-61AF-D301-000000000102')).toBe(
      '{747f3d96-9acd-61af-d301-000000000102}',
    );
  });
});

describe('isSameHost', () => {
  it('compares host.id when both sides have one', () => {
    expect(isSameHost({ id: 'a', name: 'x' }, { id: 'b', name: 'x' })).toBe(false);
  });

  it('matches a short name to its FQDN', () => {
    expect(
      isSameHost({ name: 'WORKSTATION5' }, { id: 'a', name: 'workstation5.theshire.local' }),
    ).toBe(true);
  });
});

describe('isSameHost GUID ids', () => {
  it('matches a braced upper-case GUID to a bare lower-case one', () => {
    expect(
      isSameHost(
        { id: '{6F1C2A0E-4B7D-4E8A-9C31-52D0A7E4B9F3}', name: 'a' },
        { id: '6f1c2a0e-4b7d-4e8a-9c31-52d0a7e4b9f3', name: 'b' },
      ),
    ).toBe(true);
  });
});

describe('ecsToTelemetryEvent forwarded events', () => {
  const forwarded = {
    '@timestamp': '2021-12-07T17:33:01.616Z',
    event: { code: '1', category: ['process'] },
    host: { name: 'wec01.corp.example', id: 'collector-host-id' },
    winlog: { computer_name: 'WS042.corp.example' },
    process: { executable: 'C:\\Windows\\System32\\cmd.exe', pid: 4 },
  };

  it('names the endpoint, not the WEF collector', () => {
    const event = ecsToTelemetryEvent(forwarded, 'winlogbeat');

    expect(event?.host.name).toBe('ws042.corp.example');
  });

  it('drops the collector host.id', () => {
    const event = ecsToTelemetryEvent(forwarded, 'winlogbeat');

    expect(event?.host.id).toBeUndefined();
  });

  it('keeps host.id when the shipper runs on the endpoint', () => {
    const local = { ...forwarded, host: { name: 'ws042', id: 'endpoint-id' } };

    expect(ecsToTelemetryEvent(local, 'winlogbeat')?.host.id).toBe('endpoint-id');
  });
});

describe('ecsToTelemetryEvent', () => {
  it('maps a 4624 NewCredentials logon', () => {
    const doc = {
      '@timestamp': '2021-12-07T17:33:01.616Z',
      event: { code: 4624, category: ['authentication'] },
      host: { name: 'MSEDGEWIN10' },
      winlog: {
        record_id: 329918,
        logon: { type: 'NewCredentials' },
        event_data: {
          TargetLogonId: '0x00000000016E3DB3',
          TargetUserSid: 'S-1-5-21-1',
          LogonProcessName: 'seclogo ',
          IpAddress: '-',
        },
      },
    };

    const event = ecsToTelemetryEvent(doc, 'tutto');

    expect(event?.recordId).toBe('tutto#329918');
    expect(event?.eventCode).toBe('4624');
    expect(event?.host).toEqual({ id: undefined, name: 'msedgewin10' });
    expect(event?.logon?.type).toBe(9);
    expect(event?.logon?.targetLogonId).toBe('0x16e3db3');
    expect(event?.logon?.logonProcessName).toBe('seclogo');
    expect(event?.logon?.sourceIp).toBeUndefined();
  });

  it('reads dotted alert documents', () => {
    const doc = {
      '@timestamp': '2021-12-07T18:00:00.000Z',
      'event.kind': 'signal',
      'kibana.alert.uuid': 'u-1',
      'kibana.alert.rule.name': 'Rule',
      'kibana.alert.rule.threat': [{ tactic: { name: 'Lateral Movement' } }],
      'host.name': 'h1',
      'user.id': 'S-1',
    };

    const event = ecsToTelemetryEvent(doc, 'alerts');

    expect(event?.category).toBe('alert');
    expect(event?.recordId).toBe('alerts#u-1');
    expect(event?.alert).toEqual({
      ruleName: 'Rule',
      tactics: ['Lateral Movement'],
      severity: undefined,
      userId: 'S-1',
    });
  });

  it('skips documents without a timestamp', () => {
    expect(ecsToTelemetryEvent({ host: { name: 'h' } }, 'x')).toBeUndefined();
  });
});
