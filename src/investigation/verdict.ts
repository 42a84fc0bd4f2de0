import type { Alert } from '../alert/alert';
import type { Answer, Finding, QuestionId, Reason, Verdict } from './types';

/** Non-suspicious finding kinds that clear their question. */
const CLEARING_KINDS = new Set([
  'recognised-tooling',
  'recognised-initiator',
  'recognised-lineage',
  'seclogon-service-host',
]);

/** Non-suspicious finding kinds that leave the investigation open. */
const UNRESOLVED_KINDS = new Set([
  'tuple-incomplete',
  'host-id-missing',
  'user-id-missing',
  'source-process-not-found',
  'initiator-not-recovered',
  'lineage-not-recovered',
  'first-seen-unknown',
  'query-capped',
]);

/** Questions whose telemetry a benign verdict needs; Q5 reads the inventory, not telemetry. */
const REQUIRED_FOR_BENIGN: QuestionId[] = ['Q1', 'Q2', 'Q3', 'Q4', 'Q6', 'Q7'];

const CLEAR_WHEN_EMPTY: Partial<Record<QuestionId, string>> = {
  Q4: 'No dump artifacts in process and file telemetry, with both present.',
  Q6: 'No NewCredentials logon, explicit-credential use or remote logon after the access, with authentication telemetry present.',
  Q7: 'No related credential-abuse alerts, with the alert store present.',
};

const ORDER: QuestionId[] = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7'];

/** The fields each question reads, named by reasons that rest on coverage rather than records. */
const QUESTION_FIELDS: Record<QuestionId, string[]> = {
  Q1: [
    'winlog.event_data.TargetImage',
    'winlog.event_data.CallTrace',
    'winlog.event_data.GrantedAccess',
    'winlog.event_data.SourceImage',
    'winlog.event_data.SourceProcessGUID',
    'host.id',
  ],
  Q2: [
    'event.category',
    'host.id',
    'process.entity_id',
    'process.executable',
    'process.command_line',
  ],
  Q3: [
    'process.command_line',
    'process.parent.executable',
    'process.parent.command_line',
    'process.Ext.ancestry',
    'user.id',
  ],
  Q4: ['process.command_line', 'process.executable', 'file.path', 'file.name'],
  Q5: ['host.name', 'user.id', 'user.name', 'user.domain'],
  Q6: [
    'winlog.event_id',
    'winlog.logon.type',
    'winlog.event_data.TargetLogonId',
    'winlog.event_data.SubjectLogonId',
    'source.ip',
  ],
  Q7: ['event.kind', 'user.id', 'host.id'],
};

/**
 * Decides the verdict from the answers, deterministically and without I/O.
 *
 * - escalate: any finding supports unauthorised handle leakage. A privileged host or account
 *   (Q5) escalates too, unless Q1 matched recognised tooling, where it only marks the scope.
 * - benign: only when Q1 matched a recognised tooling entry on the exact tuple, host.id and
 *   user.id, Q2 confirmed the seclogon service host and recovered that entry's process
 *   identity, and Q1–Q4, Q6 and Q7 were answered with coverage present and nothing suspicious.
 * - unresolved: everything else. Absent or failed coverage on any telemetry question, or a
 *   question left unanswered, therefore never yields benign.
 */
export function reachVerdict(alert: Alert, answers: Answer[]): Verdict {
  const sorted = [...answers].sort((a, b) => ORDER.indexOf(a.question) - ORDER.indexOf(b.question));
  const findings = sorted.flatMap((answer) =>
    answer.findings.map((item) => ({ question: answer.question, item })),
  );
  const recognisedIds = subjectsOf(sorted, 'Q1', 'recognised-tooling');
  const isRecognised = recognisedIds.length > 0;
  const isPrivilegedScope = findings.some(
    ({ question, item }) => question === 'Q5' && item.isSuspicious,
  );

  const reasons: Reason[] = [];
  for (const answer of sorted) reasons.push(...reasonsFor(answer, isRecognised));
  for (const question of REQUIRED_FOR_BENIGN) {
    if (!sorted.some((answer) => answer.question === question)) {
      reasons.push({
        question,
        effect: 'unresolved',
        text: `${question} was not answered.`,
        fields: QUESTION_FIELDS[question],
        recordIds: [],
      });
    }
  }

  if (reasons.some((reason) => reason.effect === 'escalates'))
    return { kind: 'escalate', reasons, isPrivilegedScope };
  const gaps = benignGaps(alert, sorted, recognisedIds);
  reasons.push(...gaps);
  const isBenign = gaps.length === 0 && !reasons.some((reason) => reason.effect === 'unresolved');
  return { kind: isBenign ? 'benign' : 'unresolved', reasons, isPrivilegedScope };
}

