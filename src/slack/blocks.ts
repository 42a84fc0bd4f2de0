/**
 * Block Kit builders for the approval message and its decided form. Pure functions: they read
 * only their arguments, so tests can check the payload without Slack.
 */
import type { types } from '@slack/bolt';
import type { ApprovalRequestInput } from '../../activities/types';
import type { Answer, QuestionId, Reason, Verdict } from '../investigation/types';
import type { PendingApproval } from '../../workflows/messages';
import type { Decision } from '../response/types';
import { buildDecisionButtons } from './buttons';
import { BLOCK_IDS } from './ids';
import { ACTION_LABELS, LIMITS, bulletList, escapeMrkdwn, formatActor, inlineCode } from './mrkdwn';
import { plainTime, slackDate, truncate } from './mrkdwn';

/** A message as `chat.postMessage` and `chat.update` take it: blocks plus the notification text. */
export interface SlackMessage {
  /** Fallback for notifications and clients that cannot render blocks. */
  text: string;
  blocks: (types.KnownBlock | types.Block)[];
}

/** Base URLs for links in the approval message; each link is left out when its URL is unset. */
export interface ApprovalLinks {
  /** Kibana base URL, e.g. `https://kibana.example.com`. */
  kibanaUrl?: string;
  /** Temporal Web UI base URL, e.g. `http://127.0.0.1:8233`. */
  temporalUiUrl?: string;
  /** @default 'default' */
  temporalNamespace?: string;
}

/** Short titles of the investigation questions, keyed by question id. */
export const QUESTION_TITLES: Readonly<Record<QuestionId, string>> = {
  Q1: 'Rule tuple',
  Q2: 'Source process and initiator',
  Q3: 'Lineage and session',
  Q4: 'Dump artifacts',
  Q5: 'Host and account impact',
  Q6: 'Follow-on logons',
  Q7: 'Related alerts',
};

const QUESTION_IDS: readonly QuestionId[] = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7'];

const VERDICT_SENTENCES: Readonly<Record<Verdict['kind'], string>> = {
  escalate: 'At least one question supports unauthorised handle leakage.',
  unresolved:
    'Evidence is mixed or missing, so the alert cannot be cleared: preserve and escalate.',
  benign:
    'Every check matches a recognised security product or authorised test, with telemetry present.',
};

const EFFECT_ORDER: Reason['effect'][] = ['escalates', 'unresolved', 'scope', 'clears'];

/**
 * Builds the approval request: header, what happened, verdict with one line per question,
 * evidence summary, deadline and safe default, links, and one button per allowed action.
 * Throws when the workflow id lacks the product prefix, because the buttons could not be decoded.
 */
export function buildApprovalMessage(
  input: ApprovalRequestInput,
  links: ApprovalLinks = {},
): SlackMessage {
  const { alert, verdict } = input;
  const user = formatUser(alert.user);
  const header = `MalSecLogon on ${alert.host.name} · ${user} · ${plainTime(alert.timestamp)}`;

  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      block_id: BLOCK_IDS.header,
      text: { type: 'plain_text', text: truncate(header, LIMITS.headerChars) },
    },
    section(BLOCK_IDS.summary, describeAccess(input)),
    section(BLOCK_IDS.verdict, describeVerdict(verdict)),
    section(
      BLOCK_IDS.questions,
      QUESTION_IDS.map((id) => describeQuestion(id, input.answers, verdict)).join('\n'),
    ),
    section(BLOCK_IDS.evidence, summariseEvidence(input)),
    section(
      BLOCK_IDS.deadline,
      `*Deadline:* ${slackDate(input.decisionDeadline)}. Without a decision by then, ` +
        `the safe default applies: *${ACTION_LABELS.preserve}*, with no containment.`,
    ),
  ];
  const linkLine = buildLinks(input, links);
  if (linkLine !== undefined) {
    const elements = [{ type: 'mrkdwn' as const, text: linkLine }];
    blocks.push({ type: 'context', block_id: BLOCK_IDS.links, elements });
  }
  const buttons = buildDecisionButtons(input.workflowId, input.allowedActions, verdict.kind);
  if (buttons.length > 0) {
    blocks.push({ type: 'actions', block_id: BLOCK_IDS.actions, elements: buttons });
  }

  const text =
    `${header}: verdict ${verdict.kind}. Decide by ${plainTime(input.decisionDeadline)}; ` +
    `the default is ${ACTION_LABELS.preserve.toLowerCase()}.`;
  return { text: truncate(text, LIMITS.fallbackTextChars), blocks };
}

