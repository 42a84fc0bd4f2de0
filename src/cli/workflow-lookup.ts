import type { Client, WorkflowHandle } from '@temporalio/client';
import { WORKFLOW_ID_PREFIX } from '../constants';
import { UsageError } from './io';

/**
 * Returns the handle of an alert's workflow, given either the workflow id or the alert id.
 * Throws `UsageError` naming the value when no such run exists.
 */
export async function findAlertWorkflow(client: Client, alertOrWorkflowId: string): Promise<WorkflowHandle> {
  const candidates = alertOrWorkflowId.startsWith(WORKFLOW_ID_PREFIX)
    ? [alertOrWorkflowId]
    : [`${WORKFLOW_ID_PREFIX}${alertOrWorkflowId}`, alertOrWorkflowId];
  for (const workflowId of candidates) {
    const handle = client.workflow.getHandle(workflowId);
    try {
      await handle.describe();
      return handle;
    } catch (error) {
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  }
  throw new UsageError(
    `no workflow for alert '${alertOrWorkflowId}'; run 'soar list' to see the alert and workflow ids`,
  );
}