function reasonsFor(answer: Answer, isRecognised: boolean): Reason[] {
  const { question } = answer;
  const reasons: Reason[] = [];
  if (answer.coverage !== 'present') {
    reasons.push({
      question,
      effect: question === 'Q5' ? 'scope' : 'unresolved',
      text: `${question} coverage ${answer.coverage}: ${answer.coverageNote ?? 'no reason recorded'}.`,
      fields: QUESTION_FIELDS[question],
      recordIds: [],
    });
  }
  for (const item of answer.findings) {
    const effect = effectOf(question, item, isRecognised);
    if (effect !== undefined)
      reasons.push({
        question,
        effect,
        text: item.summary,
        fields: item.fields,
        recordIds: item.recordIds,
      });
  }
  const clearText = CLEAR_WHEN_EMPTY[question];
  if (
    answer.coverage === 'present' &&
    clearText !== undefined &&
    !answer.findings.some((item) => item.isSuspicious)
  ) {
    reasons.push({
      question,
      effect: 'clears',
      text: clearText,
      fields: QUESTION_FIELDS[question],
      recordIds: [],
    });
  }
  return reasons;
}

function effectOf(
  question: QuestionId,
  item: Finding,
  isRecognised: boolean,
): Reason['effect'] | undefined {
  if (item.isSuspicious) return question === 'Q5' && isRecognised ? 'scope' : 'escalates';
  if (CLEARING_KINDS.has(item.kind)) return 'clears';
  if (UNRESOLVED_KINDS.has(item.kind)) return 'unresolved';
  return 'scope';
}

/** Lists what a benign verdict still lacks, as unresolved reasons. */
function benignGaps(alert: Alert, answers: Answer[], recognisedIds: string[]): Reason[] {
  const gap = (question: QuestionId, text: string, fields: string[]): Reason => ({
    question,
    effect: 'unresolved',
    text,
    fields,
    recordIds: [],
  });
  const gaps: Reason[] = [];
  if (alert.host.id === undefined)
    gaps.push(gap('Q1', 'Benign needs host.id, and the alert has none.', ['host.id']));
  if (alert.user.id === undefined)
    gaps.push(gap('Q1', 'Benign needs user.id, and the alert has none.', ['user.id']));
  if (recognisedIds.length === 0) {
    gaps.push(
      gap(
        'Q1',
        'No recognised security product or authorised test names this exact tuple, host and user.',
        [
          'winlog.event_data.SourceImage',
          'winlog.event_data.CallTrace',
          'winlog.event_data.GrantedAccess',
        ],
      ),
    );
    return gaps;
  }
  if (!hasKind(answers, 'Q2', 'seclogon-service-host')) {
    gaps.push(
      gap(
        'Q2',
        'The seclogon service context (svchost.exe -s seclogon for SourceProcessGUID) is not confirmed.',
        ['process.entity_id', 'process.command_line'],
      ),
    );
  }
  const initiators = subjectsOf(answers, 'Q2', 'recognised-initiator');
  if (!initiators.some((id) => recognisedIds.includes(id))) {
    gaps.push(
      gap('Q2', 'The recovered process identity does not match the recognised tooling entry.', [
        'process.executable',
      ]),
    );
  }
  return gaps;
}

function hasKind(answers: Answer[], question: QuestionId, kind: string): boolean {
  return answers.some(
    (answer) => answer.question === question && answer.findings.some((item) => item.kind === kind),
  );
}

function subjectsOf(answers: Answer[], question: QuestionId, kind: string): string[] {
  return answers
    .filter((answer) => answer.question === question)
    .flatMap((answer) => answer.findings)
    .filter((item) => item.kind === kind && item.subject !== undefined)
    .map((item) => item.subject as string);
}
