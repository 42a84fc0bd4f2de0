import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert/alert';
import { processBatch } from '../../src/intake/batch';
import { startIntakeServer, type IntakeServer } from '../../src/intake/server';
import { createLogger } from '../../src/logging';

const TOKEN = 'intake-test-token-0123456789';
const ALERTS_DIR = path.resolve(__dirname, '..', '..', 'data', 'alerts');
const positive = JSON.parse(readFileSync(path.join(ALERTS_DIR, 'positive-malseclogon.json'), 'utf8'));
const nearMiss = JSON.parse(readFileSync(path.join(ALERTS_DIR, 'near-miss-seclogon.json'), 'utf8'));

/** The JSON body of a `POST /alerts` answer, typed loosely as a client reads it. */
interface BatchReply {
  error?: string;
  results: {
    status: string;
    workflowId?: string;
    isNew?: boolean;
    error?: string;
    errors?: { path: string }[];
    failures?: { field: string }[];
  }[];
}

describe('intake server', () => {
  let server: IntakeServer;
  const started: Alert[] = [];
  let failingAlertId: string | undefined;

  beforeAll(async () => {
    server = await startIntakeServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      maxBodyBytes: 64 * 1024,
      logger: createLogger('silent'),
      processBatch: (body, contentType) =>
        processBatch(body, contentType, async (alert) => {
          if (alert.alertId === failingAlertId) throw new Error('Temporal unavailable');
          const isNew = !started.some((earlier) => earlier.alertId === alert.alertId);
          started.push(alert);
          return { workflowId: `wf-${alert.alertId}`, isNew };
        }),
      checkHealth: async () => ({ isHealthy: true, detail: 'test' }),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it('rejects a missing or wrong token with 401', async () => {
    const missing = await fetch(`${server.url}/alerts`, { method: 'POST', body: '[]' });
    const wrong = await post('[]', { authorization: 'Bearer not-the-token' });

    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(started).toHaveLength(0);
  });

  it('rejects an oversized body with 413', async () => {
    const response = await post(JSON.stringify([{ padding: 'x'.repeat(70 * 1024) }]));

    expect(response.status).toBe(413);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await post('this is not json');
    const body = (await response.json()) as BatchReply;

    expect(response.status).toBe(400);
    expect(body.error).toBeTypeOf('string');
  });

  it('accepts valid NDJSON lines beside an invalid one', async () => {
    const ndjson = [JSON.stringify(positive), '{"broken": ', JSON.stringify(nearMiss)].join('\n');

    const response = await post(ndjson, { 'content-type': 'application/x-ndjson' });
    const body = (await response.json()) as BatchReply;

    expect(response.status).toBe(200);
    expect(body.results.map((result) => result.status)).toEqual([
      'accepted',
      'invalid',
      'not-matching',
    ]);
    expect(body.results[1]?.errors?.[0]?.path).toMatch(/^\$\[1\]/);
    expect(body.results[2]?.failures?.[0]?.field).toBe('winlog.event_data.TargetImage');
  });

  it('reaches the same workflow for a re-delivered alert', async () => {
    const first = (await (await post(JSON.stringify(positive))).json()) as BatchReply;
    const second = (await (await post(JSON.stringify({ alerts: [positive] }))).json()) as BatchReply;

    expect(second.results[0]?.workflowId).toBe(first.results[0]?.workflowId);
    expect(second.results[0]?.isNew).toBe(false);
  });

  it('answers 503 when a start fails and keeps the other results', async () => {
    const other = { ...positive, 'kibana.alert.uuid': 'second-alert-uuid' };
    failingAlertId = 'second-alert-uuid';

    const response = await post(JSON.stringify([positive, other]));
    const body = (await response.json()) as BatchReply;
    failingAlertId = undefined;

    expect(response.status).toBe(503);
    expect(body.results[0]?.status).toBe('accepted');
    expect(body.results[1]?.status).toBe('failed');
    expect(body.results[1]?.error).toContain('Temporal unavailable');
  });

  it('reports health and rejects other routes', async () => {
    const health = await fetch(`${server.url}/healthz`);
    const wrongMethod = await fetch(`${server.url}/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const unknown = await fetch(`${server.url}/nothing`);

    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect(wrongMethod.status).toBe(405);
    expect(unknown.status).toBe(404);
  });
});
