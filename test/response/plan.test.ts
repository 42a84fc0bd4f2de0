import { describe, expect, it } from 'vitest';
import { planResponse, recoveredIdentity, recoveredTool } from '../../src/response/plan';
import { ACTIONS, TWO_PERSON_ACTIONS, type Action, type Decision } from '../../src/response/types';
import {
  TOOL_ENTITY_ID,
  TOOL_EXECUTABLE,
  answer,
  finding,
  sampleAlert,
  suspiciousLocalAnswers,
} from '../fakes/response';

function decision(action: Action): Decision {
  return {
    action,
    decidedBy: 'alice',
    decidedAt: '2024-05-02T10:30:00.000Z',
    channel: 'cli',
    comment: 'checked',
  };
}

const alert = sampleAlert();

describe('planResponse', () => {
  it.each([
    ['preserve', ['preserve-evidence', 'escalate']],
    ['contain', ['preserve-evidence', 'suspend-process', 'limit-user']],
    ['isolate', ['preserve-evidence', 'isolate-host', 'contain-account']],
    ['close-benign', ['reverse-containment', 'close-alert']],
    ['exception', ['reverse-containment', 'close-alert', 'create-exception']],
  ] as const)('orders the steps for %s', (action, steps) => {
    const plan = planResponse(alert, suspiciousLocalAnswers(), decision(action));

    expect(plan.map((request) => request.step)).toEqual(steps);
  });

  it('keys each step by alert id and step name', () => {
    const plan = planResponse(alert, suspiciousLocalAnswers(), decision('contain'));

    expect(plan.map((request) => request.idempotencyKey)).toEqual([
      'alert-0001:preserve-evidence',
      'alert-0001:suspend-process',
      'alert-0001:limit-user',
    ]);
  });

  it('preserves the alert, the service process and the evidence records', () => {
    const answers = [
      answer('Q2', { findings: [finding({ recordIds: ['proc-1'] })] }),
      answer('Q3', { findings: [finding({ kind: 'lineage', recordIds: ['cmd-1'] })] }),
      answer('Q4', { findings: [finding({ kind: 'dump-file', recordIds: ['file-1', 'file-2'] })] }),
      answer('Q6', { findings: [finding({ kind: 'logon-type-9', recordIds: ['auth-1'] })] }),
    ];

    const [preserve] = planResponse(alert, answers, decision('preserve'));

    expect(preserve?.target).toEqual({ hostName: 'ws-042', hostId: 'host-1' });
    expect(preserve?.parameters).toMatchObject({
      alert: { alertId: 'alert-0001', timestamp: alert.timestamp },
      sourceService: {
        processGuid: alert.access.sourceProcessGuid,
        image: alert.access.sourceImage,
      },
      processStartRecordIds: ['proc-1'],
      commandLineRecordIds: ['cmd-1'],
      dumpArtifactRecordIds: ['file-1', 'file-2'],
      authenticationRecordIds: ['auth-1'],
    });
  });

  it('suspends the recovered tool, never the service host', () => {
    const answers = [
      answer('Q2', {
        findings: [
          finding({
            kind: 'seclogon-service-host',
            subject: 'C:\\Windows\\System32\\svchost.exe',
            isSuspicious: false,
            entityId: '{aaaaaaaa-0000-0000-0000-000000000001}',
            pid: 812,
          }),
          finding({ kind: 'seclogon-caller', subject: TOOL_EXECUTABLE }),
        ],
      }),
    ];

    const suspend = planResponse(alert, answers, decision('contain')).find(
      (request) => request.step === 'suspend-process',
    );

    expect(suspend?.target.executable).toBe(TOOL_EXECUTABLE);
    expect(suspend?.parameters.skipReason).toBeUndefined();
    expect(suspend?.parameters.entity_id).toBe(TOOL_ENTITY_ID);
    expect(suspend?.parameters.pid).toBe(6072);
  });

  it('skips suspension when the tool has no entity id', () => {
    const answers = [
      answer('Q2', {
        findings: [finding({ kind: 'seclogon-caller', entityId: undefined, pid: 6072 })],
      }),
    ];

    const suspend = planResponse(alert, answers, decision('contain')).find(
      (request) => request.step === 'suspend-process',
    );

    expect(suspend?.parameters.skipReason).toMatch(/no process\.entity_id for the recovered tool/);
    expect(suspend?.parameters.entity_id).toBeUndefined();
    expect(suspend?.target.executable).toBe(TOOL_EXECUTABLE);
  });

  it('suspends the tool finding that names an entity id', () => {
    const answers = [
      answer('Q2', {
        findings: [
          finding({ kind: 'malseclogon-tool', subject: 'C:\\Tools\\MalSecLogon.exe', entityId: undefined }),
          finding({ kind: 'ppid-spoofed-to-lsass', subject: TOOL_EXECUTABLE }),
        ],
      }),
    ];

    const suspend = planResponse(alert, answers, decision('contain')).find(
      (request) => request.step === 'suspend-process',
    );

    expect(suspend?.target.executable).toBe(TOOL_EXECUTABLE);
    expect(suspend?.parameters.entity_id).toBe(TOOL_ENTITY_ID);
  });

  it('lists the dump file paths Q4 found for preservation', () => {
    const answers = [
      answer('Q4', {
        findings: [
          finding({ kind: 'dump-file', filePaths: ['C:\\Temp\\lsass.dmp'] }),
          finding({ kind: 'dump-output-renamed', filePaths: ['C:\\Temp\\notes.txt', 'C:\\Temp\\lsass.dmp'] }),
          finding({ kind: 'staged-archive', filePaths: ['C:\\Temp\\out.zip'] }),
        ],
      }),
    ];

    const [preserve] = planResponse(alert, answers, decision('preserve'));

    expect(preserve?.parameters.dumpArtifactPaths).toEqual(['C:\\Temp\\lsass.dmp', 'C:\\Temp\\notes.txt']);
  });

  it('skips suspension when no non-system tool was recovered', () => {
    const answers = [
      answer('Q2', {
        findings: [
          finding({ kind: 'seclogon-service-host', subject: 'C:\\Windows\\System32\\svchost.exe' }),
        ],
      }),
    ];

    const suspend = planResponse(alert, answers, decision('contain')).find(
      (request) => request.step === 'suspend-process',
    );

    expect(suspend?.target.executable).toBeUndefined();
    expect(suspend?.parameters.skipReason).toMatch(/no non-system tool/);
  });

  it('skips user steps when the alert has no user.id', () => {
    const plan = planResponse(
      sampleAlert({ user: { name: 'bob' } }),
      suspiciousLocalAnswers(),
      decision('isolate'),
    );

    const account = plan.find((request) => request.step === 'contain-account');
    expect(account?.parameters.skipReason).toMatch(/no user.id/);
  });

  it('reverses every containment step of the same alert', () => {
    const [reverse] = planResponse(alert, [], decision('close-benign'));

    expect(reverse?.parameters.reverseIdempotencyKeys).toEqual([
      'alert-0001:suspend-process',
      'alert-0001:limit-user',
      'alert-0001:isolate-host',
      'alert-0001:contain-account',
    ]);
  });

  it('names exactly the six tuple fields in an exception', () => {
    const plan = planResponse(alert, suspiciousLocalAnswers(), decision('exception'));

    const exception = plan.find((request) => request.step === 'create-exception');
    expect(exception?.target).toEqual({
      sourceImage: alert.access.sourceImage,
      callTrace: alert.access.callTrace,
      grantedAccess: '0x14c0',
      processIdentity: TOOL_EXECUTABLE,
      userId: alert.user.id,
      hostId: alert.host.id,
    });
  });
});

