import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { WORKFLOW_TYPE } from '../constants';
import { connectClient, responseSettings } from '../temporal/connect';
import { startOrAttach } from '../temporal/start';
import { processBatch } from '../intake/batch';
import { buildTimeline } from '../audit/timeline';
import { renderTimelineText } from '../audit/render';
import { ACTIONS, type Action } from '../response/types';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  stateQuery,
  type ResponseState,
} from '../../workflows/messages';
import { printJsonLine, readInput, UsageError } from './io';
import { findAlertWorkflow } from './workflow-lookup';

async function withClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(loadConfig());
  try {
    return await run(client);
  } finally {
    await client.connection.close();
  }
}

/** `soar ingest`: the same processing as `POST /alerts`, one JSON line per document. */
export async function runIngest(file: string): Promise<number> {
  const body = readInput(file);
  const settings = responseSettings(loadConfig());
  const outcome = await withClient((client) =>
    processBatch(body, undefined, (alert) => startOrAttach(client, { alert, settings })),
  );
  if (outcome.error !== undefined) process.stderr.write(`soar: ${outcome.error}\n`);
  for (const result of outcome.results) printJsonLine(result);
  return outcome.httpStatus === 200 ? 0 : 1;
}

/** `soar list`: every alert run with its phase, verdict and decision. */
export async function runList(phase: string | undefined): Promise<number> {
  await withClient(async (client) => {
    for await (const run of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}'` })) {
      const handle = client.workflow.getHandle(run.workflowId, run.runId);
      const state = run.status.name === 'RUNNING' ? await handle.query(stateQuery) : undefined;
      const row: Record<string, unknown> = {
        workflowId: run.workflowId,
        status: run.status.name,
        startedAt: run.startTime.toISOString(),
        ...(state ? summariseState(state) : {}),
      };
      if (phase === undefined || row.phase === phase || (phase === 'done' && run.status.name !== 'RUNNING')) {
        printJsonLine(row);
      }
    }
  });
  return 0;
}

/** `soar show`: the full state of a running alert, or the result of a finished one. */
export async function runShow(alert: string): Promise<number> {
  await withClient(async (client) => {
    const handle = await findAlertWorkflow(client, alert);
    const description = await handle.describe();
    const body =
      description.status.name === 'RUNNING'
        ? { status: 'RUNNING', state: await handle.query(stateQuery) }
        : description.status.name === 'COMPLETED'
          ? { status: 'COMPLETED', result: await handle.result() }
          : { status: description.status.name };
    process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, ...body }, null, 2)}\n`);
  });
  return 0;
}

/** `soar approve`: sends the same Update a Slack button sends. */
export async function runApprove(
  alert: string,
  options: { action: string; approver: string; comment?: string },
): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(options.action)) {
    throw new UsageError(`invalid --action '${options.action}'; use one of ${ACTIONS.join(', ')}`);
  }
  return withClient(async (client) => {
    const handle = await findAlertWorkflow(client, alert);
    try {
      const decision = await handle.executeUpdate(decideUpdate, {
        args: [{ action: options.action as Action, approver: options.approver, comment: options.comment, channel: 'cli' }],
        updateId: `cli:${randomUUID()}`,
      });
      printJsonLine({ workflowId: handle.workflowId, decision });
      return 0;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const reason = error.cause?.message ?? error.message;
        // The validator keeps rejected updates out of history; the signal records the attempt there.
        await handle.signal(decisionAttemptRejectedSignal, {
          approver: options.approver,
          action: options.action,
          channel: 'cli',
          attemptedAt: new Date().toISOString(),
          reason,
        });
        process.stderr.write(`soar: decision rejected: ${reason}\n`);
        return 1;
      }
      throw error;
    }
  });
}

/** `soar audit`: the timeline read from workflow history. */
export async function runAudit(alert: string, format: string | undefined): Promise<number> {
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`invalid --format '${String(format)}'; use text or json`);
  }
  await withClient(async (client) => {
    const handle = await findAlertWorkflow(client, alert);
    const timeline = buildTimeline(handle.workflowId, await handle.fetchHistory());
    process.stdout.write(format === 'json' ? `${JSON.stringify(timeline, null, 2)}\n` : renderTimelineText(timeline));
  });
  return 0;
}

function summariseState(state: ResponseState): Record<string, unknown> {
  return {
    alertId: state.alertId,
    phase: state.phase,
    verdict: state.verdict?.kind,
    allowedActions: state.allowedActions,
    decision: state.decision ? `${state.decision.action} by ${state.decision.decidedBy}` : undefined,
    decisionDeadline: state.decisionDeadline,
  };
}