/**
 * Builds the decided form of an approval message: the original blocks without the buttons,
 * followed by the decision, who made it, when, and the comment. `originalBlocks` are the blocks
 * Slack returns for the message; when they are unknown, only the decision is shown.
 */
export function buildDecidedMessage(
  originalBlocks: types.Block[] | undefined,
  decision: Decision,
): SlackMessage {
  const replacedIds: (string | undefined)[] = [
    BLOCK_IDS.actions,
    BLOCK_IDS.pending,
    BLOCK_IDS.decision,
  ];
  const keptBlocks = (originalBlocks ?? []).filter(
    (block) => !replacedIds.includes(block.block_id),
  );
  const label = ACTION_LABELS[decision.action];
  const actor = formatActor(decision.decidedBy);
  const lines = [
    `*Decision: ${label}* by ${actor} at ${slackDate(decision.decidedAt)} ` +
      `(via ${decision.channel})`,
  ];
  if (decision.comment !== undefined && decision.comment.trim() !== '') {
    lines.push(quote(decision.comment));
  }
  if (decision.confirmedBy !== undefined) {
    const confirmedAt = decision.confirmedAt ?? decision.decidedAt;
    lines.push(
      `*Confirmed* by ${formatActor(decision.confirmedBy)} at ${slackDate(confirmedAt)} ` +
        `(via ${decision.confirmationChannel ?? decision.channel}; two-person rule)`,
    );
    if (decision.confirmationComment !== undefined) lines.push(quote(decision.confirmationComment));
  }

  const confirmer =
    decision.confirmedBy === undefined ? '' : `, confirmed by ${decision.confirmedBy}`;
  const text =
    `Decided: ${label} by ${decision.decidedBy}${confirmer} at ` + plainTime(decision.decidedAt);
  return {
    text: truncate(text, LIMITS.fallbackTextChars),
    blocks: [...keptBlocks, section(BLOCK_IDS.decision, lines.join('\n'))],
  };
}

/**
 * Builds the approval message while a first approval waits for its confirmation: the original
 * blocks, buttons included so that a second approver can confirm, with a line above the buttons
 * naming the action, who chose it and when. Repeating it with the same approval changes nothing.
 */
export function buildPendingApprovalMessage(
  originalBlocks: types.Block[] | undefined,
  pending: PendingApproval,
): SlackMessage {
  const label = ACTION_LABELS[pending.action];
  const lines = [
    `*Awaiting second approver:* *${label}* chosen by ${formatActor(pending.approver)} at ` +
      `${slackDate(pending.approvedAt)} (via ${pending.channel}). The host or account is ` +
      `privileged, so a different approver must click *${label}* to confirm it.`,
  ];
  if (pending.comment !== undefined) lines.push(quote(pending.comment));
  const pendingBlock = section(BLOCK_IDS.pending, lines.join('\n'));

  const blocks: (types.KnownBlock | types.Block)[] = [];
  for (const block of originalBlocks ?? []) {
    if (block.block_id === BLOCK_IDS.pending) continue;
    if (block.block_id === BLOCK_IDS.actions) blocks.push(pendingBlock);
    blocks.push(block);
  }
  if (!blocks.includes(pendingBlock)) blocks.push(pendingBlock);

  const text =
    `Awaiting second approver: ${label} chosen by ${pending.approver} at ` +
    plainTime(pending.approvedAt);
  return { text: truncate(text, LIMITS.fallbackTextChars), blocks };
}

function quote(comment: string): string {
  return `> ${escapeMrkdwn(comment.trim()).replace(/\n/g, '\n> ')}`;
}

function section(blockId: string, text: string): types.SectionBlock {
  return {
    type: 'section',
    block_id: blockId,
    text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionChars) },
  };
}

function formatUser(user: ApprovalRequestInput['alert']['user']): string {
  if (user.name === undefined) return user.id ?? 'unknown user';
  return user.domain === undefined ? user.name : `${user.domain}\\${user.name}`;
}

