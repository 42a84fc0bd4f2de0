/**
 * 10,000 generated and mutated documents sent to the HTTP intake in NDJSON batches, against a
 * real dev server. No worker runs: the check is what the intake accepts and starts, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processBatch, type DocumentResult } from '../../src/intake/batch';
import { startIntakeServer, type IntakeServer } from '../../src/intake/server';
import { startOrAttach } from '../../src/temporal/start';
import { SETTINGS, startTemporal, type Temporal } from './support/harness';
import { generateDocuments } from './support/mutations';

const TASK_QUEUE = 'fault-intake-flood';
const TOKEN = 'flood-intake-token-0123456789';
const DOCUMENTS = 10_000;
const BATCH_SIZE = 500;
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SEED = 20_240_601;

interface Reply {
  status: number;
  body: { results?: DocumentResult[]; error?: string };
}

describe('intake under a flood of mutated documents', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-fault-flood-'));
  let temporal: Temporal;
  let intake: IntakeServer;

  beforeAll(async () => {
    temporal = await startTemporal(dataDir);
    const logger = pino({ level: 'silent' });
    intake = await startIntakeServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      maxBodyBytes: MAX_BODY_BYTES,
      logger,
      processBatch: (body, contentType) =>
        processBatch(
          body,
          contentType,
          (alert) => startOrAttach(temporal.client, { alert, settings: SETTINGS }, { taskQueue: TASK_QUEUE }),
          { logger },
        ),
      checkHealth: async () => ({ isHealthy: true, detail: 'not checked in this test' }),
    });
  });

  afterAll(async () => {
    await intake?.close();
    await temporal?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(body: string, authorization: string | null = `Bearer ${TOKEN}`): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (authorization !== null) headers.authorization = authorization;
    const response = await fetch(`${intake.url}/alerts`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Reply['body'] };
  }

  it('rejects each bad document with a path and starts each alert once', { timeout: 150_000 }, async () => {
    const documents = generateDocuments(DOCUMENTS, SEED);

    const results: DocumentResult[] = [];
    const statuses = new Set<number>();
    for (let first = 0; first < documents.length; first += BATCH_SIZE) {
      const batch = documents.slice(first, first + BATCH_SIZE);
      const reply = await post(batch.map((document) => document.line).join('\n'));
      statuses.add(reply.status);
      expect(reply.body.results).toHaveLength(batch.length);
      results.push(...(reply.body.results ?? []).map((result) => ({ ...result, index: result.index + first })));
    }

    expect([...statuses]).toEqual([200]);
    expect(results.map((result) => result.index)).toEqual(documents.map((_, index) => index));
    for (const result of results) {
      if (result.status === 'invalid') {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(error.path).toMatch(/^\$/);
          expect(error.message.length).toBeGreaterThan(0);
        }
      } else if (result.status === 'not-matching') {
        expect(result.failures.map((failure) => failure.field.length > 0)).not.toContain(false);
      } else {
        expect(result.status).toBe('accepted');
      }
    }
    const expectedIds = new Set(documents.flatMap((document) => (document.uuid ? [document.uuid] : [])));
    for (const [index, document] of documents.entries()) {
      if (document.kind === 'valid' || document.kind === 'repeat') expect(results[index]?.status).toBe('accepted');
      if (document.kind === 'malformed-line') expect(results[index]?.status).toBe('invalid');
    }
    const accepted = results.flatMap((result) => (result.status === 'accepted' ? [result] : []));
    const workflowsByAlert = new Map<string, Set<string>>();
    for (const result of accepted) {
      workflowsByAlert.set(result.alertId, (workflowsByAlert.get(result.alertId) ?? new Set()).add(result.workflowId));
    }
    const distinctWorkflows = new Set(accepted.map((result) => result.workflowId));
    expect([...workflowsByAlert.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect(distinctWorkflows.size).toBe(workflowsByAlert.size);
    expect(workflowsByAlert.size).toBeGreaterThanOrEqual(expectedIds.size);
    const { count } = await temporal.client.workflow.count(`TaskQueue = '${TASK_QUEUE}'`);
    expect(count).toBe(distinctWorkflows.size);
  });

  it('answers 413 to an oversized body and 401 without the right token', async () => {
    const line = generateDocuments(1, SEED)[0]?.line ?? '';
    const oversized = Array.from({ length: Math.ceil(MAX_BODY_BYTES / line.length) + 1 }, () => line).join('\n');

    const tooLarge = await post(oversized);
    const missing = await post(line, null);
    const wrong = await post(line, 'Bearer not-the-token-at-all-000000');

    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toContain(String(MAX_BODY_BYTES));
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(missing.body.results).toBeUndefined();
    expect(wrong.body.error).toContain('bearer token');
  });
});
