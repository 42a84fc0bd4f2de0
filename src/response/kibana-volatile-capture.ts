/**
 * Volatile state that preserve-evidence collects through Elastic Defend: the host's running
 * processes, and a copy of every dump file Q4 found, each as one response action.
 */
import { z } from 'zod';
import { commentMarker } from '../kibana/cases';
import { failureReasons, type DefendAction, type DefendActions } from '../kibana/defend';
import type { StepRequest } from './types';

/** One Defend action sent during preservation, as the case comment and the step record show it. */
export interface CapturedAction {
  command: 'running-processes' | 'get-file';
  /** For `get-file`: the file requested. */
  path?: string;
  actionId: string;
  status: 'successful' | 'failed' | 'expired';
  /** Endpoint output (process count, file hash), or the reason the action failed. */
  detail?: string;
}

/** The outcome of the capture: the actions sent, or the reason none could be. */
export interface VolatileCapture {
  endpointId?: string;
  actions: CapturedAction[];
  skippedReason?: string;
}

const ProcessListSchema = z.looseObject({ entries: z.array(z.unknown()) });
const FileContentSchema = z.looseObject({
  contents: z.array(z.looseObject({ sha256: z.string().optional(), size: z.number().optional() })),
});

interface CaptureJob {
  command: CapturedAction['command'];
  path?: string;
  marker: string;
}

/**
 * Requests `running-processes` on the alert's host and `get-file` for each path in
 * `parameters.dumpArtifactPaths`, then waits for all of them. Each action carries its own marker
 * (the step's key with the command and the path's position), so a retry finds the actions an
 * earlier attempt started instead of sending them again. A failed or expired action is recorded
 * with its reason, because a dump file deleted since the alert must not block preservation.
 * Returns a skip reason when the host has no `host.id` or no Defend agent. Throws the client's
 * `KibanaApiError`, and a retryable `Error` when an action is still pending after `maxWaitMs`.
 */
export async function captureVolatileState(
  defend: DefendActions,
  request: StepRequest,
  caseId: string,
): Promise<VolatileCapture> {
  const { hostId, hostName = 'unknown host' } = request.target;
  if (hostId === undefined) {
    return { actions: [], skippedReason: 'the alert carries no host.id to find an Elastic Defend endpoint' };
  }
  const endpointId = await defend.findEndpoint(hostId, hostName);
  if (endpointId === undefined) {
    return { actions: [], skippedReason: `host ${hostName} (host.id ${hostId}) has no Elastic Defend agent` };
  }

  const key = request.idempotencyKey;
  const jobs: CaptureJob[] = [
    { command: 'running-processes', marker: commentMarker(`${key}/running-processes`) },
    ...dumpPathsOf(request).map((path, index) => ({
      command: 'get-file' as const,
      path,
      marker: commentMarker(`${key}/get-file/${index + 1}`),
    })),
  ];
  // Every action is sent before the first wait, so the endpoint works on them together.
  const started: DefendAction[] = [];
  for (const job of jobs) {
    const comment = `${job.marker} Preserving ${job.path ?? 'the running processes'} for alert ${key}`;
    started.push(
      (await defend.findAction(job.command, endpointId, job.marker)) ??
        (await defend.startAction(job.command, {
          endpoint_ids: [endpointId],
          comment,
          case_ids: [caseId],
          ...(job.path === undefined ? {} : { parameters: { path: job.path } }),
        })),
    );
  }

  const deadline = Date.now() + defend.maxWaitMs;
  const actions: CapturedAction[] = [];
  for (const [index, action] of started.entries()) {
    const job = jobs[index] as CaptureJob;
    const finished = await defend.settleAction(action, deadline);
    actions.push(describeAction(job, finished, endpointId));
  }
  return { endpointId, actions };
}

/** Returns the case comment lines that list the capture's actions, or its skip reason. */
export function describeCapture(capture: VolatileCapture): string {
  if (capture.skippedReason !== undefined) {
    return `Volatile state was not collected through Elastic Defend: ${capture.skippedReason}.`;
  }
  const lines = capture.actions.map((action) => {
    const what = action.command === 'get-file' ? `get-file ${action.path ?? ''}` : 'running-processes';
    const detail = action.detail === undefined ? '' : ` (${action.detail})`;
    return `- ${what}: Elastic Defend action ${action.actionId} ${action.status}${detail}`;
  });
  if (!capture.actions.some((action) => action.command === 'get-file')) {
    lines.push('- get-file: no dump file paths were found (Q4), so no file was requested');
  }
  return [`Volatile state collected from endpoint ${capture.endpointId ?? ''}:`, ...lines].join('\n');
}

function dumpPathsOf(request: StepRequest): string[] {
  const paths = request.parameters.dumpArtifactPaths;
  if (!Array.isArray(paths)) return [];
  return paths.filter((path): path is string => typeof path === 'string' && path !== '');
}

function describeAction(job: CaptureJob, action: DefendAction, endpointId: string): CapturedAction {
  const base = {
    command: job.command,
    ...(job.path === undefined ? {} : { path: job.path }),
    actionId: action.id,
  };
  if (action.isExpired === true) {
    return { ...base, status: 'expired', detail: 'the endpoint did not respond in time' };
  }
  if (!action.wasSuccessful) return { ...base, status: 'failed', detail: failureReasons(action) };

  const content = action.outputs?.[endpointId]?.content;
  if (job.command === 'running-processes') {
    const list = ProcessListSchema.safeParse(content);
    const detail = list.success ? `${list.data.entries.length} processes` : undefined;
    return { ...base, status: 'successful', ...(detail === undefined ? {} : { detail }) };
  }
  const file = FileContentSchema.safeParse(content);
  const first = file.success ? file.data.contents[0] : undefined;
  const detail =
    first?.sha256 === undefined ? undefined : `sha256 ${first.sha256}, ${first.size ?? '?'} bytes`;
  return { ...base, status: 'successful', ...(detail === undefined ? {} : { detail }) };
}
