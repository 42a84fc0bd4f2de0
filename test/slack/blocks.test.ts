import { describe, expect, it } from 'vitest';
import {
  buildApprovalMessage,
  buildDecidedMessage,
  buildPendingApprovalMessage,
} from '../../src/slack/blocks';
import { buildCommentModal, parseSubmission } from '../../src/slack/comment-dialog';
import {
  BLOCK_IDS,
  COMMENT_VIEW_IDS,
  DECISION_ACTION_IDS,
  commentActionId,
  encodeButtonValue,
  parseButtonValue,
} from '../../src/slack/ids';
import { buildEvidenceReply, formatStepProgress } from '../../src/slack/thread-replies';
import { approvalInput } from './approval-input';

interface LooseBlock {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; confirm?: unknown; text?: unknown }[];
}

function blockById(blocks: unknown[], blockId: string): LooseBlock | undefined {
  return (blocks as LooseBlock[]).find((block) => block.block_id === blockId);
}

function textOf(blocks: unknown[], blockId: string): string {
  return blockById(blocks, blockId)?.text?.text ?? '';
}

describe('buildApprovalMessage', () => {
  it('names host, user and source event time in the header', () => {
    const message = buildApprovalMessage(approvalInput());

    const header = textOf(message.blocks, BLOCK_IDS.header);
    expect(header).toContain('ws01');
    expect(header).toContain('CORP\\alice');
    expect(header).toContain('2024-05-01 10:00:00Z');
  });

  it('offers buttons only for the allowed actions', () => {
    const message = buildApprovalMessage(
      approvalInput({ allowedActions: ['preserve', 'close-benign'] }),
    );

    const actionIds = blockById(message.blocks, BLOCK_IDS.actions)?.elements?.map(
      (element) => element.action_id,
    );
    expect(actionIds).toEqual([DECISION_ACTION_IDS.preserve, DECISION_ACTION_IDS['close-benign']]);
  });

  it('omits the actions block when no action is allowed', () => {
    const message = buildApprovalMessage(approvalInput({ allowedActions: [] }));

    expect(blockById(message.blocks, BLOCK_IDS.actions)).toBeUndefined();
  });

  it('puts confirm dialogs on contain, isolate and exception only', () => {
    const input = approvalInput({
      allowedActions: ['preserve', 'contain', 'isolate', 'close-benign', 'exception'],
    });

    const elements =
      blockById(buildApprovalMessage(input).blocks, BLOCK_IDS.actions)?.elements ?? [];
    const confirmed = elements
      .filter((element) => element.confirm !== undefined)
      .map((element) => element.action_id);
    expect(confirmed).toEqual([
      DECISION_ACTION_IDS.contain,
      DECISION_ACTION_IDS.isolate,
      DECISION_ACTION_IDS.exception,
    ]);
  });

  it('encodes workflow id and action in each button value', () => {
    const elements =
      blockById(buildApprovalMessage(approvalInput()).blocks, BLOCK_IDS.actions)?.elements ?? [];

    const values = elements.map((element) => parseButtonValue(element.value ?? ''));
    expect(values).toEqual([
      { v: 1, workflowId: 'malseclogon-4f2a9c', action: 'preserve' },
      { v: 1, workflowId: 'malseclogon-4f2a9c', action: 'contain' },
      { v: 1, workflowId: 'malseclogon-4f2a9c', action: 'isolate' },
    ]);
  });

  it('lists one line per question with its coverage', () => {
    const lines = textOf(buildApprovalMessage(approvalInput()).blocks, BLOCK_IDS.questions).split(
      '\n',
    );

    expect(lines).toHaveLength(7);
    expect(lines.map((line) => line.slice(1, 3))).toEqual([
      'Q1',
      'Q2',
      'Q3',
      'Q4',
      'Q5',
      'Q6',
      'Q7',
    ]);
    expect(lines[2]).toContain('coverage *absent*');
    expect(lines[3]).toContain('escalates: LSASS dump file written');
    expect(lines[6]).toContain('coverage *failed*');
  });

  it('marks a question without an answer as not answered', () => {
    const input = approvalInput();
    input.answers = input.answers.filter((answer) => answer.question !== 'Q5');

    const lines = textOf(buildApprovalMessage(input).blocks, BLOCK_IDS.questions).split('\n');
    expect(lines[4]).toContain('coverage *not answered*');
  });

  it('summarises source, initiators, dump files, logons and related alerts', () => {
    const evidence = textOf(buildApprovalMessage(approvalInput()).blocks, BLOCK_IDS.evidence);

    expect(evidence).toContain('svchost.exe');
    expect(evidence).toContain('{aaaa-bbbb}');
    expect(evidence).toContain('mal.exe started &lt;1 s before');
    expect(evidence).toContain('lsass.dmp written');
    expect(evidence).toContain('logon type 9');
    expect(evidence).toContain('none found (coverage failed)');
  });

  it('states the deadline and the safe default', () => {
    const deadline = textOf(buildApprovalMessage(approvalInput()).blocks, BLOCK_IDS.deadline);

    expect(deadline).toContain(`<!date^${Date.parse('2024-05-01T10:30:00Z') / 1000}^`);
    expect(deadline).toContain('Preserve and escalate');
  });

  it('links Kibana and the Temporal UI only when configured', () => {
    const withLinks = buildApprovalMessage(approvalInput(), {
      kibanaUrl: 'https://kibana.example/',
      temporalUiUrl: 'http://127.0.0.1:8233',
    });
    const withoutLinks = buildApprovalMessage(approvalInput());

    const links = (
      blockById(withLinks.blocks, BLOCK_IDS.links)?.elements?.[0] as { text?: string } | undefined
    )?.text;
    expect(links).toContain('https://kibana.example/app/security/alerts/redirect/4f2a9c?');
    expect(links).toContain(
      'http://127.0.0.1:8233/namespaces/default/workflows/malseclogon-4f2a9c|',
    );
    expect(blockById(withoutLinks.blocks, BLOCK_IDS.links)).toBeUndefined();
  });

  it('has a fallback text with host and verdict', () => {
    const { text } = buildApprovalMessage(approvalInput());

    expect(text).toContain('ws01');
    expect(text).toContain('verdict escalate');
  });

  it('escapes Slack control characters in alert values', () => {
    const input = approvalInput();
    input.alert.host.name = 'ws<01>&';

    const summary = textOf(buildApprovalMessage(input).blocks, BLOCK_IDS.summary);
    expect(summary).toContain('ws&lt;01&gt;&amp;');
  });
});

