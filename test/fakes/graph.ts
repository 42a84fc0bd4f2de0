/**
 * Loopback stand-in for the Microsoft Entra ID token endpoint and the Microsoft Graph user APIs
 * that account containment calls. It follows the documented contracts: the client credentials
 * grant as a form post to `/<tenant>/oauth2/v2.0/token` with the `.default` scope, bearer
 * tokens on every Graph call, the `onPremisesSecurityIdentifier eq '…'` filter (an advanced
 * query, so `ConsistencyLevel: eventual` and `$count` are required), `revokeSignInSessions`
 * answering `{value: true}`, a `PATCH` answering 204, and errors as `{error: {code, message}}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGraphUser {
  id: string;
  userPrincipalName: string;
  onPremisesSecurityIdentifier: string;
  accountEnabled: boolean;
  revokedCount: number;
}

export interface GraphCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  authorization?: string;
  consistencyLevel?: string;
}

export interface FakeGraph {
  /** Authority URL (token endpoint host). */
  authorityUrl: string;
  /** Graph base URL including `/v1.0`. */
  apiUrl: string;
  users: FakeGraphUser[];
  calls: GraphCall[];
  /** Replies `status` to the next `count` calls to `METHOD /path-prefix`. */
  failNext(failure: { route: string; status: 403 | 429 | 500 | 503; count?: number }): void;
  callsTo(method: string, pathPrefix: string): GraphCall[];
  close(): Promise<void>;
}

export interface FakeGraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

const TOKEN = 'graph-test-token';

/** Starts the stand-in on 127.0.0.1 at a free port. */
export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const users: FakeGraphUser[] = [];
  const calls: GraphCall[] = [];
  const failures: { route: string; status: number; count: number }[] = [];

  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const call: GraphCall = {
        method: incoming.method ?? '',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
        authorization: incoming.headers.authorization,
        consistencyLevel: headerValue(incoming.headers.consistencylevel),
      };
      calls.push(call);
      const [status, body] = answer(call);
      if (status === 204) {
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });

  function answer(call: GraphCall): [number, unknown] {
    const failure = failures.find((item) => `${call.method} ${call.path}`.startsWith(item.route) && item.count > 0);
    if (failure) {
      failure.count -= 1;
      const code = failure.status === 403 ? 'Authorization_RequestDenied' : 'ServiceUnavailable';
      const message =
        failure.status === 403 ? 'Insufficient privileges to complete the operation.' : 'Service unavailable.';
      return [failure.status, { error: { code, message } }];
    }
    if (call.method === 'POST' && call.path === `/${options.tenantId}/oauth2/v2.0/token`) return token(call);
    if (!call.path.startsWith('/v1.0/')) return [404, { error: { code: 'NotFound', message: 'Not found' } }];
    if (call.authorization !== `Bearer ${TOKEN}`) {
      return [401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } }];
    }
    return graphRoute(call);
  }

  function token(call: GraphCall): [number, unknown] {
    const form = new URLSearchParams(call.body);
    if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://graph.microsoft.com/.default') {
      return [400, { error: 'invalid_request', error_description: 'AADSTS900144: invalid grant or scope.' }];
    }
    if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
      return [401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }];
    }
    return [200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: TOKEN }];
  }

  function graphRoute(call: GraphCall): [number, unknown] {
    const path = call.path.slice('/v1.0'.length);
    if (call.method === 'GET' && path === '/users') {
      const filter = /^onPremisesSecurityIdentifier eq '([^']*)'$/.exec(call.query.get('$filter') ?? '');
      if (!filter || call.consistencyLevel !== 'eventual' || call.query.get('$count') !== 'true') {
        return [400, { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported or invalid query filter clause.' } }];
      }
      const value = users.filter((user) => user.onPremisesSecurityIdentifier === filter[1]).map(userView);
      return [200, { '@odata.count': value.length, value }];
    }
    const revoke = /^\/users\/([^/]+)\/revokeSignInSessions$/.exec(path);
    const user = users.find((item) => item.id === (revoke?.[1] ?? /^\/users\/([^/]+)$/.exec(path)?.[1]));
    if (!user) return [404, { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist.' } }];
    if (call.method === 'POST' && revoke) {
      user.revokedCount += 1;
      return [200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true }];
    }
    if (call.method === 'PATCH') {
      const body = JSON.parse(call.body || '{}') as { accountEnabled?: unknown };
      if (typeof body.accountEnabled !== 'boolean') {
        return [400, { error: { code: 'Request_BadRequest', message: 'Invalid value for accountEnabled.' } }];
      }
      user.accountEnabled = body.accountEnabled;
      return [204, undefined];
    }
    return [405, { error: { code: 'Request_BadRequest', message: 'Method not allowed.' } }];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    authorityUrl: base,
    apiUrl: `${base}/v1.0`,
    users,
    calls,
    failNext: (failure) => failures.push({ ...failure, count: failure.count ?? 1 }),
    callsTo: (method, pathPrefix) =>
      calls.filter((call) => call.method === method && call.path.startsWith(pathPrefix)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function userView(user: FakeGraphUser): Record<string, unknown> {
  const { revokedCount: _revokedCount, ...view } = user;
  return view;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