describe('TWO_PERSON_ACTIONS', () => {
  it.each(ACTIONS)('matches the plan of %s', (action) => {
    const plan = planResponse(alert, suspiciousLocalAnswers(), decision(action));

    const isolatesOrContainsAccount = plan.some(
      (request) => request.step === 'isolate-host' || request.step === 'contain-account',
    );
    expect(TWO_PERSON_ACTIONS.includes(action)).toBe(isolatesOrContainsAccount);
  });
});

describe('recovered process selection', () => {
  it('prefers a suspicious tool over a quiet one', () => {
    const answers = [
      answer('Q2', {
        findings: [
          finding({
            kind: 'new-binary-started',
            subject: 'C:\\Temp\\updater.exe',
            isSuspicious: false,
          }),
          finding({
            kind: 'dump-utility',
            subject: 'C:\\Temp\\procdump64.exe',
            isSuspicious: true,
          }),
        ],
      }),
    ];

    expect(recoveredTool(answers)).toBe('C:\\Temp\\procdump64.exe');
  });

  it('ignores lsass.exe in any case and path', () => {
    const answers = [
      answer('Q2', {
        findings: [finding({ kind: 'lsass-clone', subject: 'c:\\WINDOWS\\System32\\LSASS.EXE' })],
      }),
    ];

    expect(recoveredTool(answers)).toBeUndefined();
  });

  it('uses the recognised tooling id as the exception identity', () => {
    const answers = [
      answer('Q2', {
        findings: [
          finding({
            kind: 'recognised-initiator',
            subject: 'edr-sensor-2024',
            isSuspicious: false,
          }),
        ],
      }),
    ];

    expect(recoveredIdentity(answers)).toBe('edr-sensor-2024');
    expect(recoveredTool(answers)).toBeUndefined();
  });
});
