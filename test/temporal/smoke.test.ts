import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { decideUpdate } from '../../workflows/messages';
import { startTimeSkippingEnv } from '../support/temporal';

describe('time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that takes an update', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'smoke',
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflows', 'smoke.ts'),
    });

    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('smokeWorkflow', { taskQueue: 'smoke', workflowId: 'smoke-1' });
      await handle.executeUpdate(decideUpdate, { args: [{ action: 'preserve', approver: 'a', channel: 'cli' }] });
      return handle.result();
    });

    expect(result).toBe('preserve');
  });
});
