import type { ApprovalRequestInput } from '../../activities/types';
import type { Answer, QuestionId } from '../../src/investigation/types';
import type { Action } from '../../src/response/types';

function answer(question: QuestionId, overrides: Partial<Answer> = {}): Answer {
  return {
    question,
    coverage: 'present',
    findings: [],
    querySummaries: [`${question} query: 0 hits`],
    ...overrides,
  };
}

/** Builds an escalate-verdict request: findings for Q1, Q2, Q4 and Q6, Q3 absent, Q7 failed. */
export function approvalInput(overrides: Partial<ApprovalRequestInput> = {}): ApprovalRequestInput {
  const allowedActions: Action[] = ['preserve', 'contain', 'isolate'];
  return {
    workflowId: 'malseclogon-4f2a9c',
    alert: {
      alertId: '4f2a9c',
      identitySource: 'kibana.alert.uuid',
      shape: 'elastic-alert',
      timestamp: '2024-05-01T10:00:00.123Z',
      host: { id: 'host-1', name: 'ws01' },
      user: { id: 'S-1-5-21-1-1001', name: 'alice', domain: 'CORP' },
      rule: { grantedAccess: '0x14c0' },
      access: {
        sourceImage: 'C:\\Windows\\System32\\svchost.exe',
        sourceProcessGuid: '{aaaa-bbbb}',
        targetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
        grantedAccess: '0x14c0',
        callTrace: 'C:\\Windows\\System32\\seclogon.dll+1a2b',
      },
    },
    answers: [
      answer('Q1', {
        findings: [
          {
            kind: 'tuple',
            summary: 'Exact MalSecLogon tuple',
            isSuspicious: true,
            fields: ['winlog.event_data.CallTrace'],
            recordIds: ['r1'],
          },
        ],
      }),
      answer('Q2', {
        findings: [
          {
            kind: 'initiator',
            summary: 'C:\\Users\\alice\\mal.exe started <1 s before',
            isSuspicious: true,
            fields: ['process.executable'],
            recordIds: ['r2'],
          },
        ],
      }),
      answer('Q3', { coverage: 'absent', coverageNote: 'no parent process events' }),
      answer('Q4', {
        findings: [
          {
            kind: 'dump-file',
            summary: 'C:\\Temp\\lsass.dmp written',
            isSuspicious: true,
            fields: ['file.path'],
            recordIds: ['r4'],
          },
        ],
      }),
      answer('Q5'),
      answer('Q6', {
        findings: [
          {
            kind: 'logon-type-9',
            summary: '4624 logon type 9 for alice',
            isSuspicious: true,
            fields: ['winlog.logon.type'],
            recordIds: ['r6'],
          },
        ],
      }),
      answer('Q7', { coverage: 'failed', coverageNote: 'alerts index timed out' }),
    ],
    verdict: {
      kind: 'escalate',
      isPrivilegedScope: false,
      reasons: [
        {
          question: 'Q1',
          effect: 'escalates',
          text: 'MalSecLogon tuple matched',
          fields: [],
          recordIds: [],
        },
        {
          question: 'Q4',
          effect: 'escalates',
          text: 'LSASS dump file written',
          fields: ['file.path'],
          recordIds: ['r4'],
        },
        {
          question: 'Q7',
          effect: 'unresolved',
          text: 'related alerts could not be read',
          fields: [],
          recordIds: [],
        },
      ],
    },
    allowedActions,
    decisionDeadline: '2024-05-01T10:30:00.000Z',
    ...overrides,
  };
}
