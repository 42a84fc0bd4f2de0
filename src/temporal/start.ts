import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { workflowIdFor } from '../alert/identity';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../constants';
import type { SearchAttributePair } from '@temporalio/common';
import type { Alert } from '../alert/alert';
import type { ResponseInput, ResponseResult } from '../../workflows/messages';
import { ALERT_ID_KEY, HOST_KEY, STATE_KEY, USER_KEY } from './search-attributes';

export interface StartOrAttachOptions {
  /**
   * Workflow id for the alert.
   * @default workflowIdFor(alert), which hashes ids that are long or hold unsafe characters
   */
  workflowId?: string;
  /** @default TASK_QUEUE */
  taskQueue?: string;
}

export interface StartOutcome {
  workflowId: string;
  runId: string;
  /** False when a run for this alert already existed, whether still running or finished. */
  isNew: boolean;
}

/**
 * Starts the response workflow for an alert, or attaches to the run that already exists for it.
 *
 * The workflow id derives from the alert's stable identity, so a re-fired or re-delivered alert
 * reaches the existing run: `USE_EXISTING` covers a running one, and `REJECT_DUPLICATE` makes the
 * server refuse a second run after the first closed. Idempotent per alert. Throws the client's
 * errors for anything else (connection, namespace, permission).
 */
export async function startOrAttach(
  client: Client,
  input: ResponseInput,
  options: StartOrAttachOptions = {},
): Promise<StartOutcome> {
  const workflowId = options.workflowId ?? workflowIdFor(input.alert);
  const existingRunId = await findExistingRunId(client, workflowId);

  try {
    const handle = await client.workflow.start<(input: ResponseInput) => Promise<ResponseResult>>(
      WORKFLOW_TYPE,
      {
        taskQueue: options.taskQueue ?? TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: initialSearchAttributes(input.alert),
      },
    );
    // NOTE: the SDK does not expose whether USE_EXISTING attached, so `isNew` compares against the
    // run seen just before. Two first deliveries racing each other may both report isNew true,
    // but the server still keeps a single run.
    const runId = handle.firstExecutionRunId;
    return { workflowId, runId, isNew: runId !== existingRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const runId = existingRunId ?? (await findExistingRunId(client, workflowId));
    if (runId === undefined) throw error;
    return { workflowId, runId, isNew: false };
  }
}

/**
 * The search attributes a run starts with. The workflow keeps them up to date only when AlertId is
 * present, so every run started here is listed by `soar list` filters from its first moment.
 */
function initialSearchAttributes(alert: Alert): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: ALERT_ID_KEY, value: alert.alertId },
    { key: HOST_KEY, value: alert.host.name },
    { key: STATE_KEY, value: 'enriching' },
  ];
  const user = alert.user.name ?? alert.user.id;
  if (user !== undefined) pairs.push({ key: USER_KEY, value: user });
  return pairs;
}

async function findExistingRunId(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.runId;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}
