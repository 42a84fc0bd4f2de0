/**
 * Method handlers of the Slack Web API stand-in, over an in-memory workspace. Replies carry the
 * fields the responder reads, in the shapes Slack documents for each method.
 */

/** A message in a channel or thread. */
export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  /** Parent ts for thread replies. */
  thread_ts?: string;
  edited?: boolean;
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  text?: string;
}

/** A modal opened with `views.open`, as Slack stores it. */
export interface StoredView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

export interface SlackState {
  messages: StoredMessage[];
  ephemerals: StoredEphemeral[];
  /** Modals opened with `views.open`, oldest first. */
  views: StoredView[];
  userGroups: Record<string, string[]>;
  /** Counter that makes every `ts` unique and increasing. */
  nextTsMicros: number;
}

type Reply = Record<string, unknown>;
type Body = Record<string, unknown>;

const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;
const BOT = { team_id: 'T00000001', user_id: 'UBOT00001', bot_id: 'BBOT00001' };

/** Handles one Web API call against `state` and returns Slack's reply body. */
export function handleSlackMethod(state: SlackState, method: string, body: Body): Reply {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'responder', ...BOT };
    case 'chat.postMessage':
      return postMessage(state, body);
    case 'chat.update':
      return updateMessage(state, body);
    case 'chat.postEphemeral':
      return postEphemeral(state, body);
    case 'conversations.history':
      return listMessages(
        state,
        body,
        (message) => message.thread_ts === undefined || message.thread_ts === message.ts,
      );
    case 'conversations.replies':
      return listReplies(state, body);
    case 'views.open':
      return openView(state, body);
    case 'usergroups.users.list': {
      const users = state.userGroups[String(body.usergroup)];
      return users === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users };
    }
    default:
      return { ok: false, error: 'unknown_method' };
  }
}

function postMessage(state: SlackState, body: Body): Reply {
  const channel = String(body.channel ?? '');
  if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
  if (body.text === undefined && body.blocks === undefined) return { ok: false, error: 'no_text' };
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  if (threadTs !== undefined && findMessage(state, channel, threadTs) === undefined) {
    return { ok: false, error: 'thread_not_found' };
  }

  const message: StoredMessage = { channel, ts: nextTs(state), ...content(body) };
  if (threadTs !== undefined) message.thread_ts = threadTs;
  if (isMetadata(body.metadata)) message.metadata = body.metadata;
  state.messages.push(message);
  return { ok: true, channel, ts: message.ts, message: { type: 'message', ...BOT, ...message } };
}

function updateMessage(state: SlackState, body: Body): Reply {
  const message = findMessage(state, String(body.channel), String(body.ts));
  if (message === undefined) return { ok: false, error: 'message_not_found' };
  Object.assign(message, content(body), { edited: true });
  return { ok: true, channel: message.channel, ts: message.ts, text: message.text ?? '' };
}

function postEphemeral(state: SlackState, body: Body): Reply {
  const channel = String(body.channel ?? '');
  if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
  if (typeof body.user !== 'string') return { ok: false, error: 'user_not_in_channel' };
  state.ephemerals.push({
    channel,
    user: body.user,
    text: typeof body.text === 'string' ? body.text : undefined,
  });
  return { ok: true, message_ts: nextTs(state) };
}

/** Slack's documented limits for a modal view. */
const VIEW_LIMITS = { titleChars: 24, blocks: 100, privateMetadataChars: 3_000, callbackIdChars: 255 };

/**
 * `views.open`: exchanges a trigger for a modal. A trigger works once (`exchanged_trigger_id`
 * afterwards), a missing one is `invalid_trigger_id`, and a view that breaks the modal limits is
 * `invalid_arguments` with the reason in `response_metadata.messages`, as Slack replies.
 */
function openView(state: SlackState, body: Body): Reply {
  const triggerId = typeof body.trigger_id === 'string' ? body.trigger_id : '';
  if (triggerId === '') return { ok: false, error: 'invalid_trigger_id' };
  if (state.views.some((view) => view.triggerId === triggerId)) {
    return { ok: false, error: 'exchanged_trigger_id' };
  }
  const view = body.view;
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    return invalidArguments('[ERROR] missing required field: view');
  }
  const problems = viewProblems(view as Record<string, unknown>);
  if (problems.length > 0) return invalidArguments(...problems);

  const id = `V${String(state.views.length + 1).padStart(8, '0')}`;
  state.views.push({ id, triggerId, view: view as Record<string, unknown> });
  return {
    ok: true,
    view: {
      id,
      team_id: BOT.team_id,
      app_id: 'A00000001',
      bot_id: BOT.bot_id,
      hash: `${Date.now()}.hash`,
      state: { values: {} },
      ...view,
    },
  };
}

