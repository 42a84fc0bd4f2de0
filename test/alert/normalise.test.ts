import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseDocument } from '../../src/alert/normalise';
import { checkRuleTuple } from '../../src/alert/rule-tuple';
import { findRecord, readPublicRecords } from '../ecs/public-data';

const ALERTS_DIR = path.resolve(__dirname, '..', '..', 'data', 'alerts');

function readAlertFile(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(ALERTS_DIR, name), 'utf8')) as Record<
    string,
    unknown
  >;
}

function normaliseOrFail(doc: unknown) {
  const result = normaliseDocument(doc);
  if (!result.ok) throw new Error(`not normalised: ${JSON.stringify(result.issues)}`);
  return result.alert;
}

const SECLOGON_NEAR_MISSES: [string, (r: Record<string, unknown>) => boolean][] = [
  [
    'otrf-security-datasets/empire_mimikatz_opth.winlogbeat-6.5.4.subset.ndjson',
    (r) => r.record_number === '3325364',
  ],
  [
    'otrf-security-datasets/empire_invoke_runas.winlogbeat-6.7.0.subset.ndjson',
    (r) =>
      r.event_id === 10 && (r.event_data as Record<string, unknown>).GrantedAccess === '0x14c0',
  ],
  [
    'otrf-security-datasets/empire_shell_rubeus_asktgt_createnetonly.mordor-flat.subset.ndjson',
    (r) => r.EventID === 10 && r.GrantedAccess === '0x14c0',
  ],
  [
    'otrf-security-datasets/LSASS_campaign_01_seclogon_nearmiss.mordor-flat.subset.ndjson',
    (r) => r.EventID === 10 && r.GrantedAccess === '0x14c0',
  ],
];

describe('normaliseDocument on real shapes', () => {
  it('normalises a winlogbeat 6 Sysmon 10 with the endpoint as host', () => {
    const [file, pick] = SECLOGON_NEAR_MISSES[0]!;
    const alert = normaliseOrFail(findRecord(readPublicRecords(file), pick));

    expect(alert.shape).toBe('winlogbeat6');
    expect(alert.host.name).toBe('it001.shire.com');
    expect(alert.host.id).toBeUndefined();
    expect(alert.timestamp).toBe('2019-03-19T17:15:29.278Z');
    expect(alert.recordId).toBe('3325364');
    expect(alert.access.sourceProcessGuid).toBe('{aa6b4a20-23b0-5c91-0000-001072171f05}');
    expect(alert.access.sourceProcessId).toBe(6728);
    expect(alert.access.grantedAccess).toBe('0x14c0');
    expect(alert.rule.processName).toBe('svchost.exe');
    expect(alert.identitySource).toBe('source-event');
  });

  it('normalises a Mordor flat record', () => {
    const [file, pick] = SECLOGON_NEAR_MISSES[3]!;
    const alert = normaliseOrFail(findRecord(readPublicRecords(file), pick));

    expect(alert.shape).toBe('mordor-flat');
    expect(alert.host.name).toBe('mkt01.pandalab.com');
    expect(alert.rule.eventCode).toBe('10');
    expect(alert.rule.hostOsType).toBe('windows');
  });

  it('normalises an EVTX conversion with GUIDs in lower case', () => {
    const records = readPublicRecords('evtx-attack-samples/tutto_malseclogon.ndjson');
    const alert = normaliseOrFail(findRecord(records, (r) => r.EventRecordID === '619520'));

    expect(alert.shape).toBe('evtx');
    expect(alert.access.sourceProcessGuid).toBe('{747f3d96-9acd-61af-d501-000000000102}');
    expect(alert.access.grantedAccess).toBe('0x00001410');
    expect(alert.host.name).toBe('msedgewin10');
  });

  it('normalises an ECS document', () => {
    const doc = readPublicRecords(
      'elastic-ecs-shapes/beats.winlogbeat.security.4624-interactive.record-1542.json',
    )[0];

    const alert = normaliseOrFail(doc);

    expect(alert.shape).toBe('ecs');
    expect(alert.rule.eventCode).toBe('4624');
    expect(alert.user.id).toBeTypeOf('string');
    expect(alert.recordId).toBe('1542');
  });
});

