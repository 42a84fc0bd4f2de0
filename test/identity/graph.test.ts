/**
 * The Microsoft Graph client against a loopback stand-in of the Entra ID token endpoint and the
 * Graph user APIs: the token request, the lookup by on-premises SID, and error translation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityApiError } from '../../src/errors';
import { GraphClient } from '../../src/identity/graph';
import { startFakeGraph, type FakeGraph } from '../fakes/graph';

const CREDENTIALS = { tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'secret-1' };
const SID = 'S-1-5-21-1-2-3-1104';

let graph: FakeGraph;

beforeEach(async () => {
  graph = await startFakeGraph(CREDENTIALS);
  graph.users.push({
    id: 'user-1',
    userPrincipalName: 'bob@corp.example',
    onPremisesSecurityIdentifier: SID,
    accountEnabled: true,
    revokedCount: 0,
  });
});

afterEach(async () => {
  await graph.close();
});

function client(overrides: Partial<typeof CREDENTIALS> = {}): GraphClient {
  return new GraphClient({
    ...CREDENTIALS,
    ...overrides,
    authorityUrl: graph.authorityUrl,
    apiUrl: graph.apiUrl,
    timeoutMs: 2_000,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<IdentityApiError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(IdentityApiError);
  return error as IdentityApiError;
}

describe('GraphClient', () => {
  it('finds the user by on-premises SID with one token', async () => {
    const graphClient = client();

    const user = await graphClient.findUserBySid(SID);
    await graphClient.findUserBySid('S-1-5-21-9-9-9-1000');

    expect(user).toMatchObject({ id: 'user-1', userPrincipalName: 'bob@corp.example', accountEnabled: true });
    expect(graph.callsTo('POST', '/tenant-1/oauth2/v2.0/token')).toHaveLength(1);
    const [lookup] = graph.callsTo('GET', '/v1.0/users');
    expect(lookup?.query.get('$filter')).toBe(`onPremisesSecurityIdentifier eq '${SID}'`);
    expect(lookup?.consistencyLevel).toBe('eventual');
    expect(lookup?.authorization).toBe('Bearer graph-test-token');
  });

  it('returns undefined for an unknown SID', async () => {
    expect(await client().findUserBySid('S-1-5-21-9-9-9-1000')).toBeUndefined();
  });

  it('revokes sessions and disables the account', async () => {
    const graphClient = client();

    const revoked = await graphClient.revokeSignInSessions('user-1');
    await graphClient.setAccountEnabled('user-1', false);

    expect(revoked).toBe(true);
    expect(graph.users[0]?.revokedCount).toBe(1);
    expect(graph.users[0]?.accountEnabled).toBe(false);
    expect(JSON.parse(graph.callsTo('PATCH', '/v1.0/users/user-1')[0]?.body ?? '{}')).toEqual({
      accountEnabled: false,
    });
  });

  it('names the missing permissions on 403 without retry', async () => {
    graph.failNext({ route: 'POST /v1.0/users/user-1/revokeSignInSessions', status: 403 });

    const error = await failureOf(client().revokeSignInSessions('user-1'));

    expect(error.retryable).toBe(false);
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/User\.ReadWrite\.All and User\.RevokeSessions\.All/);
    expect(error.message).toMatch(/Authorization_RequestDenied/);
  });

  it('marks 429 and 503 retryable', async () => {
    graph.failNext({ route: 'GET /v1.0/users', status: 429 });
    graph.failNext({ route: 'PATCH /v1.0/users/user-1', status: 503 });

    const throttled = await failureOf(client().findUserBySid(SID));
    const unavailable = await failureOf(client().setAccountEnabled('user-1', false));

    expect(throttled.retryable).toBe(true);
    expect(unavailable.retryable).toBe(true);
    expect(graph.users[0]?.accountEnabled).toBe(true);
  });

  it('reports rejected client credentials without retry', async () => {
    const error = await failureOf(client({ clientSecret: 'wrong' }).findUserBySid(SID));

    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/HTTP 401.*AADSTS7000215.*GRAPH_CLIENT_SECRET/);
    expect(graph.callsTo('GET', '/v1.0/users')).toEqual([]);
  });
});
