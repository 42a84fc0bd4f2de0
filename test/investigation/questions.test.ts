/**
 * Q2, Q3, Q4, Q6 and Q7 on small hand-built event sets, one behaviour per test. The alert is
 * `makeAlert()`: access at 2021-12-07T17:33:01.600Z on msedgewin10, seclogon source GUID
 * {747f3d96-9acd-61af-d401-000000000102}.
 */
import { describe, expect, it } from 'vitest';
import { dumpToolOf } from '../../src/investigation/detectors';
import { EMPTY_INVENTORY } from '../../src/investigation/inventory';
import { recoverInitiators } from '../../src/investigation/q2-initiators';
import { assessLineage } from '../../src/investigation/q3-lineage';
import { searchDumpArtifacts } from '../../src/investigation/q4-artifacts';
import { pivotAuthentication } from '../../src/investigation/q6-authentication';
import { findRelatedAlerts } from '../../src/investigation/q7-related-alerts';
import type { Answer } from '../../src/investigation/types';
import { reachVerdict } from '../../src/investigation/verdict';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import type { TelemetryEvent } from '../../src/telemetry/types';
import { benignAnswers, makeAlert } from './builders';

const alert = makeAlert();
const ACCESS_MS = Date.parse(alert.timestamp);
const deps = { inventory: EMPTY_INVENTORY };
const HOST = { id: 'host-id-1', name: 'msedgewin10' };

/** ISO time `minutes` after the access (negative for before). */
function at(minutes: number): string {
  return new Date(ACCESS_MS + minutes * 60_000).toISOString();
}

let sequence = 0;

function start(
  minutes: number,
  executable: string,
  extra: Partial<NonNullable<TelemetryEvent['process']>> = {},
): TelemetryEvent {
  sequence += 1;
  return {
    recordId: `test#${sequence}`,
    timestamp: at(minutes),
    host: HOST,
    eventCode: '1',
    category: 'process',
    process: { executable, pid: 1000 + sequence, ...extra },
  };
}

const seclogonHost = start(-10, 'C:\\Windows\\System32\\svchost.exe', {
  entityId: alert.access.sourceProcessGuid,
  commandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s seclogon',
});

function kinds(answer: Answer): string[] {
  return answer.findings.map((item) => item.kind);
}

function findingOf(answer: Answer, kind: string) {
  return answer.findings.find((item) => item.kind === kind);
}

describe('recoverInitiators first-seen binaries', () => {
  const known = 'C:\\Windows\\System32\\notepad.exe';
  const fresh = 'C:\\Windows\\System32\\wbem\\neverseen.exe';
  const history = [start(-3 * 24 * 60, known), start(-2 * 24 * 60, 'C:\\Windows\\explorer.exe')];

  it('flags a binary with no earlier run on the host', async () => {
    const freshStart = start(20, fresh);
    const source = new EmbeddedTelemetrySource([
      ...history,
      seclogonHost,
      start(15, known),
      freshStart,
    ]);

    const answer = await recoverInitiators(alert, source, deps);

    const firstSeen = findingOf(answer, 'first-seen-binary');
    expect(firstSeen?.isSuspicious).toBe(true);
    expect(firstSeen?.recordIds).toEqual([freshStart.recordId]);
    expect(firstSeen?.subject).toBe(fresh);
  });

  it('ignores a binary that ran before the window in another letter case', async () => {
    const source = new EmbeddedTelemetrySource([
      ...history,
      seclogonHost,
      start(15, known.toUpperCase()),
    ]);

    const answer = await recoverInitiators(alert, source, deps);

    expect(kinds(answer)).not.toContain('first-seen-binary');
    expect(kinds(answer)).not.toContain('first-seen-unknown');
  });

  it('leaves first-seen unresolved on a host without history', async () => {
    const source = new EmbeddedTelemetrySource([seclogonHost, start(20, fresh)]);

    const answer = await recoverInitiators(alert, source, deps);

    expect(kinds(answer)).toContain('first-seen-unknown');
    expect(kinds(answer)).not.toContain('first-seen-binary');
    const answers = benignAnswers().map((item) =>
      item.question === 'Q2'
        ? { ...answer, findings: [...item.findings, ...answer.findings] }
        : item,
    );
    const verdict = reachVerdict(alert, answers);
    expect(verdict.kind).toBe('unresolved');
    expect(verdict.reasons.some((reason) => reason.text.includes('first ran'))).toBe(true);
  });

  it('flags a shell half an hour after the access', async () => {
    const shell = start(30, 'C:\\Windows\\System32\\cmd.exe');
    const source = new EmbeddedTelemetrySource([...history, seclogonHost, shell]);

    const answer = await recoverInitiators(alert, source, deps);

    expect(findingOf(answer, 'shell-started')?.recordIds).toEqual([shell.recordId]);
  });

  it('keeps the conclusion at service-host level without candidates', async () => {
    const source = new EmbeddedTelemetrySource([...history, seclogonHost]);

    const answer = await recoverInitiators(alert, source, deps);

    expect(kinds(answer)).toEqual(['seclogon-service-host', 'initiator-not-recovered']);
    expect(findingOf(answer, 'initiator-not-recovered')?.summary).toContain('service-host level');
  });
});

