/**
 * Investigations over the real public recordings, converted to ECS with `toEcs` inside the test.
 * No recording contains the rule's exact event, so each test builds the alert the rule
 * would raise on that host at the time of the seclogon activity in the recording.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert/alert';
import { toEcs } from '../../src/ecs';
import { isSeclogonServiceHost } from '../../src/investigation/detectors';
import { investigateOffline, type OfflineInvestigation } from '../../src/investigation/investigate';
import { EMPTY_INVENTORY } from '../../src/investigation/inventory';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import { ecsToTelemetryEvent } from '../../src/telemetry/ecs-event';
import type { TelemetryEvent } from '../../src/telemetry/types';
import { makeAlert } from './builders';

const PUBLIC = path.resolve(__dirname, '../../../shared/data/public');

function loadDataset(file: string): TelemetryEvent[] {
  const dataset = path.basename(file).replace(/\..*$/, '');
  return readFileSync(path.join(PUBLIC, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ecsToTelemetryEvent(toEcs(JSON.parse(line) as unknown, { dataset }), dataset))
    .filter((event): event is TelemetryEvent => event !== undefined);
}

/** The alert the rule would raise at `anchor`'s time and host, from the recording's seclogon host. */
function alertAt(
  events: TelemetryEvent[],
  anchor: TelemetryEvent,
  userId?: string,
  timeOffsetMs = 0,
): Alert {
  const seclogon = events.find(
    (event) =>
      isSeclogonServiceHost(event.process?.commandLine) && event.process?.entityId !== undefined,
  );
  const base = makeAlert();
  return makeAlert({
    timestamp: new Date(Date.parse(anchor.timestamp) + timeOffsetMs).toISOString(),
    host: { name: anchor.host.name },
    user: userId === undefined ? {} : { id: userId },
    access: {
      ...base.access,
      sourceProcessGuid: seclogon?.process?.entityId,
      targetProcessId: undefined,
    },
  });
}

async function investigate(events: TelemetryEvent[], alert: Alert): Promise<OfflineInvestigation> {
  return investigateOffline(alert, new EmbeddedTelemetrySource(events), EMPTY_INVENTORY);
}

function findingsOf(result: OfflineInvestigation, question: string) {
  return result.answers
    .filter((answer) => answer.question === question)
    .flatMap((answer) => answer.findings);
}

function kindsOf(result: OfflineInvestigation, question: string): string[] {
  return findingsOf(result, question).map((finding) => finding.kind);
}

function recordsOf(result: OfflineInvestigation, question: string, kind: string): string[] {
  return findingsOf(result, question)
    .filter((finding) => finding.kind === kind)
    .flatMap((finding) => finding.recordIds);
}

function byCode(
  events: TelemetryEvent[],
  code: string,
  test: (event: TelemetryEvent) => boolean = () => true,
): TelemetryEvent {
  const found = events.find((event) => event.eventCode === code && test(event));
  if (found === undefined) throw new Error(`no event ${code} in the recording`);
  return found;
}

describe('MalSecLogon tool run (tutto_malseclogon)', () => {
  const events = loadDataset('evtx-attack-samples/tutto_malseclogon.ndjson');
  const anchor = byCode(events, '4624');
  const alert = alertAt(events, anchor, 'S-1-5-21-3461203602-4096304019-2269080069-1000');

  it('recovers the seclogon service host', async () => {
    const result = await investigate(events, alert);

    expect(recordsOf(result, 'Q2', 'seclogon-service-host')).toContain('tutto_malseclogon#619516');
  });

  it('finds the PPID spoof onto lsass', async () => {
    const result = await investigate(events, alert);

    expect(recordsOf(result, 'Q2', 'ppid-spoofed-to-lsass')).toContain('tutto_malseclogon#619518');
    expect(recordsOf(result, 'Q2', 'child-of-lsass')).toContain('tutto_malseclogon#329919');
    expect(recordsOf(result, 'Q2', 'targets-lsass-pid')).toEqual(
      expect.arrayContaining(['tutto_malseclogon#619515', 'tutto_malseclogon#619518']),
    );
  });

  it('finds the lsass clone and its access', async () => {
    const result = await investigate(events, alert);

    expect(recordsOf(result, 'Q4', 'lsass-clone')).toEqual(['tutto_malseclogon#329921']);
    expect(recordsOf(result, 'Q2', 'lsass-access')).toContain('tutto_malseclogon#619520');
  });

  it('leaves Q4 absent without file telemetry', async () => {
    const result = await investigate(events, alert);

    expect(result.answers.find((answer) => answer.question === 'Q4')?.coverage).toBe('absent');
  });

  it('joins the type 9 logon with the spoofed process', async () => {
    const result = await investigate(events, alert);

    expect(recordsOf(result, 'Q6', 'logon-type-9')).toEqual(['tutto_malseclogon#329918']);
    expect(recordsOf(result, 'Q6', 'process-in-new-credentials-session')).toEqual(
      expect.arrayContaining(['tutto_malseclogon#329918', 'tutto_malseclogon#619518']),
    );
    expect(result.verdict.kind).toBe('escalate');
  });
});

