import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Alert } from '../alert/alert';
import type { Answer, Verdict } from '../investigation/types';
import type { Decision, StepResult } from '../response/types';
import {
  isAwaitingConfirmation,
  type AwaitingConfirmation,
  type DecideResult,
  type DecisionRequest,
  type RejectedAttempt,
  type ResponseInput,
  type ResponseResult,
} from '../../workflows/messages';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export type TimelineEntry =
  | { time: string; kind: 'alert'; alert: Alert; settings: ResponseInput['settings'] }
  | { time: string; kind: 'activity'; activity: string; outcome: 'completed' | 'failed'; summary: string; result?: unknown }
  | { time: string; kind: 'answer'; answer: Answer }
  | { time: string; kind: 'verdict'; verdict: Verdict; allowedActions: string[] }
  | { time: string; kind: 'approval-request'; channel: string; ts?: string }
  | { time: string; kind: 'decision'; decision: Decision; updateId: string }
  | { time: string; kind: 'approval-pending'; pending: AwaitingConfirmation; updateId: string }
  | { time: string; kind: 'decision-rejected'; request?: DecisionRequest; reason: string; updateId?: string }
  | { time: string; kind: 'attempt-rejected'; attempt: RejectedAttempt }
  | { time: string; kind: 'step'; step: StepResult }
  | { time: string; kind: 'outcome'; status: string; result?: ResponseResult; failure?: string };

export interface AuditTimeline {
  workflowId: string;
  alertId?: string;
  entries: TimelineEntry[];
}

/**
 * Reads one workflow history into an audit timeline: the alert, each activity with its summary,
 * the verdict, the approval request, every decision attempt (accepted or rejected) with who and
 * when, each step and the outcome. Reads recorded events only, so it shows exactly what ran.
 */
export function buildTimeline(workflowId: string, history: History): AuditTimeline {
  const entries: TimelineEntry[] = [];
  const scheduled = new Map<string, string>();
  const startedAt = new Map<string, string>();
  const updateRequests = new Map<string, DecisionRequest>();

  for (const event of history.events ?? []) {
    const time = eventTime(event);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = decodeFirst<ResponseInput>(started.input);
      if (input) entries.push({ time, kind: 'alert', alert: input.alert, settings: input.settings });
      continue;
    }
    const activityScheduled = event.activityTaskScheduledEventAttributes;
    if (activityScheduled) {
      scheduled.set(String(event.eventId), activityScheduled.activityType?.name ?? 'unknown');
      continue;
    }
    const activityStarted = event.activityTaskStartedEventAttributes;
    if (activityStarted) {
      startedAt.set(String(activityStarted.scheduledEventId), time);
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const key = String(completed.scheduledEventId);
      const name = scheduled.get(key) ?? 'unknown';
      // The approval message goes out while the activity runs, and a fast click can be accepted
      // before the activity completes, so the request is dated when the activity started.
      const entryTime = name === 'postApprovalRequest' ? (startedAt.get(key) ?? time) : time;
      entries.push(...activityEntries(entryTime, name, decodeFirst<unknown>(completed.result)));
      continue;
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const name = scheduled.get(String(failed.scheduledEventId)) ?? 'unknown';
      const summary = `attempt failed: ${failed.failure?.message ?? 'no message'}`;
      entries.push({ time, kind: 'activity', activity: name, outcome: 'failed', summary });
      continue;
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const request = decodeFirst<DecisionRequest>(accepted.acceptedRequest?.input?.args);
      if (request) updateRequests.set(accepted.protocolInstanceId ?? '', request);
      continue;
    }
    const updateDone = event.workflowExecutionUpdateCompletedEventAttributes;
    if (updateDone) {
      const updateId = updateDone.meta?.updateId ?? '';
      const decision = decodeFirst<DecideResult>(updateDone.outcome?.success);
      if (decision && isAwaitingConfirmation(decision)) {
        entries.push({ time, kind: 'approval-pending', pending: decision, updateId });
      } else if (decision) entries.push({ time, kind: 'decision', decision, updateId });
      else {
        const reason = updateDone.outcome?.failure?.message ?? 'update failed';
        entries.push({ time, kind: 'decision-rejected', request: updateRequests.get(updateId), reason, updateId });
      }
      continue;
    }
    const signalled = event.workflowExecutionSignaledEventAttributes;
    if (signalled?.signalName === 'decisionAttemptRejected') {
      const attempt = decodeFirst<RejectedAttempt>(signalled.input);
      if (attempt) entries.push({ time, kind: 'attempt-rejected', attempt });
      continue;
    }
    entries.push(...closingEntries(time, event));
  }

  // Stable, so entries with the same time keep history order.
  entries.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const alertEntry = entries.find((entry) => entry.kind === 'alert');
  return { workflowId, alertId: alertEntry?.kind === 'alert' ? alertEntry.alert.alertId : undefined, entries };
}

