import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOWED_ACTIONS, checkDecisionAllowed } from '../../src/investigation/allowed-actions';
import type { Answer, QuestionId, Reason, VerdictKind } from '../../src/investigation/types';
import { reachVerdict } from '../../src/investigation/verdict';
import type { Alert } from '../../src/alert/alert';
import { benignAnswers, makeAlert, makeAnswer, makeFinding } from './builders';

interface Case {
  name: string;
  alert?: Alert;
  answers: Answer[];
  kind: VerdictKind;
  /** A reason that must be present: question, effect and, for findings, the record id. */
  reason?: { question: QuestionId; effect: Reason['effect']; recordId?: string };
  isPrivilegedScope?: boolean;
}

function replace(question: QuestionId, answer: Answer | undefined): Answer[] {
  const answers = benignAnswers().filter((item) => item.question !== question);
  return answer === undefined ? answers : [...answers, answer];
}

function addFinding(question: QuestionId, kind: string, isSuspicious = true): Answer[] {
  return benignAnswers().map((answer) =>
    answer.question === question
      ? { ...answer, findings: [...answer.findings, makeFinding(kind, isSuspicious)] }
      : answer,
  );
}

function escalation(question: QuestionId, kind: string): Case {
  return {
    name: `${question} ${kind} escalates`,
    answers: addFinding(question, kind),
    kind: 'escalate',
    reason: { question, effect: 'escalates', recordId: `rec#${kind}` },
  };
}

function gap(question: QuestionId, coverage: 'absent' | 'failed'): Case {
  return {
    name: `${question} coverage ${coverage} is unresolved`,
    answers: replace(question, makeAnswer(question, coverage)),
    kind: 'unresolved',
    reason: { question, effect: 'unresolved' },
  };
}

const unrecognisedQ1 = makeAnswer('Q1', 'present', [makeFinding('malseclogon-tuple', true)]);
const incompleteQ1 = makeAnswer('Q1', 'present', [makeFinding('tuple-incomplete', false)]);