describe('seclogon near-misses', () => {
  it('names powershell as the caller in mimikatz over-pass-the-hash', async () => {
    const events = loadDataset(
      'otrf-security-datasets/empire_mimikatz_opth.winlogbeat-6.5.4.subset.ndjson',
    );
    const anchor = byCode(events, '10', (event) => event.access?.grantedAccess === '0x14c0');
    const userId = byCode(events, '4624').logon?.targetUserSid;

    const result = await investigate(events, alertAt(events, anchor, userId));

    const caller = findingsOf(result, 'Q2').find((finding) => finding.kind === 'seclogon-caller');
    expect(caller?.isSuspicious).toBe(true);
    expect(caller?.subject).toMatch(/powershell\.exe$/i);
    expect(kindsOf(result, 'Q6')).toEqual(
      expect.arrayContaining(['logon-type-9', 'process-in-new-credentials-session']),
    );
    expect(result.verdict.kind).toBe('escalate');
  });

  it('names Rubeus as the caller in asktgt /createnetonly', async () => {
    const events = loadDataset(
      'otrf-security-datasets/empire_shell_rubeus_asktgt_createnetonly.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '10', (event) => event.access?.grantedAccess === '0x14c0');
    const userId = byCode(events, '4624').logon?.targetUserSid;

    const result = await investigate(events, alertAt(events, anchor, userId));

    const caller = findingsOf(result, 'Q2').find((finding) => finding.kind === 'seclogon-caller');
    expect(caller?.subject).toMatch(/rubeus\.exe$/i);
    expect(kindsOf(result, 'Q6')).toContain('logon-type-9');
  });

  it('names the Metasploit payload as the caller', async () => {
    const events = loadDataset(
      'otrf-security-datasets/LSASS_campaign_01_seclogon_nearmiss.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '10', (event) => event.access?.grantedAccess === '0x14c0');

    const result = await investigate(events, alertAt(events, anchor));

    expect(
      findingsOf(result, 'Q2').find((finding) => finding.kind === 'seclogon-caller')?.subject,
    ).toMatch(/winx64_payload\.exe$/i);
    expect(result.answers.find((answer) => answer.question === 'Q6')?.coverage).toBe('absent');
  });
});

describe('dump methods', () => {
  it('finds procdump output under its real name', async () => {
    const events = loadDataset(
      'otrf-security-datasets/LSASS_campaign_02_procdump.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '1');

    const result = await investigate(events, alertAt(events, anchor));

    const dump = findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-file');
    expect(dump?.summary).toContain('lsass_dump-3.dmp');
    expect(kindsOf(result, 'Q4')).toContain('dump-command-line');
    expect(result.answers.find((answer) => answer.question === 'Q4')?.coverage).toBe('present');
  });

  it('finds the rundll32 comsvcs MiniDump', async () => {
    const events = loadDataset(
      'otrf-security-datasets/psh_lsass_memory_dump_comsvcs.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '1');

    const result = await investigate(events, alertAt(events, anchor));

    expect(
      findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-command-line')?.summary,
    ).toMatch(/comsvcs/i);
    expect(
      findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-file')?.summary,
    ).toContain('lsass-comsvcs.dmp');
  });

  it('finds the Dumpert output', async () => {
    const events = loadDataset(
      'otrf-security-datasets/cmd_lsass_memory_dumpert_syscalls.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '1');

    const result = await investigate(events, alertAt(events, anchor));

    expect(
      findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-file')?.summary,
    ).toContain('dumpert.dmp');
    expect(kindsOf(result, 'Q2')).toContain('dump-utility');
  });

  it('finds the nanodump output', async () => {
    const events = loadDataset(
      'otrf-security-datasets/LSASS_campaign_07_nanodump.mordor-flat.subset.ndjson',
    );
    const anchor = byCode(events, '1');

    const result = await investigate(events, alertAt(events, anchor));

    expect(
      findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-file')?.summary,
    ).toContain('lsass_dump.dmp');
    expect(kindsOf(result, 'Q4')).toContain('dump-command-line');
  });

  it('finds the upper-case Task Manager dump', async () => {
    const events = loadDataset(
      'otrf-security-datasets/rdp_interactive_taskmanager_lsass_dump.mordor-nxlog.subset.ndjson',
    );
    const anchor = byCode(events, '1');

    const result = await investigate(events, alertAt(events, anchor));

    expect(
      findingsOf(result, 'Q4').find((finding) => finding.kind === 'dump-file')?.summary,
    ).toContain('lsass.DMP');
    expect(kindsOf(result, 'Q2')).toContain('lsass-access');
  });
});

describe('authentication pivots', () => {
  const rdp = loadDataset(
    'otrf-security-datasets/rdp_interactive_taskmanager_lsass_dump.mordor-nxlog.subset.ndjson',
  );
  const rdpLogon = byCode(rdp, '4624', (event) => event.logon?.type === 3);

  it('escalates a remote logon after the access', async () => {
    const alert = alertAt(rdp, rdpLogon, rdpLogon.logon?.targetUserSid, -60_000);

    const result = await investigate(rdp, alert);

    expect(recordsOf(result, 'Q6', 'remote-logon-after-access')).toContain(rdpLogon.recordId);
  });

  it('keeps a remote logon before the access as context', async () => {
    const alert = alertAt(rdp, rdpLogon, rdpLogon.logon?.targetUserSid, 60_000);

    const result = await investigate(rdp, alert);

    expect(
      findingsOf(result, 'Q6').find((finding) => finding.kind === 'remote-logon-before-access')
        ?.isSuspicious,
    ).toBe(false);
    expect(kindsOf(result, 'Q6')).not.toContain('remote-logon-after-access');
  });

  const runas = loadDataset(
    'evtx-to-mitre-attack/ID4688-4648-4624-Runas_execution_with_different_user.ndjson',
  );
  const runasLogon = byCode(runas, '4624');

  it('tells runas type 2 apart from type 9', async () => {
    const result = await investigate(
      runas,
      alertAt(runas, runasLogon, runasLogon.logon?.targetUserSid),
    );

    expect(kindsOf(result, 'Q6')).toContain('seclogon-interactive-logon');
    expect(kindsOf(result, 'Q6')).not.toContain('logon-type-9');
  });

  it('escalates runas explicit credentials for the subject user', async () => {
    const explicit = byCode(runas, '4648');

    const result = await investigate(
      runas,
      alertAt(runas, runasLogon, explicit.logon?.subjectUserSid),
    );

    expect(recordsOf(result, 'Q6', 'explicit-credentials')).toEqual([explicit.recordId]);
  });

  it('reads Empire Invoke-RunAs as type 2 with explicit credentials', async () => {
    const events = loadDataset(
      'otrf-security-datasets/empire_invoke_runas.winlogbeat-6.7.0.subset.ndjson',
    );
    const explicit = byCode(events, '4648');
    const anchor = byCode(events, '10', (event) => event.access?.grantedAccess === '0x14c0');

    const result = await investigate(
      events,
      alertAt(events, anchor, explicit.logon?.subjectUserSid),
    );

    expect(recordsOf(result, 'Q6', 'explicit-credentials')).toContain(explicit.recordId);
    expect(kindsOf(result, 'Q6')).not.toContain('logon-type-9');
    expect(result.verdict.kind).toBe('escalate');
  });

  it('reads the Winlogbeat 4624 record as an interactive logon', () => {
    const file = 'elastic-ecs-shapes/beats.winlogbeat.security.4624-interactive.record-1542.json';
    const doc = JSON.parse(readFileSync(path.join(PUBLIC, file), 'utf8')) as unknown;

    const logon = ecsToTelemetryEvent(toEcs(doc, { dataset: 'winlogbeat' }), 'winlogbeat');

    expect(logon?.eventCode).toBe('4624');
    expect(logon?.logon?.type).toBe(2);
  });

  it('does not call a RunasCs type 3 logon without an address remote', async () => {
    const events = loadDataset('evtx-to-mitre-attack/ID4648-4624-RunAsCS_login.ndjson');
    const logon = byCode(events, '4624');

    const result = await investigate(
      events,
      alertAt(events, logon, logon.logon?.targetUserSid, -60_000),
    );

    expect(kindsOf(result, 'Q6')).not.toContain('remote-logon-after-access');
  });
});