describe('buildDecidedMessage', () => {
  const decision = {
    action: 'contain' as const,
    decidedBy: 'U012ABCDEF',
    decidedAt: '2024-05-01T10:05:00.000Z',
    channel: 'slack' as const,
    comment: 'tool is not ours',
  };

  it('replaces the buttons with the decision, who and when', () => {
    const original = buildApprovalMessage(approvalInput()).blocks;

    const decided = buildDecidedMessage(original, decision);
    expect(blockById(decided.blocks, BLOCK_IDS.actions)).toBeUndefined();
    expect(blockById(decided.blocks, BLOCK_IDS.header)).toBeDefined();
    const text = textOf(decided.blocks, BLOCK_IDS.decision);
    expect(text).toContain('Preserve and contain');
    expect(text).toContain('<@U012ABCDEF>');
    expect(text).toContain(`<!date^${Date.parse(decision.decidedAt) / 1000}^`);
    expect(text).toContain('> tool is not ours');
  });

  it('names the deadline when the safe default applied', () => {
    const decided = buildDecidedMessage(undefined, {
      ...decision,
      action: 'preserve',
      decidedBy: 'system:deadline',
      channel: 'deadline',
    });

    expect(textOf(decided.blocks, BLOCK_IDS.decision)).toContain('the decision deadline');
  });

  it('keeps a single decision block when applied twice', () => {
    const once = buildDecidedMessage(buildApprovalMessage(approvalInput()).blocks, decision);

    const twice = buildDecidedMessage(once.blocks, decision);
    expect(twice.blocks.filter((block) => block.block_id === BLOCK_IDS.decision)).toHaveLength(1);
  });

  it('names both approvers under the two-person rule', () => {
    const pending = buildPendingApprovalMessage(buildApprovalMessage(approvalInput()).blocks, {
      action: 'isolate',
      approver: 'U012ABCDEF',
      approvedAt: '2024-05-01T10:05:00.000Z',
      channel: 'slack',
    });

    const decided = buildDecidedMessage(pending.blocks, {
      action: 'isolate',
      decidedBy: 'U012ABCDEF',
      decidedAt: '2024-05-01T10:05:00.000Z',
      channel: 'slack',
      confirmedBy: 'U0SECOND01',
      confirmedAt: '2024-05-01T10:07:00.000Z',
      confirmationChannel: 'cli',
    });

    expect(blockById(decided.blocks, BLOCK_IDS.pending)).toBeUndefined();
    expect(blockById(decided.blocks, BLOCK_IDS.actions)).toBeUndefined();
    const text = textOf(decided.blocks, BLOCK_IDS.decision);
    expect(text).toContain('<@U012ABCDEF>');
    expect(text).toContain('*Confirmed* by <@U0SECOND01>');
    expect(text).toContain('via cli');
    expect(decided.text).toContain('confirmed by U0SECOND01');
  });
});

