import type { Alert } from '../../src/alert/alert';
import type { Answer, Finding, QuestionId } from '../../src/investigation/types';
import type { Coverage } from '../../src/telemetry/types';

/** Hand-written alert with the rule's exact tuple, overridable per test. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertId: 'alert-1',
    identitySource: 'kibana.alert.uuid',
    shape: 'elastic-alert',
    timestamp: '2021-12-07T17:33:01.600Z',
    host: { id: 'host-id-1', name: 'msedgewin10' },
    user: { id: 'S-1-5-21-1-2-3-1000', name: 'ieuser' },
    rule: {
      hostOsType: 'windows',
      eventCode: '10',
      targetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
      callTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|c:\\windows\\system32\\seclogon.dll+128f',
      processName: 'svchost.exe',
      grantedAccess: '0x14c0',
    },
    access: {
      sourceImage: 'C:\\Windows\\system32\\svchost.exe',
      sourceProcessGuid: '{747f3d96-9acd-61af-d401-000000000102}',
      targetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
      targetProcessId: 636,
      grantedAccess: '0x14c0',
      callTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|c:\\windows\\system32\\seclogon.dll+128f',
    },
    recordId: 'sysmon#1',
    ...overrides,
  };
}

export function makeFinding(kind: string, isSuspicious: boolean, subject?: string): Finding {
  return {
    kind,
    summary: `${kind} seen`,
    isSuspicious,
    fields: [`field.${kind}`],
    recordIds: [`rec#${kind}`],
    ...(subject === undefined ? {} : { subject }),
  };
}

export function makeAnswer(
  question: QuestionId,
  coverage: Coverage,
  findings: Finding[] = [],
): Answer {
  return {
    question,
    coverage,
    findings,
    querySummaries: [`${question} query`],
    ...(coverage === 'present' ? {} : { coverageNote: `${question} telemetry ${coverage}` }),
  };
}

/** Answers that satisfy every benign condition for recognised tooling entry `edr-1`. */
export function benignAnswers(): Answer[] {
  return [
    makeAnswer('Q1', 'present', [
      makeFinding('malseclogon-tuple', false),
      makeFinding('recognised-tooling', false, 'edr-1'),
    ]),
    makeAnswer('Q2', 'present', [
      makeFinding('seclogon-service-host', false, 'C:\\Windows\\System32\\svchost.exe'),
      makeFinding('recognised-initiator', false, 'edr-1'),
    ]),
    makeAnswer('Q3', 'present', [makeFinding('recognised-lineage', false)]),
    makeAnswer('Q4', 'present'),
    makeAnswer('Q5', 'present', [makeFinding('ordinary-host', false)]),
    makeAnswer('Q6', 'present'),
    makeAnswer('Q7', 'present'),
  ];
}