describe('normaliseDocument and the rule tuple', () => {
  it.each(SECLOGON_NEAR_MISSES)(
    'rejects the seclogon near-miss in %s on TargetImage',
    (file, pick) => {
      const alert = normaliseOrFail(findRecord(readPublicRecords(file), pick));

      const result = checkRuleTuple(alert.rule);

      expect(result.matches).toBe(false);
      expect(result.failures.map((failure) => failure.field)).toEqual([
        'winlog.event_data.TargetImage',
      ]);
    },
  );

  it('rejects the tool access to the lsass clone on CallTrace and GrantedAccess', () => {
    const records = readPublicRecords('evtx-attack-samples/tutto_malseclogon.ndjson');
    const alert = normaliseOrFail(findRecord(records, (r) => r.EventRecordID === '619520'));

    const fields = checkRuleTuple(alert.rule).failures.map((failure) => failure.field);

    expect(fields).toEqual([
      'winlog.event_data.CallTrace',
      'process.name',
      'winlog.event_data.GrantedAccess',
    ]);
  });

  it('accepts the derived positive alert', () => {
    const alert = normaliseOrFail(readAlertFile('positive-malseclogon.json'));

    expect(checkRuleTuple(alert.rule)).toEqual({ matches: true, failures: [] });
    expect(alert.shape).toBe('elastic-alert');
    expect(alert.timestamp).toBe('2021-12-07T17:33:01.590Z');
    expect(alert.host.name).toBe('msedgewin10');
    expect(alert.access.sourceProcessGuid).toBe('{747f3d96-9acd-61af-d401-000000000102}');
    expect(alert.ruleUuid).toBeTypeOf('string');
  });

  it('rejects the bundled near-miss event', () => {
    const alert = normaliseOrFail(readAlertFile('near-miss-seclogon.json'));

    expect(checkRuleTuple(alert.rule).matches).toBe(false);
  });

  it('accepts the synthetic missing-telemetry alert with its host.id', () => {
    const alert = normaliseOrFail(readAlertFile('missing-telemetry.json'));

    expect(checkRuleTuple(alert.rule).matches).toBe(true);
    expect(alert.host.id).toBe('6f1c2a0e-4b7d-4e8a-9c31-52d0a7e4b9f3');
  });

  it('renders a numeric event.code as a string that matches', () => {
    const doc = readAlertFile('positive-malseclogon.json');

    const alert = normaliseOrFail({ ...doc, 'kibana.alert.original_event.code': 10 });

    expect(alert.rule.eventCode).toBe('10');
    expect(checkRuleTuple(alert.rule).matches).toBe(true);
  });
});

describe('normaliseDocument schema rejections', () => {
  const positive = readAlertFile('positive-malseclogon.json');

  function issuesOf(doc: unknown, index?: number) {
    const result = normaliseDocument(doc, index);
    if (result.ok) throw new Error('document was accepted');
    return result.issues;
  }

  it('paths a numeric GrantedAccess under its index', () => {
    const doc = structuredClone(positive);
    (doc.winlog as { event_data: Record<string, unknown> }).event_data.GrantedAccess = 5312;

    const paths = issuesOf(doc, 3).map((issue) => issue.path);

    expect(paths).toEqual(['$[3].winlog.event_data.GrantedAccess']);
  });

  it('names a missing @timestamp', () => {
    const { '@timestamp': _, ...doc } = positive;

    expect(issuesOf(doc).map((issue) => issue.path)).toEqual(["$['@timestamp']"]);
  });

  it('paths an invalid dotted original_time', () => {
    const doc = { ...positive, 'kibana.alert.original_time': 'yesterday' };

    expect(issuesOf(doc).map((issue) => issue.path)).toEqual(['$.kibana.alert.original_time']);
  });

  it('names a malformed SourceProcessGUID in a raw record', () => {
    const [file, pick] = SECLOGON_NEAR_MISSES[3]!;
    const doc = { ...findRecord(readPublicRecords(file), pick), SourceProcessGUID: 'not-a-guid' };

    expect(issuesOf(doc).map((issue) => issue.path)).toEqual(['$.SourceProcessGUID']);
  });

  it('rejects a dotted key that contradicts its nested form', () => {
    const doc = { ...positive, 'host.name': 'elsewhere' };

    expect(issuesOf(doc).map((issue) => issue.path)).toEqual(['$.host.name']);
  });

  it.each([
    ['an array', []],
    ['a string', 'alert'],
    ['an unknown object', { hello: 'world' }],
  ])('rejects %s at the root', (_, doc) => {
    expect(issuesOf(doc).map((issue) => issue.path)).toEqual(['$']);
  });
});

describe('normaliseDocument forwarded alerts', () => {
  const positive = readAlertFile('positive-malseclogon.json');

  it('drops the WEF collector host.id from an Elastic alert', () => {
    const doc = {
      ...positive,
      host: { name: 'wec01.corp.example', id: 'collector-host-id', os: { type: 'windows' } },
      winlog: { ...(positive.winlog as object), computer_name: 'WS042.corp.example' },
    };

    const alert = normaliseOrFail(doc);

    expect(alert.host.name).toBe('ws042.corp.example');
    expect(alert.host.id).toBeUndefined();
  });

  it('drops the WEF collector host.id from an ECS event', () => {
    const event = Object.fromEntries(
      Object.entries(positive).filter(([key]) => !key.startsWith('kibana')),
    );
    const doc = {
      ...event,
      host: { name: 'wec01', id: 'collector-host-id', os: { type: 'windows' } },
      winlog: { ...(positive.winlog as object), computer_name: 'WS042' },
    };

    const alert = normaliseOrFail(doc);

    expect(alert.host.id).toBeUndefined();
  });

  it('takes the source event time from kibana.alert.original_time', () => {
    const doc = {
      ...positive,
      '@timestamp': '2030-01-01T05:00:00.000Z',
      'kibana.alert.original_time': '2030-01-01T01:00:00.000Z',
    };

    expect(normaliseOrFail(doc).timestamp).toBe('2030-01-01T01:00:00.000Z');
  });
});
