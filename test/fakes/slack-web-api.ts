/**
 * Loopback stand-in for the Slack Web API methods the responder calls. It follows Slack's
 * contract: POST with a form or JSON body, HTTP 200 with `{ ok: false, error }` for platform
 * errors, 429 with Retry-After for rate limits, and metadata only when `include_all_metadata` is
 * set. Every call is recorded with its parsed body; failures can be scripted for the next calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleSlackMethod, type SlackState } from './slack-web-api-methods';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  /** Bot token sent in the Authorization header or the body. */
  token?: string;
}

export interface ScriptedFailure {
  /** HTTP status of the scripted response, e.g. 429 or 503. */
  status: number;
  /** How many matching calls fail. @default 1 */
  count?: number;
  /** Only calls to this method fail; unset means any method. */
  method?: string;
  /** Retry-After header value for 429 responses. @default 1 */
  retryAfterSeconds?: number;
}

export interface FakeSlackOptions {
  /** Bot tokens that authenticate; any other token gets `invalid_auth`. */
  tokens: string[];
  /** Members of each user group, for `usergroups.users.list`. */
  userGroups?: Record<string, string[]>;
}

interface PendingFailure {
  status: number;
  count: number;
  method?: string;
  retryAfterSeconds: number;
}

/** A running stand-in. `apiUrl` goes into `slackApiUrl` / `SLACK_API_URL`. */
export interface FakeSlackWebApi {
  apiUrl: string;
  calls: RecordedCall[];
  state: SlackState;
  failNext(failure: ScriptedFailure): void;
  callsTo(method: string): RecordedCall[];
  close(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1 at a free port. */
export async function startFakeSlackWebApi(options: FakeSlackOptions): Promise<FakeSlackWebApi> {
  const calls: RecordedCall[] = [];
  const failures: PendingFailure[] = [];
  const state: SlackState = {
    messages: [],
    ephemerals: [],
    views: [],
    userGroups: options.userGroups ?? {},
    nextTsMicros: 0,
  };

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'fake_internal_error', detail: String(error) }));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/api\//, '');
    const body = parseBody(req.headers['content-type'], await readBody(req));
    const token = bearerToken(req.headers.authorization) ?? stringOrUndefined(body.token);
    delete body.token;
    calls.push({ method, body, token });

    const failureIndex = failures.findIndex(
      (failure) => failure.method === undefined || failure.method === method,
    );
    const failure = failures[failureIndex];
    if (failure !== undefined) {
      failure.count -= 1;
      if (failure.count <= 0) failures.splice(failureIndex, 1);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.status === 429) headers['retry-after'] = String(failure.retryAfterSeconds);
      res.writeHead(failure.status, headers);
      res.end(
        JSON.stringify({
          ok: false,
          error: failure.status === 429 ? 'ratelimited' : 'service_unavailable',
        }),
      );
      return;
    }

    const reply = authenticate(token) ?? handleSlackMethod(state, method, body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply));
  }

  function authenticate(token: string | undefined): Record<string, unknown> | undefined {
    if (token === undefined || token === '') return { ok: false, error: 'not_authed' };
    return options.tokens.includes(token) ? undefined : { ok: false, error: 'invalid_auth' };
  }

  await listen(server);
  // listen() on a TCP port always yields an AddressInfo, never a pipe name.
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    state,
    failNext: (failure) => {
      failures.push({ count: 1, retryAfterSeconds: 1, ...failure });
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a form or JSON body. Form values that hold JSON objects or arrays (`blocks`, `metadata`)
 * are decoded, as Slack does for the arguments it documents as JSON.
 */
function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? { ...parsed } : {};
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return body;
}

function bearerToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
