/**
 * The Kibana connector's account steps with Microsoft Graph account containment, against
 * loopback stand-ins of Kibana and of Microsoft Entra ID with Graph.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResponseTargetError } from '../../src/errors';
import { AccountContainment } from '../../src/identity/account-containment';
import { GraphClient } from '../../src/identity/graph';
import { KibanaClient } from '../../src/kibana/client';
import { KibanaConnector } from '../../src/response/kibana-connector';
import { planResponse } from '../../src/response/plan';
import type { Action, StepName, StepRequest } from '../../src/response/types';
import { startFakeGraph, type FakeGraph } from '../fakes/graph';
import { startFakeKibana, type FakeKibana } from '../fakes/kibana';
import { sampleAlert, suspiciousLocalAnswers } from '../fakes/response';

const API_KEY = 'a2liYW5hLXRlc3Qta2V5';
const CREDENTIALS = { tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'secret-1' };
const alert = sampleAlert({ alertId: 'alert-0001' });
const SID = alert.user.id ?? '';

let kibana: FakeKibana;
let graph: FakeGraph;

beforeEach(async () => {
  kibana = await startFakeKibana({ apiKey: API_KEY });
  kibana.state.endpoints.push({ agentId: 'agent-1', hostId: 'host-1', hostname: 'ws-042' });
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
  await kibana.close();
  await graph.close();
});

function connector(): KibanaConnector {
  const client = new KibanaClient({ url: kibana.url, apiKey: API_KEY, timeoutMs: 2_000 });
  const graphClient = new GraphClient({
    ...CREDENTIALS,
    authorityUrl: graph.authorityUrl,
    apiUrl: graph.apiUrl,
    timeoutMs: 2_000,
  });
  return new KibanaConnector({
    client,
    space: 'default',
    defend: { pollIntervalMs: 5, maxWaitMs: 2_000 },
    accounts: new AccountContainment(graphClient),
  });
}

function step(action: Action, name: StepName): StepRequest {
  const decision = { action, decidedBy: 'alice', decidedAt: '2024-05-02T10:20:00.000Z', channel: 'cli' as const };
  const found = planResponse(alert, suspiciousLocalAnswers(), decision).find((request) => request.step === name);
  if (!found) throw new Error(`no ${name} in the plan of ${action}`);
  return found;
}

function caseComments(): string[] {
  return (kibana.state.cases[0]?.comments ?? []).map((comment) => String(comment.comment ?? ''));
}

describe('KibanaConnector with Graph account containment', () => {
  it('revokes sessions and disables the account on contain-account', async () => {
    const receipt = await connector().execute(step('isolate', 'contain-account'));

    expect(receipt.effect).toBe('applied');
    expect(receipt.detail).toMatchObject({ graphUserId: 'user-1', accountDisabled: true, sessionsRevoked: true });
    expect(graph.users[0]?.revokedCount).toBe(1);
    expect(graph.users[0]?.accountEnabled).toBe(false);
    expect(caseComments().some((text) => text.startsWith('[soar alert-0001:contain-account/disable]'))).toBe(true);
  });

  it('only revokes sessions on limit-user', async () => {
    await connector().execute(step('contain', 'limit-user'));

    expect(graph.users[0]?.revokedCount).toBe(1);
    expect(graph.users[0]?.accountEnabled).toBe(true);
    expect(graph.callsTo('PATCH', '/v1.0/users')).toEqual([]);
  });

  it('re-enables the account this alert disabled on reverse-containment', async () => {
    await connector().execute(step('isolate', 'contain-account'));

    const receipt = await connector().execute(step('close-benign', 'reverse-containment'));

    expect(graph.users[0]?.accountEnabled).toBe(true);
    expect(receipt.detail).toMatchObject({ reenabledGraphUserId: 'user-1' });
    expect(caseComments().at(-1)).toMatch(/re-enabled/);
  });

  it('leaves an account disabled before the alert disabled on reversal', async () => {
    const account = graph.users[0];
    if (account) account.accountEnabled = false;

    const contained = await connector().execute(step('isolate', 'contain-account'));
    await connector().execute(step('close-benign', 'reverse-containment'));

    expect(contained.detail).toMatchObject({ wasAlreadyDisabled: true });
    expect(graph.users[0]?.accountEnabled).toBe(false);
    expect(graph.callsTo('PATCH', '/v1.0/users')).toEqual([]);
    expect(caseComments().at(-1)).toMatch(/No account was disabled by this alert/);
  });

  it('knows it disabled the account when a retry finds it disabled', async () => {
    const request = step('isolate', 'contain-account');
    await connector().execute(request);
    // As if the worker died after the PATCH and before the step's own comment.
    kibana.state.cases[0]?.comments.splice(-1, 1);

    const retried = await connector().execute(request);
    await connector().execute(step('close-benign', 'reverse-containment'));

    expect(retried.detail).toMatchObject({ accountDisabled: true });
    expect(retried.detail).not.toHaveProperty('wasAlreadyDisabled');
    expect(graph.users[0]?.accountEnabled).toBe(true);
  });

  it('fails without retry when no Entra ID user has the SID', async () => {
    graph.users.length = 0;

    const error = await connector()
      .execute(step('isolate', 'contain-account'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResponseTargetError);
    expect((error as Error).message).toMatch(new RegExp(`no Microsoft Entra ID user has onPremisesSecurityIdentifier ${SID}`));
  });
});