describe('assessLineage parent chain', () => {
  it('finds an Office document two levels up', async () => {
    const word = start(-2, 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', {
      entityId: '{00000000-0000-0000-0000-00000000aaaa}',
    });
    const rundll = start(-1, 'C:\\Windows\\System32\\rundll32.exe', {
      entityId: '{00000000-0000-0000-0000-00000000bbbb}',
      parent: { entityId: word.process?.entityId, executable: word.process?.executable },
    });
    const tool = start(0, 'C:\\Windows\\System32\\rundll32.exe', {
      commandLine: 'rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 636 C:\\x.bin full',
      parent: { entityId: rundll.process?.entityId, executable: rundll.process?.executable },
    });
    const source = new EmbeddedTelemetrySource([seclogonHost, word, rundll, tool]);

    const answer = await assessLineage(alert, source, deps);

    const fromDocument = answer.findings.find(
      (item) => item.kind === 'lineage-from-document' && item.recordIds.includes(tool.recordId),
    );
    expect(fromDocument?.recordIds).toContain(word.recordId);
    expect(fromDocument?.summary).toContain('2 levels up');
  });

  it('follows process.Ext.ancestry', async () => {
    const wmi = start(-3, 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', { entityId: 'ent-wmi' });
    const middle = start(-2, 'C:\\Windows\\System32\\conhost.exe', { entityId: 'ent-mid' });
    const tool = start(0, 'C:\\Users\\Public\\x.exe', {
      commandLine: 'x.exe -p 636',
      ancestry: ['ent-mid', 'ent-wmi'],
      parent: { entityId: 'ent-mid', executable: middle.process?.executable },
    });
    const source = new EmbeddedTelemetrySource([seclogonHost, wmi, middle, tool]);

    const answer = await assessLineage(alert, source, deps);

    expect(findingOf(answer, 'lineage-from-remote-admin')?.recordIds).toEqual([
      tool.recordId,
      wmi.recordId,
    ]);
  });

  it('flags a browser parent as a phishing entry', async () => {
    const tool = start(0, 'C:\\Users\\a\\Downloads\\invoice.exe', {
      parent: { executable: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe' },
    });
    const source = new EmbeddedTelemetrySource([seclogonHost, tool]);

    const answer = await assessLineage(alert, source, deps);

    expect(findingOf(answer, 'lineage-from-document')?.recordIds).toEqual([tool.recordId]);
  });

  it('reads the lineage of the Secondary Logon caller', async () => {
    const caller = start(-1, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', {
      pid: 4242,
      parent: { executable: 'C:\\Windows\\System32\\wsmprovhost.exe' },
    });
    const access: TelemetryEvent = {
      recordId: 'test#access',
      timestamp: at(0),
      host: HOST,
      eventCode: '10',
      category: 'process',
      process: {
        executable: 'C:\\Windows\\System32\\svchost.exe',
        entityId: alert.access.sourceProcessGuid,
      },
      access: {
        sourceImage: 'C:\\Windows\\System32\\svchost.exe',
        sourceProcessGuid: alert.access.sourceProcessGuid,
        targetImage: caller.process?.executable,
        targetProcessId: 4242,
        grantedAccess: '0x14c0',
        callTrace: alert.access.callTrace,
      },
    };
    const source = new EmbeddedTelemetrySource([seclogonHost, caller, access]);

    const answer = await assessLineage(alert, source, deps);

    expect(findingOf(answer, 'lineage-from-remote-admin')?.recordIds).toEqual([caller.recordId]);
  });
});