const CASES: Case[] = [
  {
    name: 'recognised tooling with clean follow-on is benign',
    answers: benignAnswers(),
    kind: 'benign',
    reason: { question: 'Q1', effect: 'clears', recordId: 'rec#recognised-tooling' },
  },
  {
    name: 'unrecognised tuple escalates',
    answers: replace('Q1', unrecognisedQ1),
    kind: 'escalate',
    reason: { question: 'Q1', effect: 'escalates', recordId: 'rec#malseclogon-tuple' },
  },
  ...[
    'seclogon-caller',
    'lsass-clone',
    'child-of-lsass',
    'ppid-spoofed-to-lsass',
    'targets-lsass-pid',
    'malseclogon-tool',
    'dump-utility',
    'shell-started',
    'script-host-started',
    'new-binary-started',
    'first-seen-binary',
    'lsass-access',
    'source-process-not-seclogon',
  ].map((kind) => escalation('Q2', kind)),
  ...[
    'lineage-from-document',
    'lineage-from-script',
    'encoded-powershell',
    'lineage-from-remote-admin',
    'lineage-from-dump-tool',
    'user-context-mismatch',
  ].map((kind) => escalation('Q3', kind)),
  ...[
    'dump-command-line',
    'lsass-clone',
    'dump-file',
    'rapid-child-creation',
    'staged-archive',
    'dump-output-renamed',
  ].map((kind) => escalation('Q4', kind)),
  ...[
    'logon-type-9',
    'explicit-credentials',
    'remote-logon-after-access',
    'alert-session-logon',
    'alert-session-explicit-credentials',
    'process-in-new-credentials-session',
    'explicit-credentials-from-new-session',
  ].map((kind) => escalation('Q6', kind)),
  ...[
    'related-credential-access-alerts',
    'related-lateral-movement-alerts',
    'related-privilege-escalation-alerts',
    'related-collection-alerts',
    'related-suspicious-authentication-alerts',
  ].map((kind) => escalation('Q7', kind)),
  {
    name: 'workstation lowers scope, not suspicion',
    answers: [
      ...replace('Q1', unrecognisedQ1).filter((a) => a.question !== 'Q5'),
      makeAnswer('Q5', 'present', [makeFinding('ordinary-host', false)]),
    ],
    kind: 'escalate',
    reason: { question: 'Q5', effect: 'scope', recordId: 'rec#ordinary-host' },
  },
  {
    name: 'recognised lineage still needs Q4 coverage',
    answers: replace('Q4', makeAnswer('Q4', 'absent')),
    kind: 'unresolved',
    reason: { question: 'Q3', effect: 'clears', recordId: 'rec#recognised-lineage' },
  },
  {
    name: 'unknown first-seen history is unresolved',
    answers: addFinding('Q2', 'first-seen-unknown', false),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved', recordId: 'rec#first-seen-unknown' },
  },
  {
    name: 'lineage not recovered is unresolved',
    answers: replace('Q3', makeAnswer('Q3', 'present', [makeFinding('lineage-not-recovered', false)])),
    kind: 'unresolved',
    reason: { question: 'Q3', effect: 'unresolved', recordId: 'rec#lineage-not-recovered' },
  },
  {
    name: 'Q1 not answered is unresolved',
    answers: replace('Q1', undefined),
    kind: 'unresolved',
    reason: { question: 'Q1', effect: 'unresolved' },
  },
  {
    name: 'Q2 not answered is unresolved',
    answers: replace('Q2', undefined),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved' },
  },
  {
    name: 'Q3 not answered is unresolved',
    answers: replace('Q3', undefined),
    kind: 'unresolved',
    reason: { question: 'Q3', effect: 'unresolved' },
  },
  {
    name: 'seclogon service context missing is unresolved',
    answers: replace(
      'Q2',
      makeAnswer('Q2', 'present', [makeFinding('recognised-initiator', false, 'edr-1')]),
    ),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved' },
  },
  {
    name: 'privileged host escalates an incomplete tuple',
    answers: [
      ...replace('Q1', incompleteQ1).filter((a) => a.question !== 'Q5'),
      makeAnswer('Q5', 'present', [makeFinding('privileged-host', true)]),
    ],
    kind: 'escalate',
    reason: { question: 'Q5', effect: 'escalates', recordId: 'rec#privileged-host' },
    isPrivilegedScope: true,
  },
  {
    name: 'privileged account escalates an incomplete tuple',
    answers: [
      ...replace('Q1', incompleteQ1).filter((a) => a.question !== 'Q5'),
      makeAnswer('Q5', 'present', [makeFinding('privileged-account', true)]),
    ],
    kind: 'escalate',
    reason: { question: 'Q5', effect: 'escalates' },
    isPrivilegedScope: true,
  },
  {
    name: 'privileged host with recognised tooling only marks scope',
    answers: replace('Q5', makeAnswer('Q5', 'present', [makeFinding('privileged-host', true)])),
    kind: 'benign',
    reason: { question: 'Q5', effect: 'scope' },
    isPrivilegedScope: true,
  },
  gap('Q2', 'absent'),
  gap('Q2', 'failed'),
  gap('Q3', 'absent'),
  gap('Q3', 'failed'),
  gap('Q4', 'absent'),
  gap('Q4', 'failed'),
  gap('Q6', 'absent'),
  gap('Q6', 'failed'),
  gap('Q7', 'absent'),
  gap('Q7', 'failed'),
  {
    name: 'Q4 not answered is unresolved',
    answers: replace('Q4', undefined),
    kind: 'unresolved',
    reason: { question: 'Q4', effect: 'unresolved' },
  },
  {
    name: 'Q6 not answered is unresolved',
    answers: replace('Q6', undefined),
    kind: 'unresolved',
    reason: { question: 'Q6', effect: 'unresolved' },
  },
  {
    name: 'Q7 not answered is unresolved',
    answers: replace('Q7', undefined),
    kind: 'unresolved',
    reason: { question: 'Q7', effect: 'unresolved' },
  },
  {
    name: 'incomplete tuple alone is unresolved',
    answers: replace('Q1', incompleteQ1),
    kind: 'unresolved',
    reason: { question: 'Q1', effect: 'unresolved', recordId: 'rec#tuple-incomplete' },
  },
  {
    name: 'initiator not recovered is unresolved',
    answers: replace(
      'Q2',
      makeAnswer('Q2', 'present', [
        makeFinding('seclogon-service-host', false),
        makeFinding('initiator-not-recovered', false),
      ]),
    ),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved', recordId: 'rec#initiator-not-recovered' },
  },
  {
    name: 'source process not found is unresolved',
    answers: replace(
      'Q2',
      makeAnswer('Q2', 'present', [
        makeFinding('source-process-not-found', false),
        makeFinding('recognised-initiator', false, 'edr-1'),
      ]),
    ),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved' },
  },
  {
    name: 'initiator of another entry is unresolved',
    answers: replace(
      'Q2',
      makeAnswer('Q2', 'present', [
        makeFinding('seclogon-service-host', false),
        makeFinding('recognised-initiator', false, 'other-entry'),
      ]),
    ),
    kind: 'unresolved',
    reason: { question: 'Q2', effect: 'unresolved' },
  },
  {
    name: 'alert without host.id is unresolved',
    alert: makeAlert({ host: { name: 'msedgewin10' } }),
    answers: benignAnswers(),
    kind: 'unresolved',
    reason: { question: 'Q1', effect: 'unresolved' },
  },
  {
    name: 'alert without user.id is unresolved',
    alert: makeAlert({ user: {} }),
    answers: benignAnswers(),
    kind: 'unresolved',
    reason: { question: 'Q1', effect: 'unresolved' },
  },
  {
    name: 'Q5 absent keeps benign',
    answers: replace('Q5', makeAnswer('Q5', 'absent')),
    kind: 'benign',
    reason: { question: 'Q5', effect: 'scope' },
  },
  {
    name: 'remote logon before the access keeps benign',
    answers: addFinding('Q6', 'remote-logon-before-access', false),
    kind: 'benign',
    reason: { question: 'Q6', effect: 'scope' },
  },
  {
    name: 'runas type 2 seclogon logon keeps benign',
    answers: addFinding('Q6', 'seclogon-interactive-logon', false),
    kind: 'benign',
    reason: { question: 'Q6', effect: 'scope' },
  },
  {
    name: 'separate alerts keep benign',
    answers: addFinding('Q7', 'separate-alerts', false),
    kind: 'benign',
    reason: { question: 'Q7', effect: 'clears' },
  },
  {
    name: 'repeat alerts of this rule keep benign',
    answers: addFinding('Q7', 'same-rule-alerts', false),
    kind: 'benign',
    reason: { question: 'Q7', effect: 'scope' },
  },
  {
    name: 'clean Q4 clears with coverage present',
    answers: benignAnswers(),
    kind: 'benign',
    reason: { question: 'Q4', effect: 'clears' },
  },
  {
    name: 'clean Q6 clears with coverage present',
    answers: benignAnswers(),
    kind: 'benign',
    reason: { question: 'Q6', effect: 'clears' },
  },
  {
    name: 'escalation wins over a coverage gap',
    answers: [
      ...replace('Q4', makeAnswer('Q4', 'failed')).filter((a) => a.question !== 'Q6'),
      makeAnswer('Q6', 'present', [makeFinding('logon-type-9', true)]),
    ],
    kind: 'escalate',
    reason: { question: 'Q4', effect: 'unresolved' },
  },
  {
    name: 'dump file escalates even with file coverage absent',
    answers: replace('Q4', makeAnswer('Q4', 'absent', [makeFinding('dump-command-line', true)])),
    kind: 'escalate',
    reason: { question: 'Q4', effect: 'escalates' },
  },
];

