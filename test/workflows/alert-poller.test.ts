/**
 * The alert poller on a Temporal CLI dev server, reading a loopback stand-in of Elasticsearch's
 * `_search` that returns, on the second poll, a page that overlaps the first.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertPollerActivities } from '../../activities/alert-poller';
import { ALERT_POLLER_WORKFLOW_TYPE } from '../../src/constants';
import { AlertIndexReader } from '../../src/intake/alert-index';
import { createLogger } from '../../src/logging';
import { startOrAttach } from '../../src/temporal/start';
import { createResponseWorker } from '../../src/temporal/worker';
import { alertPollerCursorQuery, type AlertPollerInput } from '../../workflows/alert-poller';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { startDevServerEnv } from '../support/temporal';

quietTemporalRuntime();

/** Resolves once `isDone` holds, checking every 50 ms; throws after `timeoutMs`. */
async function waitUntil(isDone: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!isDone()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const TEMPLATE = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', '..', 'data', 'alerts', 'positive-malseclogon.json'), 'utf8'),
) as Record<string, unknown>;

interface SearchRequest {
  path: string;
  body: { search_after?: unknown[]; query?: unknown; sort?: unknown };
}

/** An alert document of the rule with its own uuid, and the sort values Elasticsearch returns. */
function hit(uuid: string, timestampMs: number) {
  return {
    _index: '.internal.alerts-security.alerts-default-000001',
    _id: uuid,
    _source: { ...TEMPLATE, 'kibana.alert.uuid': uuid, '@timestamp': new Date(timestampMs).toISOString() },
    sort: [timestampMs, uuid],
  };
}

describe('alertPoller', () => {
  const suffix = randomUUID().slice(0, 8);
  const alertA = hit(`poll-a-${suffix}`, 1_700_000_000_000);
  const alertB = hit(`poll-b-${suffix}`, 1_700_000_060_000);
  const alertC = hit(`poll-c-${suffix}`, 1_700_000_120_000);
  // The first poll reads A and B; the second gets B again next to the new C.
  const pages = [[alertA, alertB], [alertB, alertC]];
  const searches: SearchRequest[] = [];
  const starts: { alertId: string; isNew: boolean }[] = [];
  let elasticsearch: Server;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    elasticsearch = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SearchRequest['body'];
        searches.push({ path: new URL(request.url ?? '/', 'http://127.0.0.1').pathname, body });
        const page = pages[searches.length - 1] ?? [];
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ took: 1, timed_out: false, hits: { max_score: null, hits: page } }));
      });
    });
    await new Promise<void>((resolve) => elasticsearch.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(elasticsearch.address() as AddressInfo).port}`;

    env = await startDevServerEnv();
    const settings = { decisionTimeout: '30 minutes', approvers: [], isSlackEnabled: false };
    // Response runs go to a queue without a worker: the test counts starts, not responses.
    const responseQueue = `poller-responses-${suffix}`;
    worker = await createResponseWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      logger: createLogger('warn'),
      taskQueue: `poller-${suffix}`,
      activities: createAlertPollerActivities({
        reader: new AlertIndexReader({ url, apiKey: 'es-test-key' }),
        pageSize: 2,
        maxPages: 1,
        startAlert: async (alert) => {
          const outcome = await startOrAttach(env.client, { alert, settings }, { taskQueue: responseQueue });
          starts.push({ alertId: alert.alertId, isNew: outcome.isNew });
          return outcome;
        },
      }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    elasticsearch?.closeAllConnections();
    await new Promise<void>((resolve) => elasticsearch?.close(() => resolve()));
  });

  it('starts each alert once and carries the cursor across continue-as-new', async () => {
    const input: AlertPollerInput = { interval: '200 milliseconds', pollsPerRun: 1 };
    const handle = await env.client.workflow.start(ALERT_POLLER_WORKFLOW_TYPE, {
      taskQueue: `poller-${suffix}`,
      workflowId: `alert-poller-${suffix}`,
      args: [input],
    });

    await waitUntil(() => searches.length >= 3, 30_000);
    const cursor = await handle.query(alertPollerCursorQuery);
    const description = await handle.describe();
    await handle.terminate('test finished');

    expect(starts).toEqual([
      { alertId: alertA._id, isNew: true },
      { alertId: alertB._id, isNew: true },
      { alertId: alertB._id, isNew: false },
      { alertId: alertC._id, isNew: true },
    ]);
    expect(searches[0]?.path).toBe('/.alerts-security.alerts-default/_search');
    expect(JSON.stringify(searches[0]?.body.query)).toContain(
      '{"term":{"kibana.alert.rule.rule_id":"7ba58110-ae13-439b-8192-357b0fcfa9d7"}}',
    );
    expect(JSON.stringify(searches[0]?.body.query)).toContain(
      '{"term":{"kibana.alert.workflow_status":"open"}}',
    );
    expect(searches[0]?.body.sort).toEqual([
      { '@timestamp': { order: 'asc' } },
      { 'kibana.alert.uuid': { order: 'asc' } },
    ]);
    expect(searches[0]?.body.search_after).toBeUndefined();
    expect(searches[1]?.body.search_after).toEqual(alertB.sort);
    expect(searches[2]?.body.search_after).toEqual(alertC.sort);
    expect(cursor).toEqual(alertC.sort);
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    for (const alert of [alertA, alertB, alertC]) {
      const run = await env.client.workflow.getHandle(`malseclogon-${alert._id}`).describe();
      expect(run.status.name).toBe('RUNNING');
    }
  });
});