describe('recoverInitiators process identity', () => {
  it('gives the Secondary Logon caller the entity id of its start', async () => {
    const earlier = start(-30, 'C:\\Users\\bob\\AppData\\Local\\Temp\\tool.exe', {
      pid: 5150,
      entityId: 'b2xkZXItcnVu',
    });
    const caller = start(-1, 'C:\\Users\\bob\\AppData\\Local\\Temp\\tool.exe', {
      pid: 5150,
      entityId: 'VG9vbEVudGl0eQ==',
    });
    const access: TelemetryEvent = {
      recordId: 'test#caller-access',
      timestamp: at(0),
      host: HOST,
      eventCode: '10',
      category: 'process',
      process: { executable: 'C:\\Windows\\System32\\svchost.exe', entityId: alert.access.sourceProcessGuid },
      access: {
        sourceImage: 'C:\\Windows\\System32\\svchost.exe',
        sourceProcessGuid: alert.access.sourceProcessGuid,
        targetImage: caller.process?.executable,
        targetProcessId: 5150,
        grantedAccess: '0x14c0',
        callTrace: alert.access.callTrace,
      },
    };
    const source = new EmbeddedTelemetrySource([seclogonHost, earlier, caller, access]);

    const answer = await recoverInitiators(alert, source, deps);

    const found = findingOf(answer, 'seclogon-caller');
    expect(found?.subject).toBe(caller.process?.executable);
    expect(found?.entityId).toBe('VG9vbEVudGl0eQ==');
    expect(found?.pid).toBe(5150);
  });

  it('keeps the letter case of a Defend entity id', async () => {
    const tool = start(1, 'C:\\Users\\Public\\MalSecLogon.exe', { entityId: 'TWFsU2VjTG9nb24=' });
    const source = new EmbeddedTelemetrySource([seclogonHost, tool]);

    const answer = await recoverInitiators(alert, source, deps);

    expect(findingOf(answer, 'malseclogon-tool')?.entityId).toBe('TWFsU2VjTG9nb24=');
  });
});

describe('capped telemetry queries', () => {
  it('leaves the question unresolved when the cap cut the results', async () => {
    const starts = [0, 1, 2, 3].map((minutes) => start(minutes, 'C:\\Windows\\explorer.exe'));
    const note: TelemetryEvent = {
      recordId: 'test#note',
      timestamp: at(2),
      host: HOST,
      eventCode: '11',
      category: 'file',
      file: { path: 'C:\\Users\\bob\\notes.txt', name: 'notes.txt' },
    };
    const capped = new EmbeddedTelemetrySource([seclogonHost, ...starts, note], { maxHits: 3 });
    const whole = new EmbeddedTelemetrySource([seclogonHost, ...starts, note]);
    const others = benignAnswers().filter((item) => item.question !== 'Q4');

    const cut = await searchDumpArtifacts(alert, capped, deps);
    const read = await searchDumpArtifacts(alert, whole, deps);

    expect(findingOf(cut, 'query-capped')?.summary).toMatch(
      /Only the oldest 3 of 5 matching records were read/,
    );
    expect(findingOf(read, 'query-capped')).toBeUndefined();
    expect(reachVerdict(alert, [...others, read]).kind).toBe('benign');
    expect(reachVerdict(alert, [...others, cut]).kind).toBe('unresolved');
  });
});