function describeAccess({ alert }: ApprovalRequestInput): string {
  const source = alert.access.sourceImage ?? 'svchost.exe';
  const target = alert.access.targetImage ?? 'lsass.exe';
  const mask = alert.access.grantedAccess ?? alert.rule.grantedAccess ?? 'unknown';
  const host = escapeMrkdwn(alert.host.name);
  return (
    `${inlineCode(source)} (the Secondary Logon service host) opened ${inlineCode(target)} ` +
    `with access ${inlineCode(mask)} through seclogon.dll on *${host}* at ` +
    `${slackDate(alert.timestamp)}. The leaked handle can be used to dump LSASS memory, ` +
    'but the alert alone does not prove a dump.'
  );
}

function describeVerdict(verdict: Verdict): string {
  const scope = verdict.isPrivilegedScope
    ? ' The host or account is privileged, so escalate faster.'
    : '';
  return `*Verdict: ${verdict.kind}.* ${VERDICT_SENTENCES[verdict.kind]}${scope}`;
}

function describeQuestion(id: QuestionId, answers: Answer[], verdict: Verdict): string {
  const answer = answers.find((candidate) => candidate.question === id);
  const coverage = answer?.coverage ?? 'not answered';
  const reasons = verdict.reasons.filter((reason) => reason.question === id);
  const reason = EFFECT_ORDER.map((effect) => reasons.find((r) => r.effect === effect)).find(
    (r) => r !== undefined,
  );
  const detail =
    reason !== undefined
      ? `${reason.effect}: ${reason.text}`
      : (answer?.findings[0]?.summary ?? answer?.coverageNote ?? 'no findings');
  const title = QUESTION_TITLES[id];
  return `*${id}* ${title} · coverage *${coverage}* · ${escapeMrkdwn(truncate(detail, 200))}`;
}

function summariseEvidence({ alert, answers }: ApprovalRequestInput): string {
  const findingsOf = (id: QuestionId, onlySuspicious: boolean): string[] => {
    const answer = answers.find((candidate) => candidate.question === id);
    if (answer === undefined) return ['not answered (unresolved)'];
    const findings = answer.findings.filter((finding) => !onlySuspicious || finding.isSuspicious);
    if (findings.length === 0) return [`none found (coverage ${answer.coverage})`];
    return findings.map((finding) => escapeMrkdwn(truncate(finding.summary, 200)));
  };
  const guid = alert.access.sourceProcessGuid;
  const image = inlineCode(alert.access.sourceImage ?? 'unknown image');
  const source = guid === undefined ? image : `${image} ${inlineCode(guid)}`;
  const parts = [
    `*Evidence summary* (full evidence in the thread)`,
    `*Source process:* ${source}`,
    `*Initiator candidates:*\n${bulletList(findingsOf('Q2', false), 3, 'in the thread')}`,
    `*Dump files:*\n${bulletList(findingsOf('Q4', true), 3, 'in the thread')}`,
    `*Follow-on logons:*\n${bulletList(findingsOf('Q6', false), 3, 'in the thread')}`,
    `*Related alerts:*\n${bulletList(findingsOf('Q7', false), 3, 'in the thread')}`,
  ];
  return parts.join('\n');
}

function buildLinks(
  { alert, workflowId }: ApprovalRequestInput,
  links: ApprovalLinks,
): string | undefined {
  const parts: string[] = [];
  // Kibana's alert redirect needs the alert document id, which only Elastic alert documents carry.
  if (links.kibanaUrl !== undefined && alert.identitySource === 'kibana.alert.uuid') {
    const query = new URLSearchParams({
      index: '.alerts-security.alerts-default',
      timestamp: alert.timestamp,
    });
    // NOTE: assumes the default Kibana space; alerts in other spaces need `/s/<space>` in the path.
    const alertPath = `/app/security/alerts/redirect/${encodeURIComponent(alert.alertId)}`;
    parts.push(`<${trimSlash(links.kibanaUrl)}${alertPath}?${query}|Alert in Kibana>`);
  }
  if (links.temporalUiUrl !== undefined) {
    const namespace = encodeURIComponent(links.temporalNamespace ?? 'default');
    const runPath = `/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
    parts.push(`<${trimSlash(links.temporalUiUrl)}${runPath}|Run in Temporal UI>`);
  }
  return parts.length === 0 ? undefined : parts.join(' · ');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
