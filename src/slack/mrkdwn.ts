/**
 * Text helpers for Slack's `mrkdwn` format and Block Kit's size limits. Pure functions.
 */
import type { Action } from '../response/types';

/** Block Kit limits; Slack rejects the whole message when one block exceeds them. */
export const LIMITS = {
  headerChars: 150,
  sectionChars: 3_000,
  buttonTextChars: 75,
  confirmTitleChars: 100,
  confirmTextChars: 300,
  fallbackTextChars: 4_000,
} as const;

/** Human labels of the decision actions, used on buttons and in the decided message. */
export const ACTION_LABELS: Readonly<Record<Action, string>> = {
  preserve: 'Preserve and escalate',
  contain: 'Preserve and contain',
  isolate: 'Preserve and isolate host',
  'close-benign': 'Close as benign',
  exception: 'Close and add exception',
};

/** Escapes the three characters that Slack treats as control sequences in `mrkdwn` and text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders a value as inline code. Backticks would end the span early, so they become quotes. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/** Cuts text to at most `maxChars` characters, marking the cut with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** Renders an ISO 8601 time as `2024-05-01 10:00:00Z`, for plain-text places such as headers. */
export function plainTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/**
 * Renders an ISO 8601 time as a Slack date token, which each reader sees in their own time zone.
 * Falls back to the plain time when the string does not parse.
 */
export function slackDate(iso: string): string {
  const epochMs = Date.parse(iso);
  if (Number.isNaN(epochMs)) return escapeMrkdwn(iso);
  const epochSeconds = Math.floor(epochMs / 1000);
  return `<!date^${epochSeconds}^{date_short_pretty} {time_secs}|${escapeMrkdwn(plainTime(iso))}>`;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Returns true for a Slack user id (`U…`, or `W…` on Enterprise Grid). */
export function isSlackUserId(value: string): boolean {
  return SLACK_USER_ID.test(value);
}

/** Renders who decided: a mention for Slack user ids, words for the deadline, else the CLI name. */
export function formatActor(decidedBy: string): string {
  if (isSlackUserId(decidedBy)) return `<@${decidedBy}>`;
  if (decidedBy === 'system:deadline') return 'the decision deadline (safe default)';
  return escapeMrkdwn(decidedBy);
}

/** Renders a list as bullet lines, at most `maxItems`, with a count of the rest. */
export function bulletList(items: string[], maxItems: number, restHint: string): string {
  const shownLines = items.slice(0, maxItems).map((item) => `• ${item}`);
  const hiddenCount = items.length - shownLines.length;
  if (hiddenCount > 0) shownLines.push(`• …and ${hiddenCount} more ${restHint}`);
  return shownLines.join('\n');
}
