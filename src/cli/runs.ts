import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { connectClient, responseSettings } from '../temporal/connect';
import { startOrAttach } from '../temporal/start';
import { processBatch } from '../intake/batch';
import { buildTimeline } from '../audit/timeline';
import { AUDIT_FORMATS, isAuditFormat, renderTimeline } from '../audit/format';
import { verifyPreservedEvidence } from '../audit/verify';
import { EvidenceStore, evidenceRoot } from '../evidence/store';
import { runsQuery, type RunFilters } from '../temporal/visibility-query';
import { ALERT_ID_KEY, DECISION_KEY, STATE_KEY, VERDICT_KEY } from '../temporal/search-attributes';
import { ACTIONS, type Action } from '../response/types';
import {
  decideUpdate,
  decisionAttemptRejectedSignal,
  isAwaitingConfirmation,
  stateQuery,
  type ResponseState,
} from '../../workflows/messages';
import { InputError, printJsonLine, readInput, UsageError } from './io';
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

/**
 * `soar list`: every alert run with its phase, verdict and decision. The filters become a
 * visibility query on the run's search attributes; `phase` filters on the live state instead.
 */
/** Values `soar list --phase` takes: the workflow's phases, and `done` for any finished run. */
const LIST_PHASES = ['enriching', 'awaiting-decision', 'responding', 'done'];

export async function runList(phase: string | undefined, filters: RunFilters = {}): Promise<number> {
  if (phase !== undefined && !LIST_PHASES.includes(phase)) {
    throw new UsageError(`invalid --phase '${phase}'; use one of ${LIST_PHASES.join(', ')}`);
  }
  await withClient(async (client) => {
    for await (const run of client.workflow.list({ query: runsQuery(filters) })) {
      const handle = client.workflow.getHandle(run.workflowId, run.runId);
      const state = run.status.name === 'RUNNING' ? await handle.query(stateQuery) : undefined;
      const attributes = run.typedSearchAttributes;
      const row: Record<string, unknown> = {
        workflowId: run.workflowId,
        status: run.status.name,
        startedAt: run.startTime.toISOString(),
        alertId: attributes.get(ALERT_ID_KEY),
        state: attributes.get(STATE_KEY),
        verdict: attributes.get(VERDICT_KEY),
        decision: attributes.get(DECISION_KEY),
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
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      throw new InputError(
        `the run of '${alert}' has already finished (${description.status.name}); ` +
          `'soar show ${alert}' shows what was decided`,
      );
    }
    try {
      const result = await handle.executeUpdate(decideUpdate, {
        args: [{ action: options.action as Action, approver: options.approver, comment: options.comment, channel: 'cli' }],
        updateId: `cli:${randomUUID()}`,
      });
      // Under the two-person rule the first approval waits for a second approver's `soar approve`.
      if (isAwaitingConfirmation(result)) printJsonLine({ workflowId: handle.workflowId, awaitingConfirmation: result });
      else printJsonLine({ workflowId: handle.workflowId, decision: result });
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

/**
 * `soar audit`: the timeline read from workflow history, in one of `AUDIT_FORMATS`. With
 * `verify`, recomputes the hash of every preserved item instead, prints one JSON line per item and
 * returns 1 when any file is missing or differs from the hash in history.
 */
export async function runAudit(alert: string, format: string | undefined, verify = false): Promise<number> {
  if (!isAuditFormat(format)) {
    throw new UsageError(`invalid --format '${String(format)}'; use one of ${AUDIT_FORMATS.join(', ')}`);
  }
  const config = loadConfig();
  return withClient(async (client) => {
    const handle = await findAlertWorkflow(client, alert);
    const timeline = buildTimeline(handle.workflowId, await handle.fetchHistory());
    if (!verify) {
      process.stdout.write(renderTimeline(timeline, format));
      return 0;
    }

    const store = new EvidenceStore(evidenceRoot(config));
    const results = await verifyPreservedEvidence(timeline, store);
    for (const result of results) printJsonLine({ ...result, path: store.pathOf(result.file) });
    const failed = results.filter((result) => result.status !== 'ok');
    for (const result of failed) {
      process.stderr.write(`soar: ${result.status}: ${result.name} (${store.pathOf(result.file)})\n`);
    }
    if (results.length === 0) process.stderr.write(`soar: ${handle.workflowId} recorded no preserved evidence\n`);
    return failed.length === 0 ? 0 : 1;
  });
}

function summariseState(state: ResponseState): Record<string, unknown> {
  return {
    alertId: state.alertId,
    phase: state.phase,
    verdict: state.verdict?.kind,
    allowedActions: state.allowedActions,
    decision: state.decision ? `${state.decision.action} by ${state.decision.decidedBy}` : undefined,
    pendingApproval: state.pendingApproval
      ? `${state.pendingApproval.action} by ${state.pendingApproval.approver}; awaiting a second approver`
      : undefined,
    decisionDeadline: state.decisionDeadline,
  };
}
