import type { Client, WorkflowHandle } from '@temporalio/client';
import { workflowIdFor } from '../alert/identity';
import { WORKFLOW_ID_PREFIX } from '../constants';
import { InputError } from './io';

/**
 * Returns the handle of an alert's workflow, given either the workflow id or the alert id.
 * Throws `InputError` naming the value when no such run exists.
 */
export async function findAlertWorkflow(client: Client, alertOrWorkflowId: string): Promise<WorkflowHandle> {
  const candidates = [workflowIdFor({ alertId: alertOrWorkflowId })];
  if (alertOrWorkflowId.startsWith(WORKFLOW_ID_PREFIX)) candidates.unshift(alertOrWorkflowId);
  for (const workflowId of candidates) {
    const handle = client.workflow.getHandle(workflowId);
    try {
      await handle.describe();
      return handle;
    } catch (error) {
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  }
  throw new InputError(
    `no workflow for alert '${alertOrWorkflowId}'; run 'soar list' to see the alert and workflow ids`,
  );
}