function viewProblems(view: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (view.type !== 'modal') problems.push('[ERROR] must be "modal" [json-pointer:/view/type]');
  const title = view.title as { text?: unknown } | undefined;
  if (typeof title?.text !== 'string' || title.text.length > VIEW_LIMITS.titleChars) {
    problems.push('[ERROR] must be at most 24 characters [json-pointer:/view/title/text]');
  }
  if (!Array.isArray(view.blocks) || view.blocks.length > VIEW_LIMITS.blocks) {
    problems.push('[ERROR] must contain at most 100 blocks [json-pointer:/view/blocks]');
  }
  const hasInput =
    Array.isArray(view.blocks) &&
    view.blocks.some((block) => (block as { type?: unknown }).type === 'input');
  if (hasInput && view.submit === undefined) {
    problems.push('[ERROR] must provide a submit property when using input blocks [json-pointer:/view]');
  }
  const metadata = view.private_metadata;
  if (typeof metadata === 'string' && metadata.length > VIEW_LIMITS.privateMetadataChars) {
    problems.push('[ERROR] must be at most 3000 characters [json-pointer:/view/private_metadata]');
  }
  const callbackId = view.callback_id;
  if (typeof callbackId === 'string' && callbackId.length > VIEW_LIMITS.callbackIdChars) {
    problems.push('[ERROR] must be at most 255 characters [json-pointer:/view/callback_id]');
  }
  return problems;
}

function invalidArguments(...messages: string[]): Reply {
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages } };
}

function listReplies(state: SlackState, body: Body): Reply {
  const parentTs = String(body.ts);
  if (findMessage(state, String(body.channel), parentTs) === undefined)
    return { ok: false, error: 'thread_not_found' };
  return listMessages(
    state,
    body,
    (message) => message.ts === parentTs || message.thread_ts === parentTs,
    'oldest-first',
  );
}

/** Pages through matching messages: newest first for history, oldest first for replies. */
function listMessages(
  state: SlackState,
  body: Body,
  isListed: (message: StoredMessage) => boolean,
  order: 'newest-first' | 'oldest-first' = 'newest-first',
): Reply {
  const channel = String(body.channel ?? '');
  if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
  const isInclusive =
    body.inclusive === true || body.inclusive === 'true' || body.inclusive === '1';
  const oldest = Number(body.oldest ?? 0);
  const latest = body.latest === undefined ? Number.POSITIVE_INFINITY : Number(body.latest);
  const inRange = (ts: number): boolean =>
    isInclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';

  const matching = state.messages.filter(
    (message) => message.channel === channel && isListed(message) && inRange(Number(message.ts)),
  );
  if (order === 'newest-first') matching.reverse();
  const limit = Number(body.limit ?? 100);
  const offset =
    typeof body.cursor === 'string' && body.cursor !== ''
      ? Number(Buffer.from(body.cursor, 'base64').toString())
      : 0;
  const page = matching.slice(offset, offset + limit);
  const hasMore = offset + limit < matching.length;

  return {
    ok: true,
    messages: page.map(({ metadata, channel: _channel, ...message }) => ({
      type: 'message',
      ...BOT,
      ...message,
      ...(withMetadata && metadata !== undefined ? { metadata } : {}),
    })),
    has_more: hasMore,
    response_metadata: {
      next_cursor: hasMore ? Buffer.from(String(offset + limit)).toString('base64') : '',
    },
  };
}

function findMessage(state: SlackState, channel: string, ts: string): StoredMessage | undefined {
  return state.messages.find((message) => message.channel === channel && message.ts === ts);
}

function content(body: Body): Pick<StoredMessage, 'text' | 'blocks'> {
  const result: Pick<StoredMessage, 'text' | 'blocks'> = {};
  if (typeof body.text === 'string') result.text = body.text;
  if (Array.isArray(body.blocks)) result.blocks = body.blocks;
  return result;
}

function isMetadata(value: unknown): value is StoredMessage['metadata'] & object {
  return (
    typeof value === 'object' &&
    value !== null &&
    'event_type' in value &&
    typeof value.event_type === 'string'
  );
}

/** Slack `ts` values are epoch seconds with six decimals, unique per channel. */
function nextTs(state: SlackState): string {
  state.nextTsMicros += 1;
  const micros = BigInt(Date.now()) * 1000n + BigInt(state.nextTsMicros);
  return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}