function activityEntries(time: string, activity: string, result: unknown): TimelineEntry[] {
  if (activity === 'reachVerdict' && isVerdictResult(result)) {
    return [{ time, kind: 'verdict', verdict: result.verdict, allowedActions: result.allowedActions }];
  }
  if (activity === 'runResponseStep' && isRecord(result) && typeof result.step === 'string') {
    return [{ time, kind: 'step', step: result as unknown as StepResult }];
  }
  if (activity === 'postApprovalRequest' && isRecord(result)) {
    return [{ time, kind: 'approval-request', channel: String(result.channel), ts: String(result.ts) }];
  }
  const answers = (Array.isArray(result) ? result : [result]).filter(isAnswer);
  if (answers.length > 0) return answers.map((answer) => ({ time, kind: 'answer' as const, answer }));
  return [{ time, kind: 'activity', activity, outcome: 'completed', summary: summarise(result), result }];
}

function closingEntries(time: string, event: HistoryEvent): TimelineEntry[] {
  if (event.workflowExecutionCompletedEventAttributes) {
    const result = decodeFirst<ResponseResult>(event.workflowExecutionCompletedEventAttributes.result);
    return [{ time, kind: 'outcome', status: 'completed', result }];
  }
  const failure =
    event.workflowExecutionFailedEventAttributes?.failure?.message ??
    (event.workflowExecutionTerminatedEventAttributes ? 'terminated' : undefined) ??
    (event.workflowExecutionTimedOutEventAttributes ? 'timed out' : undefined) ??
    (event.workflowExecutionCanceledEventAttributes ? 'cancelled' : undefined);
  return failure === undefined ? [] : [{ time, kind: 'outcome', status: 'not completed', failure }];
}

function decodeFirst<T>(payloads: Payloads): T | undefined {
  const first = payloads?.payloads?.[0];
  if (!first) return undefined;
  return defaultPayloadConverter.fromPayload<T>(first);
}

// Histories fetched from the server carry `Long` seconds; `historyFromJSON` gives plain numbers or
// strings, which `tsToMs` does not take.
function eventTime(event: HistoryEvent): string {
  if (!event.eventTime) return '';
  const { seconds, nanos } = event.eventTime;
  if (typeof seconds === 'object' && seconds !== null) return new Date(tsToMs(event.eventTime)).toISOString();
  return new Date(Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1_000_000)).toISOString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAnswer(value: unknown): value is Answer {
  return isRecord(value) && typeof value.question === 'string' && typeof value.coverage === 'string';
}

function isVerdictResult(value: unknown): value is { verdict: Verdict; allowedActions: string[] } {
  return isRecord(value) && isRecord(value.verdict) && Array.isArray(value.allowedActions);
}

function summarise(result: unknown): string {
  if (result === undefined || result === null) return 'no result';
  if (Array.isArray(result)) return `${result.length} items`;
  return JSON.stringify(result).slice(0, 200);
}
