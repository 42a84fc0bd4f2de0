/**
 * Runs the response workflow on the time-skipping test server with fake activities: one bundle per
 * file, and a fresh worker on its own task queue per run.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../../src/constants';
import { createLogger } from '../../src/logging';
import { WORKFLOWS_PATH, createResponseWorker } from '../../src/temporal/worker';
import type { malSecLogonResponse } from '../../workflows/malseclogon';
import {
  decideUpdate,
  isAwaitingConfirmation,
  stateQuery,
  type DecideResult,
  type DecisionRequest,
  type ResponsePhase,
  type ResponseSettings,
} from '../../workflows/messages';
import type { Decision } from '../../src/response/types';
import { sampleAlert, type createFakeActivities } from '../fakes/response';
import { startTimeSkippingEnv } from '../support/temporal';

export type ResponseHandle = WorkflowHandle<typeof malSecLogonResponse>;

export interface WorkflowHarness {
  env: TestWorkflowEnvironment;
  /** Runs `body` against a fresh worker with `fakes`, on a workflow started with `settings`. */
  withWorkflow<T>(
    fakes: ReturnType<typeof createFakeActivities>,
    settings: ResponseSettings,
    body: (handle: ResponseHandle) => Promise<T>,
  ): Promise<T>;
  teardown(): Promise<void>;
}

/** Starts the time-skipping server and bundles the workflows once. */
export async function startWorkflowHarness(): Promise<WorkflowHarness> {
  const env = await startTimeSkippingEnv();
  const logger = createLogger('warn');
  const workflowBundle: WorkflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
  });

  return {
    env,
    async withWorkflow(fakes, settings, body) {
      const taskQueue = `malseclogon-test-${randomUUID()}`;
      const worker = await createResponseWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        activities: fakes.activities,
        logger,
        taskQueue,
        workflowBundle,
      });
      return worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof malSecLogonResponse>(
          WORKFLOW_TYPE,
          {
            taskQueue,
            workflowId: `malseclogon-test-${randomUUID()}`,
            args: [{ alert: sampleAlert(), settings }],
          },
        );
        return body(handle);
      });
    },
    teardown: () => env.teardown(),
  };
}

/** Sends a decision once the workflow awaits one; returns the update's result. */
export async function decide(
  handle: ResponseHandle,
  request: DecisionRequest,
): Promise<DecideResult> {
  await waitForPhase(handle, 'awaiting-decision', ['responding', 'done']);
  return handle.executeUpdate(decideUpdate, { args: [request] });
}

/** Narrows an update result to a final decision; throws when it is a first approval. */
export function asDecision(result: DecideResult): Decision {
  if (isAwaitingConfirmation(result)) {
    throw new Error(`expected a final decision, got a first approval of '${result.action}'`);
  }
  return result;
}

/** Returns the validator's message from a rejected update; fails the test if it was accepted. */
export async function rejectionOf(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
    throw error;
  }
  throw new Error('update was accepted but a rejection was expected');
}

/** Polls the state query until the phase is `phase` (or one of `orLater`). */
export async function waitForPhase(
  handle: ResponseHandle,
  phase: ResponsePhase,
  orLater: ResponsePhase[] = [],
): Promise<void> {
  await waitUntil(async () => {
    const state = await handle.query(stateQuery);
    return state.phase === phase || orLater.includes(state.phase);
  });
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