describe('reachVerdict', () => {
  it('covers at least forty cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name', (testCase) => {
    const verdict = reachVerdict(testCase.alert ?? makeAlert(), testCase.answers);

    expect(verdict.kind).toBe(testCase.kind);
    if (testCase.reason !== undefined) {
      const { question, effect, recordId } = testCase.reason;
      const matching = verdict.reasons.filter(
        (reason) => reason.question === question && reason.effect === effect,
      );
      expect(matching.length).toBeGreaterThan(0);
      if (recordId !== undefined)
        expect(matching.flatMap((reason) => reason.recordIds)).toContain(recordId);
    }
    expect(verdict.isPrivilegedScope).toBe(testCase.isPrivilegedScope ?? false);
  });

  it('names fields on every finding reason', () => {
    const verdict = reachVerdict(makeAlert(), addFinding('Q4', 'dump-file'));

    const reason = verdict.reasons.find((item) => item.recordIds.includes('rec#dump-file'));
    expect(reason?.fields).toEqual(['field.dump-file']);
  });

  it('names the question fields on coverage reasons', () => {
    const verdict = reachVerdict(makeAlert(), replace('Q6', makeAnswer('Q6', 'failed')));

    const reason = verdict.reasons.find(
      (item) => item.question === 'Q6' && item.effect === 'unresolved',
    );
    expect(reason?.fields).toContain('winlog.logon.type');
    expect(reason?.fields).toContain('winlog.event_data.TargetLogonId');
  });

  it('returns the same verdict for shuffled answers', () => {
    const answers = addFinding('Q6', 'logon-type-9');

    expect(reachVerdict(makeAlert(), [...answers].reverse())).toEqual(
      reachVerdict(makeAlert(), answers),
    );
  });
});

