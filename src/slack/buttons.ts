/**
 * The decision buttons of the approval message, with confirm dialogs on the choices that act on
 * the host or close the alert for good. Pure functions.
 */
import type { types } from '@slack/bolt';
import { isCommentRequired } from '../investigation/allowed-actions';
import type { VerdictKind } from '../investigation/types';
import { ACTIONS, type Action } from '../response/types';
import { DECISION_ACTION_IDS, commentActionId, encodeButtonValue } from './ids';
import { ACTION_LABELS, LIMITS, truncate } from './mrkdwn';

const CONFIRMATIONS: Partial<Record<Action, { title: string; text: string }>> = {
  contain: {
    title: 'Preserve and contain?',
    text:
      'Preserves evidence, then suspends the recovered non-system tool and temporarily ' +
      'limits the user. Reversible.',
  },
  isolate: {
    title: 'Isolate the host?',
    text:
      'Preserves evidence, then isolates the host and contains the account. ' +
      'Use for confirmed malicious activity.',
  },
  exception: {
    title: 'Close and add an exception?',
    text:
      'Closes the alert as benign and excepts this exact tuple: source image, call trace, ' +
      'access mask, workflow identity, user and host.',
  },
};

/**
 * Builds one button per allowed action, in the order of `ACTIONS`. An action that the verdict
 * allows only with a comment gets a button that opens the comment dialog instead of a confirm
 * dialog. Throws when the workflow id lacks the product prefix, because such a button value could
 * not be decoded on click.
 */
export function buildDecisionButtons(
  workflowId: string,
  allowedActions: readonly Action[],
  verdictKind?: VerdictKind,
): types.Button[] {
  return ACTIONS.filter((action) => allowedActions.includes(action)).map((action) =>
    buildButton(
      workflowId,
      action,
      verdictKind !== undefined && isCommentRequired(verdictKind, action),
    ),
  );
}

function buildButton(workflowId: string, action: Action, needsComment: boolean): types.Button {
  const button: types.Button = {
    type: 'button',
    action_id: needsComment ? commentActionId(action) : DECISION_ACTION_IDS[action],
    text: { type: 'plain_text', text: truncate(ACTION_LABELS[action], LIMITS.buttonTextChars) },
    value: encodeButtonValue(workflowId, action),
  };
  if (action === 'preserve') button.style = 'primary';
  if (action === 'isolate') button.style = 'danger';

  const confirmation = CONFIRMATIONS[action];
  if (confirmation !== undefined && !needsComment) {
    button.confirm = {
      title: { type: 'plain_text', text: truncate(confirmation.title, LIMITS.confirmTitleChars) },
      text: { type: 'plain_text', text: truncate(confirmation.text, LIMITS.confirmTextChars) },
      confirm: { type: 'plain_text', text: ACTION_LABELS[action] },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: action === 'isolate' ? 'danger' : 'primary',
    };
  }
  return button;
}
