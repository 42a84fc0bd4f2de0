/**
 * The Kibana response connector against a loopback stand-in of the Kibana APIs: step order,
 * idempotency across a fresh connector (as after a worker restart), error translation, Elastic
 * Defend action polling and the exact exception entries.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createResponseActivities } from '../../activities/response';
import { RULE_ID, RULE_NAME } from '../../src/constants';
import {
  KibanaApiError,
  ResponseActionFailedError,
  ResponseTargetError,
  UnsafeResponseError,
} from '../../src/errors';
import { KibanaClient } from '../../src/kibana/client';
import { KibanaConnector } from '../../src/response/kibana-connector';
import { planResponse } from '../../src/response/plan';
import type { Action, StepName, StepRequest, StepResult } from '../../src/response/types';
import { startFakeKibana, type FakeKibana } from '../fakes/kibana';
import type { VolatileCapture } from '../../src/response/kibana-volatile-capture';
import { TOOL_ENTITY_ID, TOOL_EXECUTABLE, sampleAlert, suspiciousLocalAnswers } from '../fakes/response';

const API_KEY = 'a2liYW5hLXRlc3Qta2V5';
const RULE_UUID = '3a7b1c2d-0000-4000-8000-000000000001';
const alert = sampleAlert({ alertId: 'alert-0001', ruleUuid: RULE_UUID });

let kibana: FakeKibana;
let heartbeats: unknown[];

beforeEach(async () => {
  kibana = await startFakeKibana({ apiKey: API_KEY });
  kibana.state.endpoints.push({ agentId: 'agent-1', hostId: 'host-1', hostname: 'ws-042' });
  kibana.state.rules.push({ id: RULE_UUID, rule_id: RULE_ID, name: RULE_NAME });
  kibana.state.actionBehaviour = { outcome: 'successful', readsUntilDone: 1 };
  heartbeats = [];
});

afterEach(async () => {
  await kibana.close();
});

function connector(options: { space?: string; apiKey?: string; maxWaitMs?: number } = {}) {
  const space = options.space ?? 'default';
  const client = new KibanaClient({ url: kibana.url, apiKey: options.apiKey ?? API_KEY, space, timeoutMs: 2_000 });
  return new KibanaConnector({
    client,
    space,
    defend: {
      pollIntervalMs: 5,
      maxWaitMs: options.maxWaitMs ?? 2_000,
      heartbeat: (details) => heartbeats.push(details),
    },
  });
}

function plannedSteps(action: Action): StepRequest[] {
  const decision = { action, decidedBy: 'alice', decidedAt: '2024-05-02T10:20:00.000Z', channel: 'cli' as const };
  return planResponse(alert, suspiciousLocalAnswers(), decision);
}

function step(action: Action, name: StepName): StepRequest {
  const found = plannedSteps(action).find((request) => request.step === name);
  if (!found) throw new Error(`no ${name} in the plan of ${action}`);
  return found;
}

function preserveWithDumps(paths: string[]): StepRequest {
  const planned = step('isolate', 'preserve-evidence');
  return { ...planned, parameters: { ...planned.parameters, dumpArtifactPaths: paths } };
}

function routeIndex(route: string): number {
  return kibana.calls.findIndex((call) => `${call.method} ${call.path}` === route);
}

describe('KibanaConnector', () => {
  it('creates the case before it isolates the host', async () => {
    const kibanaConnector = connector({ space: 'soc' });

    for (const request of plannedSteps('isolate')) await kibanaConnector.execute(request);

    expect(routeIndex('POST /api/cases')).toBeGreaterThanOrEqual(0);
    expect(routeIndex('POST /api/cases')).toBeLessThan(routeIndex('POST /api/endpoint/action/isolate'));
    const [isolate] = kibana.callsTo('POST /api/endpoint/action/isolate');
    expect(isolate?.body).toMatchObject({ endpoint_ids: ['agent-1'], case_ids: [kibana.state.cases[0]?.id] });
    expect(kibana.calls.every((call) => call.space === 'soc')).toBe(true);
    expect(kibana.calls.filter((call) => call.method === 'POST').every((call) => call.xsrf === 'true')).toBe(true);
  });

  it('attaches the alert and records the evidence in the case', async () => {
    await connector().execute(step('isolate', 'preserve-evidence'));

    const comments = kibana.state.cases[0]?.comments ?? [];
    expect(comments[0]).toMatchObject({
      type: 'alert',
      alertId: 'alert-0001',
      index: '.alerts-security.alerts-default',
      rule: { id: RULE_UUID, name: RULE_NAME },
    });
    expect(String(comments[1]?.comment)).toMatch(/^\[soar alert-0001:preserve-evidence\] Evidence preserved/);
    expect(kibana.state.cases[0]?.tags).toContain('soar-alert:alert-0001');
  });

  it('acknowledges the alert on escalate and closes it on close-alert', async () => {
    await connector().execute(step('preserve', 'escalate'));
    await connector().execute(step('close-benign', 'close-alert'));

    expect(kibana.state.alertStatuses).toEqual([
      { ids: ['alert-0001'], status: 'acknowledged' },
      { ids: ['alert-0001'], status: 'closed' },
    ]);
  });

  it('creates one case, isolation and exception when steps repeat', async () => {
    const steps = [
      step('isolate', 'preserve-evidence'),
      step('isolate', 'isolate-host'),
      step('exception', 'create-exception'),
    ];

    for (const request of steps) await connector().execute(request);
    for (const request of steps) await connector().execute(request);

    expect(kibana.callsTo('POST /api/cases')).toHaveLength(1);
    expect(kibana.callsTo('POST /api/endpoint/action/isolate')).toHaveLength(1);
    expect(kibana.callsTo(`POST /api/detection_engine/rules/${RULE_UUID}/exceptions`)).toHaveLength(1);
    const markers = (kibana.state.cases[0]?.comments ?? [])
      .map((comment) => /^\[soar ([^\]]+)\]/.exec(String(comment.comment ?? ''))?.[1])
      .filter((marker) => marker !== undefined);
    expect(markers).toEqual([...new Set(markers)]);
  });

  it('fails without retry when the host has no Defend agent', async () => {
    kibana.state.endpoints.length = 0;

    const error = await connector()
      .execute(step('isolate', 'isolate-host'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResponseTargetError);
    expect((error as ResponseTargetError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/ws-042 \(host\.id host-1\) has no Elastic Defend agent/);
    expect(kibana.callsTo('POST /api/endpoint/action/isolate')).toEqual([]);
  });

  it('names the missing privilege on 403', async () => {
    kibana.failNext({ route: 'POST /api/cases', status: 403, privilege: 'cases_write' });

    const error = await connector()
      .execute(step('isolate', 'preserve-evidence'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KibanaApiError);
    expect((error as KibanaApiError).retryable).toBe(false);
    expect((error as KibanaApiError).status).toBe(403);
    expect((error as Error).message).toMatch(/missing Kibana privilege cases_write/);
  });

  it('reports a rejected API key without retry', async () => {
    const error = await connector({ apiKey: 'wrong' })
      .execute(step('isolate', 'preserve-evidence'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KibanaApiError);
    expect((error as KibanaApiError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/HTTP 401.*KIBANA_API_KEY/);
  });

  it('marks 503 retryable and succeeds on the retry', async () => {
    kibana.failNext({ route: 'GET /api/cases/_find', status: 503 });
    const request = step('isolate', 'preserve-evidence');

    const error = await connector().execute(request).catch((caught: unknown) => caught);
    const receipt = await connector().execute(request);

    expect(error).toBeInstanceOf(KibanaApiError);
    expect((error as KibanaApiError).retryable).toBe(true);
    expect(receipt.effect).toBe('applied');
    expect(kibana.callsTo('POST /api/cases')).toHaveLength(1);
  });

  it('polls an action until it completes, heartbeating each read', async () => {
    kibana.state.actionBehaviour = { outcome: 'successful', readsUntilDone: 3 };

    const receipt = await connector().execute(step('isolate', 'isolate-host'));

    expect(receipt.detail).toMatchObject({ endpointId: 'agent-1', actionId: kibana.state.actions[0]?.id });
    expect(kibana.state.actions[0]?.reads).toBe(3);
    expect(heartbeats).toHaveLength(4);
  });

  it('fails without retry when the action fails', async () => {
    kibana.state.actionBehaviour = { outcome: 'failed', readsUntilDone: 2 };

    const error = await connector()
      .execute(step('isolate', 'isolate-host'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResponseActionFailedError);
    expect((error as Error).message).toMatch(/isolate action .* failed: The host did not apply the action/);
  });

  it('fails without retry when the action expires', async () => {
    kibana.state.actionBehaviour = { outcome: 'expired', readsUntilDone: 1 };

    const error = await connector()
      .execute(step('isolate', 'isolate-host'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResponseActionFailedError);
    expect((error as Error).message).toMatch(/expired/);
  });

  it('resumes waiting for the same action after a pending timeout', async () => {
    kibana.state.actionBehaviour = { outcome: 'successful', readsUntilDone: 1_000 };
    const request = step('isolate', 'isolate-host');

    const error = await connector({ maxWaitMs: 30 }).execute(request).catch((caught: unknown) => caught);
    kibana.state.actionBehaviour.readsUntilDone = 0;
    const receipt = await connector().execute(request);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ResponseActionFailedError);
    expect((error as Error).message).toMatch(/still pending/);
    expect(kibana.callsTo('POST /api/endpoint/action/isolate')).toHaveLength(1);
    expect(receipt.detail).toMatchObject({ actionId: kibana.state.actions[0]?.id });
  });

  it('suspends the recovered tool by entity id', async () => {
    await connector().execute(step('contain', 'suspend-process'));

    const [suspend] = kibana.callsTo('POST /api/endpoint/action/suspend_process');
    expect(suspend?.body).toMatchObject({ endpoint_ids: ['agent-1'] });
    // The API takes entity_id or pid, never both.
    expect((suspend?.body as { parameters: unknown }).parameters).toEqual({ entity_id: TOOL_ENTITY_ID });
    expect(kibana.state.actions[0]?.command).toBe('suspend-process');
  });

  it('rejects a suspension request without an entity id before any action', async () => {
    const planned = step('contain', 'suspend-process');
    const { entity_id: _entityId, ...parameters } = planned.parameters;

    const error = await connector()
      .execute({ ...planned, parameters })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResponseTargetError);
    expect((error as Error).message).toMatch(/process\.entity_id/);
    expect(kibana.callsTo('POST /api/endpoint/action/suspend_process')).toEqual([]);
  });

  it('rejects a suspension of svchost.exe even with an entity id', async () => {
    const planned = step('contain', 'suspend-process');
    const svchost = { ...planned, target: { ...planned.target, executable: 'C:\\Windows\\System32\\svchost.exe' } };

    const error = await connector().execute(svchost).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnsafeResponseError);
    expect(kibana.calls).toEqual([]);
  });

  it('collects running processes and dump files during preservation', async () => {
    const request = preserveWithDumps(['C:\\Temp\\lsass.dmp', 'C:\\Temp\\notes.txt']);

    const receipt = await connector().execute(request);

    const [processes] = kibana.callsTo('POST /api/endpoint/action/running_procs');
    expect(processes?.body).toMatchObject({ endpoint_ids: ['agent-1'], case_ids: [kibana.state.cases[0]?.id] });
    const files = kibana.callsTo('POST /api/endpoint/action/get_file');
    expect(files.map((call) => (call.body as { parameters: unknown }).parameters)).toEqual([
      { path: 'C:\\Temp\\lsass.dmp' },
      { path: 'C:\\Temp\\notes.txt' },
    ]);
    const capture = (receipt.detail as { volatileCapture: VolatileCapture }).volatileCapture;
    expect(capture.actions.map((action) => [action.command, action.status])).toEqual([
      ['running-processes', 'successful'],
      ['get-file', 'successful'],
      ['get-file', 'successful'],
    ]);
    expect(capture.actions[0]?.detail).toBe('2 processes');
    expect(capture.actions[1]?.detail).toBe('sha256 sha256-of-lsass.dmp, 4096 bytes');
    const comment = String(kibana.state.cases[0]?.comments.at(-1)?.comment);
    expect(comment).toContain(`running-processes: Elastic Defend action ${capture.actions[0]?.actionId} successful`);
    expect(comment).toContain('get-file C:\\Temp\\notes.txt: Elastic Defend action');
  });

  it('records a dump file the endpoint could not fetch', async () => {
    kibana.state.getFileOutcomes['C:\\Temp\\gone.dmp'] = 'failed';

    const receipt = await connector().execute(preserveWithDumps(['C:\\Temp\\gone.dmp']));

    const capture = (receipt.detail as { volatileCapture: VolatileCapture }).volatileCapture;
    expect(capture.actions[1]).toMatchObject({
      command: 'get-file',
      path: 'C:\\Temp\\gone.dmp',
      status: 'failed',
      detail: 'The host did not apply the action',
    });
    expect(receipt.effect).toBe('applied');
  });

  it('sends each preservation action once when the step repeats', async () => {
    const request = preserveWithDumps(['C:\\Temp\\lsass.dmp']);

    await connector().execute(request);
    await connector().execute(request);

    expect(kibana.callsTo('POST /api/endpoint/action/running_procs')).toHaveLength(1);
    expect(kibana.callsTo('POST /api/endpoint/action/get_file')).toHaveLength(1);
  });

  it('skips volatile collection on a host without a Defend agent', async () => {
    kibana.state.endpoints.length = 0;

    const receipt = await connector().execute(preserveWithDumps(['C:\\Temp\\lsass.dmp']));

    const capture = (receipt.detail as { volatileCapture: VolatileCapture }).volatileCapture;
    expect(capture.skippedReason).toMatch(/ws-042 \(host\.id host-1\) has no Elastic Defend agent/);
    expect(kibana.callsTo('POST /api/endpoint/action/running_procs')).toEqual([]);
    expect(String(kibana.state.cases[0]?.comments.at(-1)?.comment)).toContain(
      'Volatile state was not collected through Elastic Defend',
    );
  });

  it('requests no file when Q4 found no dump paths', async () => {
    const receipt = await connector().execute(step('isolate', 'preserve-evidence'));

    const capture = (receipt.detail as { volatileCapture: VolatileCapture }).volatileCapture;
    expect(capture.actions.map((action) => action.command)).toEqual(['running-processes']);
    expect(kibana.callsTo('POST /api/endpoint/action/get_file')).toEqual([]);
    expect(String(kibana.state.cases[0]?.comments.at(-1)?.comment)).toContain('no dump file paths were found');
  });

  it('releases the isolation of the same alert on reverse-containment', async () => {
    await connector().execute(step('isolate', 'isolate-host'));

    const receipt = await connector().execute(step('close-benign', 'reverse-containment'));

    const [release] = kibana.callsTo('POST /api/endpoint/action/unisolate');
    expect(release?.body).toMatchObject({ endpoint_ids: ['agent-1'] });
    expect(receipt.detail).toMatchObject({ releaseActionId: kibana.state.actions[1]?.id });
  });

  it('records account steps as escalated to the identity team', async () => {
    const receipt = await connector().execute(step('isolate', 'contain-account'));

    expect(receipt.effect).toBe('recorded');
    const comment = kibana.state.cases[0]?.comments.at(-1);
    expect(String(comment?.comment)).toMatch(/escalated to the identity team/);
  });

  it('writes exactly the six tuple fields as match entries', async () => {
    const request = step('exception', 'create-exception');

    await connector().execute(request);

    const [create] = kibana.callsTo(`POST /api/detection_engine/rules/${RULE_UUID}/exceptions`);
    const items = (create?.body as { items: { entries: unknown[] }[] }).items;
    expect(items).toHaveLength(1);
    expect(items[0]?.entries).toEqual([
      { field: 'winlog.event_data.SourceImage', operator: 'included', type: 'match', value: alert.access.sourceImage },
      { field: 'winlog.event_data.CallTrace', operator: 'included', type: 'match', value: alert.access.callTrace },
      { field: 'winlog.event_data.GrantedAccess', operator: 'included', type: 'match', value: '0x14c0' },
      { field: 'labels.malseclogon_initiator', operator: 'included', type: 'match', value: TOOL_EXECUTABLE },
      { field: 'user.id', operator: 'included', type: 'match', value: alert.user.id },
      { field: 'host.id', operator: 'included', type: 'match', value: 'host-1' },
    ]);
  });

  it('rejects a broader exception before any request', async () => {
    const planned = step('exception', 'create-exception');
    const broader = { ...planned, target: { ...planned.target, processName: 'svchost.exe' } };

    const error = await connector().execute(broader).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnsafeResponseError);
    expect(kibana.calls).toEqual([]);
  });
});

describe('runResponseStep with the Kibana connector', () => {
  it('fails without retry when the host has no Defend agent', async () => {
    kibana.state.endpoints.length = 0;
    const { runResponseStep } = createResponseActivities({ connector: connector() });
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => undefined) });

    const failure = await env
      .run<[Parameters<typeof runResponseStep>[0]], StepResult, typeof runResponseStep>(runResponseStep, {
        alertId: 'alert-0001',
        request: step('isolate', 'isolate-host'),
      })
      .catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).type).toBe('ResponseTargetError');
  });
});
