import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging';
import { startOrAttach } from '../../src/temporal/start';
import { createResponseWorker } from '../../src/temporal/worker';
import { decideUpdate, type ResponseInput } from '../../workflows/messages';
import { createFakeActivities, sampleAlert } from '../fakes/response';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { startDevServerEnv } from '../support/temporal';

quietTemporalRuntime();

function responseInput(): ResponseInput {
  return {
    alert: sampleAlert({ alertId: `alert-${randomUUID()}` }),
    settings: { decisionTimeout: '30 minutes', approvers: ['alice'], isSlackEnabled: false },
  };
}

describe('startOrAttach', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startDevServerEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('attaches a repeated alert to the running workflow', async () => {
    const input = responseInput();
    const taskQueue = `start-test-${randomUUID()}`;

    const first = await startOrAttach(env.client, input, { taskQueue });
    const second = await startOrAttach(env.client, input, { taskQueue });

    expect(first.isNew).toBe(true);
    expect(first.workflowId).toBe(`malseclogon-${input.alert.alertId}`);
    expect(second.isNew).toBe(false);
    expect(second.runId).toBe(first.runId);
    await env.client.workflow.getHandle(first.workflowId).terminate('test cleanup');
  });

  it('does not start a second run after the first completed', async () => {
    const input = responseInput();
    const taskQueue = `start-test-${randomUUID()}`;
    const worker = await createResponseWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      activities: createFakeActivities().activities,
      logger: createLogger('warn'),
      taskQueue,
    });
    const first = await worker.runUntil(async () => {
      const started = await startOrAttach(env.client, input, { taskQueue });
      const handle = env.client.workflow.getHandle(started.workflowId);
      await waitForUpdate(() =>
        handle.executeUpdate(decideUpdate, {
          args: [{ action: 'preserve', approver: 'alice', channel: 'cli' }],
        }),
      );
      await handle.result();
      return started;
    });

    const again = await startOrAttach(env.client, input, { taskQueue });

    expect(again.isNew).toBe(false);
    expect(again.runId).toBe(first.runId);
    const description = await env.client.workflow.getHandle(first.workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.runId).toBe(first.runId);
  });
});

/** Retries the update while the workflow is still enriching and rejects decisions. */
async function waitForUpdate(send: () => Promise<unknown>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await send();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