describe('buildPendingApprovalMessage', () => {
  const pending = {
    action: 'isolate' as const,
    approver: 'U012ABCDEF',
    approvedAt: '2024-05-01T10:05:00.000Z',
    channel: 'slack' as const,
    comment: 'dump file found',
  };

  it('keeps the buttons for the confirmation', () => {
    const original = buildApprovalMessage(approvalInput()).blocks;

    const message = buildPendingApprovalMessage(original, pending);

    const ids = message.blocks.map((block) => block.block_id);
    expect(ids.slice(-2)).toEqual([BLOCK_IDS.pending, BLOCK_IDS.actions]);
    expect(blockById(message.blocks, BLOCK_IDS.actions)?.elements).toHaveLength(3);
    const text = textOf(message.blocks, BLOCK_IDS.pending);
    expect(text).toContain('*Awaiting second approver:*');
    expect(text).toContain('*Preserve and isolate host*');
    expect(text).toContain('<@U012ABCDEF>');
    expect(text).toContain('> dump file found');
    expect(message.text).toContain('Awaiting second approver');
  });

  it('keeps one pending block when applied twice', () => {
    const once = buildPendingApprovalMessage(buildApprovalMessage(approvalInput()).blocks, pending);

    const twice = buildPendingApprovalMessage(once.blocks, pending);

    expect(twice.blocks).toEqual(once.blocks);
  });
});

describe('comment dialog', () => {
  it('opens for close-benign on an unresolved verdict only', () => {
    const unresolved = approvalInput({
      allowedActions: ['preserve', 'contain', 'isolate', 'close-benign'],
    });
    unresolved.verdict = { ...unresolved.verdict, kind: 'unresolved' };
    const benign = approvalInput({ allowedActions: ['close-benign', 'exception', 'preserve'] });
    benign.verdict = { ...benign.verdict, kind: 'benign' };

    const unresolvedIds = buildApprovalMessage(unresolved).blocks.flatMap(
      (block) => (block as LooseBlock).elements?.map((element) => element.action_id) ?? [],
    );
    const benignIds = buildApprovalMessage(benign).blocks.flatMap(
      (block) => (block as LooseBlock).elements?.map((element) => element.action_id) ?? [],
    );

    expect(unresolvedIds).toContain(commentActionId('close-benign'));
    expect(unresolvedIds).not.toContain(DECISION_ACTION_IDS['close-benign']);
    expect(benignIds).toContain(DECISION_ACTION_IDS['close-benign']);
    expect(benignIds).not.toContain(commentActionId('close-benign'));
  });

  it('round-trips the click through the modal', () => {
    const click = {
      workflowId: 'malseclogon-x',
      action: 'close-benign' as const,
      userId: 'U012ABCDEF',
      channelId: 'C0SOC0001',
      messageTs: '1714557600.000100',
    };
    const modal = buildCommentModal(click);
    const values = {
      [COMMENT_VIEW_IDS.inputBlock]: { [COMMENT_VIEW_IDS.inputAction]: { value: ' ok by IR lead ' } },
    };

    const submission = parseSubmission({
      user: { id: 'U0SUBMIT01' },
      view: { ...modal, state: { values } },
    });

    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(submission).toEqual({ ...click, userId: 'U0SUBMIT01', comment: 'ok by IR lead' });
  });

  it('ignores a submission with foreign metadata', () => {
    const submission = parseSubmission({
      user: { id: 'U0SUBMIT01' },
      view: { private_metadata: '{"v":1,"workflowId":"other-x"}', state: { values: {} } },
    });

    expect(submission).toBeUndefined();
  });
});

describe('parseButtonValue', () => {
  it('round-trips an encoded value', () => {
    expect(parseButtonValue(encodeButtonValue('malseclogon-x', 'isolate'))).toEqual({
      v: 1,
      workflowId: 'malseclogon-x',
      action: 'isolate',
    });
  });

  it.each([
    ['not json', 'preserve'],
    [
      'unknown action',
      JSON.stringify({ v: 1, workflowId: 'malseclogon-x', action: 'delete-host' }),
    ],
    ['foreign workflow id', JSON.stringify({ v: 1, workflowId: 'other-x', action: 'preserve' })],
    [
      'extra keys',
      JSON.stringify({ v: 1, workflowId: 'malseclogon-x', action: 'preserve', approver: 'U1' }),
    ],
    ['other version', JSON.stringify({ v: 2, workflowId: 'malseclogon-x', action: 'preserve' })],
  ])('rejects %s', (_case, raw) => {
    expect(parseButtonValue(raw)).toBeUndefined();
  });
});

describe('thread replies', () => {
  it('lists every finding with its record ids in the evidence reply', () => {
    const reply = buildEvidenceReply(approvalInput());

    const text = reply.blocks.map((block) => (block as LooseBlock).text?.text ?? '').join('\n');
    expect(text).toContain('lsass.dmp written');
    expect(text).toContain('records: r4');
    expect(text).toContain('no parent process events');
  });

  it('formats step progress with outcome and detail', () => {
    const line = formatStepProgress({
      step: 'suspend-process',
      outcome: 'failed',
      detail: 'agent offline',
      idempotencyKey: 'k',
      startedAt: '2024-05-01T10:06:00Z',
      finishedAt: '2024-05-01T10:06:01Z',
    });

    expect(line).toContain('`suspend-process` failed: agent offline');
  });
});
