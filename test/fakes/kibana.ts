/**
 * Loopback stand-in for the Kibana APIs the Kibana response connector calls: Cases, the alert
 * status API, Elastic Defend endpoint metadata and response actions (with the outputs of
 * `running-processes` and `get-file`), detection rules and rule exceptions. It follows the
 * documented contracts: `kbn-xsrf` required on writes, `/s/<space>` paths, `ApiKey`
 * authentication, and the error bodies Kibana sends (`{statusCode, error, message}` from the
 * platform and Cases, `{message, status_code}` from the Security Solution
 * APIs). Every call is recorded; 403s and 5xx can be scripted per route.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleKibanaRoute, type KibanaState } from './kibana-routes';

export interface KibanaCall {
  method: string;
  /** Path without the space prefix, e.g. `/api/cases`. */
  path: string;
  /** Space id from `/s/<space>`, or `default`. */
  space: string;
  query: URLSearchParams;
  body: unknown;
  authorization?: string;
  xsrf?: string;
}

export interface ScriptedKibanaFailure {
  /** `METHOD /path` that fails, e.g. `POST /api/endpoint/action/isolate`. */
  route: string;
  status: 403 | 500 | 502 | 503;
  /** For 403: the privilege named in the message. */
  privilege?: string;
  /** How many matching calls fail. @default 1 */
  count?: number;
}

export interface FakeKibana {
  url: string;
  calls: KibanaCall[];
  state: KibanaState;
  failNext(failure: ScriptedKibanaFailure): void;
  /** Calls matching `METHOD /path` exactly, for assertions. */
  callsTo(route: string): KibanaCall[];
  close(): Promise<void>;
}

export interface FakeKibanaOptions {
  apiKey: string;
}

/** Starts the stand-in on 127.0.0.1 at a free port. */
export async function startFakeKibana(options: FakeKibanaOptions): Promise<FakeKibana> {
  const calls: KibanaCall[] = [];
  const failures: (ScriptedKibanaFailure & { count: number })[] = [];
  const state: KibanaState = {
    cases: [],
    endpoints: [],
    actions: [],
    alertStatuses: [],
    rules: [],
    exceptionItems: [],
    actionBehaviour: { outcome: 'successful', readsUntilDone: 1 },
    getFileOutcomes: {},
    runningProcesses: [
      { pid: '4', entity_id: 'c3lzdGVtLWVudGl0eQ==', user: 'SYSTEM', command: 'System' },
      { pid: '6072', entity_id: 'dG9vbC1lbnRpdHk=', user: 'bob', command: 'MalSecLogon.exe' },
    ],
    nextId: 1,
  };

  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const spaced = /^\/s\/([^/]+)(\/.*)$/.exec(url.pathname);
      const text = Buffer.concat(chunks).toString('utf8');
      const call: KibanaCall = {
        method: incoming.method ?? '',
        path: spaced ? (spaced[2] as string) : url.pathname,
        space: spaced ? (spaced[1] as string) : 'default',
        query: url.searchParams,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        authorization: incoming.headers.authorization,
        xsrf: headerValue(incoming.headers['kbn-xsrf']),
      };
      calls.push(call);
      const [status, body] = answer(call);
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });

  function answer(call: KibanaCall): [number, unknown] {
    if (call.authorization !== `ApiKey ${options.apiKey}`) {
      return [
        401,
        { statusCode: 401, error: 'Unauthorized', message: '[security_exception]: unable to authenticate with the API key' },
      ];
    }
    if (call.method !== 'GET' && call.xsrf === undefined) {
      return [400, { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' }];
    }
    const route = `${call.method} ${call.path}`;
    const failure = failures.find((item) => item.route === route && item.count > 0);
    if (failure) {
      failure.count -= 1;
      return scriptedFailure(call, failure);
    }
    return handleKibanaRoute(state, call);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    state,
    failNext: (failure) => failures.push({ ...failure, count: failure.count ?? 1 }),
    callsTo: (route) => calls.filter((call) => `${call.method} ${call.path}` === route),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function scriptedFailure(call: KibanaCall, failure: ScriptedKibanaFailure): [number, unknown] {
  if (failure.status === 403) {
    const message =
      `API [${call.method} ${call.path}] is unauthorized for user, this action is granted by ` +
      `the Kibana privileges [${failure.privilege ?? 'all'}]`;
    return [403, { statusCode: 403, error: 'Forbidden', message }];
  }
  const error = failure.status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  return [failure.status, { statusCode: failure.status, error, message: error }];
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