const COVERAGES = ['present', 'absent', 'failed'] as const;
const KINDS = [
  'malseclogon-tuple',
  'recognised-tooling',
  'seclogon-service-host',
  'recognised-initiator',
  'dump-file',
  'logon-type-9',
  'ordinary-host',
  'separate-alerts',
];
const QUESTIONS: QuestionId[] = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7'];

const findingArbitrary = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    isSuspicious: fc.boolean(),
    subject: fc.option(fc.constantFrom('edr-1', 'other'), { nil: undefined }),
  })
  .map(({ kind, isSuspicious, subject }) => makeFinding(kind, isSuspicious, subject));

const answerArbitrary = (question: QuestionId) =>
  fc
    .record({
      coverage: fc.constantFrom(...COVERAGES),
      findings: fc.array(findingArbitrary, { maxLength: 4 }),
    })
    .map(({ coverage, findings }) => makeAnswer(question, coverage, findings));

describe('reachVerdict invariants', () => {
  it('never returns benign when Q4 or Q6 coverage is absent or failed', () => {
    fc.assert(
      fc.property(
        fc.tuple(...QUESTIONS.map(answerArbitrary)),
        fc.constantFrom<QuestionId>('Q4', 'Q6'),
        fc.constantFrom('absent', 'failed' as const),
        fc.boolean(),
        (answers, gapQuestion, gapCoverage, dropAnswer) => {
          const withGap = answers
            .filter((answer) => !(dropAnswer && answer.question === gapQuestion))
            .map((answer) =>
              answer.question === gapQuestion ? { ...answer, coverage: gapCoverage } : answer,
            );
          return reachVerdict(makeAlert(), withGap).kind !== 'benign';
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never returns benign from otherwise benign answers with a telemetry gap', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<QuestionId>('Q1', 'Q2', 'Q3', 'Q4', 'Q6', 'Q7'),
        fc.constantFrom('absent', 'failed' as const),
        (question, coverage) => {
          const answers = benignAnswers().map((answer) =>
            answer.question === question ? { ...answer, coverage } : answer,
          );
          return reachVerdict(makeAlert(), answers).kind === 'unresolved';
        },
      ),
    );
  });
});

describe('checkDecisionAllowed', () => {
  it('rejects isolate on a benign verdict', () => {
    expect(checkDecisionAllowed('benign', { action: 'isolate' })).toMatch(/not allowed/);
  });

  it('rejects close-benign on unresolved without a confirmation comment', () => {
    expect(
      checkDecisionAllowed('unresolved', { action: 'close-benign', comment: 'looks fine' }),
    ).toMatch(/confirmed/);
  });

  it('accepts close-benign on unresolved with a confirmation comment', () => {
    expect(
      checkDecisionAllowed('unresolved', {
        action: 'close-benign',
        comment: 'Confirmed by IR lead, test plan TP-12',
      }),
    ).toBeUndefined();
  });

  it('offers no close-benign on an escalate verdict', () => {
    expect(ALLOWED_ACTIONS.escalate).not.toContain('close-benign');
  });
});