describe('searchDumpArtifacts', () => {
  function fileEvent(
    minutes: number,
    path: string,
    writer: TelemetryEvent['process'],
  ): TelemetryEvent {
    sequence += 1;
    return {
      recordId: `test#${sequence}`,
      timestamp: at(minutes),
      host: HOST,
      eventCode: '11',
      category: 'file',
      file: { path, name: path.split('\\').pop() ?? path },
      process: writer,
    };
  }

  it('flags renamed output of a dump tool', async () => {
    const procdump = start(1, 'C:\\Tools\\procdump64.exe', {
      entityId: '{00000000-0000-0000-0000-00000000d0d0}',
      commandLine: 'procdump64.exe -accepteula -ma 636 C:\\Temp\\notes.txt',
    });
    const output = fileEvent(2, 'C:\\Temp\\notes.txt', {
      executable: 'C:\\Tools\\procdump64.exe',
      entityId: '{00000000-0000-0000-0000-00000000d0d0}',
    });
    const unrelated = fileEvent(2, 'C:\\Temp\\report.txt', {
      executable: 'C:\\Windows\\notepad.exe',
    });
    const source = new EmbeddedTelemetrySource([procdump, output, unrelated]);

    const answer = await searchDumpArtifacts(alert, source, deps);

    expect(findingOf(answer, 'dump-output-renamed')?.recordIds).toEqual([output.recordId]);
    expect(findingOf(answer, 'dump-output-renamed')?.filePaths).toEqual(['C:\\Temp\\notes.txt']);
    expect(answer.coverage).toBe('present');
  });

  it('flags output of a process that opened LSASS', async () => {
    const reader: TelemetryEvent = {
      recordId: 'test#reader',
      timestamp: at(1),
      host: HOST,
      eventCode: '10',
      category: 'process',
      process: {
        executable: 'C:\\Users\\Public\\svc.exe',
        entityId: '{00000000-0000-0000-0000-0000000e0e0e}',
      },
      access: {
        sourceImage: 'C:\\Users\\Public\\svc.exe',
        targetImage: 'C:\\Windows\\system32\\lsass.exe',
        grantedAccess: '0x1fffff',
      },
    };
    const output = fileEvent(2, 'C:\\Users\\Public\\cache.bin', {
      executable: 'C:\\Users\\Public\\svc.exe',
      entityId: '{00000000-0000-0000-0000-0000000e0e0e}',
    });
    const explorer = start(0, 'C:\\Windows\\explorer.exe');
    const source = new EmbeddedTelemetrySource([explorer, reader, output]);

    const answer = await searchDumpArtifacts(alert, source, deps);

    expect(findingOf(answer, 'dump-output-renamed')?.recordIds).toEqual([output.recordId]);
  });

  it('finds a numbered dump file in any case outside the command-line path', async () => {
    const dump = fileEvent(3, 'D:\\elsewhere\\SVCHOST-2.DMP', { executable: 'C:\\x\\y.exe' });
    const source = new EmbeddedTelemetrySource([start(0, 'C:\\Windows\\explorer.exe'), dump]);

    const answer = await searchDumpArtifacts(alert, source, deps);

    expect(findingOf(answer, 'dump-file')?.recordIds).toEqual([dump.recordId]);
    expect(findingOf(answer, 'dump-file')?.filePaths).toEqual(['D:\\elsewhere\\SVCHOST-2.DMP']);
  });
});

describe('dumpToolOf', () => {
  it.each([
    'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, #-4294967272 636 C:\\t\\a.bin full',
    'rundll32 comsvcs.dll,#+0024 636 out full',
    'rundll32.exe comsvcs.dll MiniDump 636 C:\\t\\a.bin full',
  ])('recognises comsvcs MiniDump in %s', (commandLine) => {
    expect(dumpToolOf(commandLine)).toBe('rundll32 comsvcs MiniDump');
  });
});

