/**
 * Builders for replies in the approval message's thread: the full evidence, step progress and
 * the outcome. Pure functions; the step and outcome texts are plain strings so a workflow can
 * pass them to the `postThreadReply` activity.
 */
import type { types } from '@slack/bolt';
import type { ApprovalRequestInput } from '../../activities/types';
import type { ResponseResult } from '../../workflows/messages';
import type { Finding } from '../investigation/types';
import type { StepResult } from '../response/types';
import type { SlackMessage } from './blocks';
import { QUESTION_TITLES } from './blocks';
import { ACTION_LABELS, LIMITS, escapeMrkdwn, formatActor, inlineCode, truncate } from './mrkdwn';

const STEP_OUTCOME_EMOJI: Readonly<Record<StepResult['outcome'], string>> = {
  done: ':white_check_mark:',
  skipped: ':heavy_minus_sign:',
  failed: ':x:',
};

/**
 * Builds the evidence reply: for each question, its coverage, the coverage note, every finding
 * with the fields and record ids behind it, and the queries that ran. Each question gets its own
 * section so one long answer cannot push the others past Slack's 3,000-character section limit.
 */
export function buildEvidenceReply(input: ApprovalRequestInput): SlackMessage {
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*Evidence for ${escapeMrkdwn(input.alert.alertId)}*` },
    },
  ];
  for (const answer of input.answers) {
    const lines = [
      `*${answer.question} ${QUESTION_TITLES[answer.question]}* · coverage *${answer.coverage}*`,
    ];
    if (answer.coverageNote !== undefined) lines.push(`_${escapeMrkdwn(answer.coverageNote)}_`);
    lines.push(...answer.findings.map(describeFinding));
    if (answer.findings.length === 0) lines.push('• no findings');
    lines.push(...answer.querySummaries.map((summary) => `◦ query: ${escapeMrkdwn(summary)}`));
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(lines.join('\n'), LIMITS.sectionChars) },
    });
  }

  const text = `Evidence for ${input.alert.alertId}: ${input.answers.length} questions answered.`;
  return { text, blocks };
}

/** Formats one response step's result as a thread reply line. */
export function formatStepProgress(result: StepResult): string {
  const detail =
    result.detail.trim() === '' ? '' : `: ${escapeMrkdwn(truncate(result.detail, 500))}`;
  const emoji = STEP_OUTCOME_EMOJI[result.outcome];
  return `${emoji} ${inlineCode(result.step)} ${result.outcome}${detail}`;
}

/** Formats the final outcome of a response run as a thread reply. */
export function formatOutcome(result: ResponseResult): string {
  const failedSteps = result.steps
    .filter((step) => step.outcome === 'failed')
    .map((step) => inlineCode(step.step));
  const { action, decidedBy } = result.decision;
  const decision = `${ACTION_LABELS[action]} by ${formatActor(decidedBy)}`;
  const steps = `${result.steps.length} steps`;
  if (result.outcome === 'completed')
    return `*Response completed.* ${decision}; ${steps}, none failed.`;
  return (
    `*Response completed with failures.* ${decision}; ${steps}, failed: ` +
    `${failedSteps.join(', ')}. A responder must finish these by hand.`
  );
}

function describeFinding(finding: Finding): string {
  const marker = finding.isSuspicious ? ':warning: ' : '';
  const fields =
    finding.fields.length === 0 ? '' : ` (fields: ${finding.fields.map(escapeMrkdwn).join(', ')})`;
  const records =
    finding.recordIds.length === 0
      ? ''
      : ` [records: ${finding.recordIds.map(escapeMrkdwn).join(', ')}]`;
  return `• ${marker}${escapeMrkdwn(finding.summary)}${fields}${records}`;
}