describe('pivotAuthentication logon-id joins', () => {
  const userId = alert.user.id ?? '';

  function logon(
    code: '4624' | '4648',
    minutes: number,
    logonFields: TelemetryEvent['logon'],
  ): TelemetryEvent {
    sequence += 1;
    return {
      recordId: `test#${sequence}`,
      timestamp: at(minutes),
      host: HOST,
      eventCode: code,
      category: 'authentication',
      logon: logonFields,
    };
  }

  it('joins 4648 to the NewCredentials session that issued it', async () => {
    const session = logon('4624', 1, {
      type: 9,
      targetUserSid: userId,
      targetLogonId: '0x16e3db3',
    });
    const explicit = logon('4648', 2, { subjectUserSid: userId, subjectLogonId: '0x16e3db3' });
    const other = logon('4648', 3, { subjectUserSid: userId, subjectLogonId: '0x3e7' });
    const source = new EmbeddedTelemetrySource([session, explicit, other]);

    const answer = await pivotAuthentication(alert, source, deps);

    expect(findingOf(answer, 'explicit-credentials-from-new-session')?.recordIds).toEqual([
      session.recordId,
      explicit.recordId,
    ]);
  });

  it('joins process.Ext.authentication_id to TargetLogonId as numbers', async () => {
    const withSession = makeAlert({ authenticationId: '0x16e3db3' });
    const session = logon('4624', 1, {
      type: 2,
      targetUserSid: userId,
      targetLogonId: '0x16e3db3',
    });
    const source = new EmbeddedTelemetrySource([session]);

    const answer = await pivotAuthentication(withSession, source, deps);

    expect(findingOf(answer, 'alert-session-logon')?.recordIds).toEqual([session.recordId]);
  });

  it('treats a loopback type 10 logon after the access as local', async () => {
    const loopback = logon('4624', 5, { type: 10, targetUserSid: userId, sourceIp: '127.0.0.1' });
    const remote = logon('4624', 6, { type: 10, targetUserSid: userId, sourceIp: '10.0.0.8' });
    const source = new EmbeddedTelemetrySource([loopback, remote]);

    const answer = await pivotAuthentication(alert, source, deps);

    expect(findingOf(answer, 'remote-logon-after-access')?.recordIds).toEqual([remote.recordId]);
  });
});

describe('findRelatedAlerts tactic grouping', () => {
  function relatedAlert(ruleName: string, tactics: string[]): TelemetryEvent {
    sequence += 1;
    return {
      recordId: `alerts#${sequence}`,
      timestamp: at(60),
      host: HOST,
      eventCode: '',
      category: 'alert',
      user: { id: alert.user.id },
      alert: { ruleName, tactics, userId: alert.user.id },
    };
  }

  it('reports one finding per tactic with counts', async () => {
    const events = [
      relatedAlert('LSASS Memory Dump Creation', ['Credential Access']),
      relatedAlert('Mimikatz Memory Contents', ['Credential Access']),
      relatedAlert('Lateral Tool Transfer via SMB', ['Lateral Movement']),
      relatedAlert('UAC Bypass via Event Viewer', ['Privilege Escalation']),
      relatedAlert('Encrypting Files with WinRar or 7z', ['Collection']),
      relatedAlert('Multiple Logon Failure Followed by Success', []),
      relatedAlert('Unusual Network Connection via RunDLL32', ['Defense Evasion']),
    ];
    const source = new EmbeddedTelemetrySource(events);

    const answer = await findRelatedAlerts(alert, source, { ...deps, scope: 'user' });

    const byKind = Object.fromEntries(
      answer.findings.map((item) => [item.kind, item.recordIds.length]),
    );
    expect(byKind).toEqual({
      'related-credential-access-alerts': 2,
      'related-lateral-movement-alerts': 1,
      'related-privilege-escalation-alerts': 1,
      'related-collection-alerts': 1,
      'related-suspicious-authentication-alerts': 1,
      'separate-alerts': 1,
    });
    expect(findingOf(answer, 'related-credential-access-alerts')?.summary).toMatch(
      /^2 related credential access alerts/,
    );
    expect(findingOf(answer, 'related-collection-alerts')?.isSuspicious).toBe(true);
  });
});
