/**
 * Reconstruction of a process's parent chain from the process starts of one host, for Q3.
 */
import type { TelemetryEvent } from '../telemetry/types';
import { isProcessStart } from './detectors';

/** Maximum ancestors followed above the immediate parent; deeper chains are cut here. */
export const MAX_ANCESTRY_DEPTH = 8;

/** One process above a candidate in its parent chain. */
export interface Ancestor {
  /** 1 for the parent, 2 for the grandparent, and so on. */
  depth: number;
  executable?: string;
  commandLine?: string;
  /** The ancestor's own process start, when the events contain it. */
  start?: TelemetryEvent;
}

/**
 * Returns the parent chain of `event`, nearest first. The parent comes from the event's own
 * `process.parent.*` fields. Older ancestors come from the process starts in `events`, found by
 * `process.Ext.ancestry` when the event has it, else by following `process.parent.entity_id`
 * (Sysmon `ParentProcessGuid`) from start to start.
 */
export function ancestorsOf(event: TelemetryEvent, events: TelemetryEvent[]): Ancestor[] {
  const starts = events.filter(isProcessStart);
  const byEntity = (id: string | undefined) =>
    id === undefined
      ? undefined
      : starts.find((start) => start.process?.entityId === id);

  const parent = event.process?.parent;
  const chain: Ancestor[] = [];
  const parentStart = byEntity(parent?.entityId ?? event.process?.ancestry?.[0]);
  if (parent !== undefined || parentStart !== undefined) {
    chain.push({
      depth: 1,
      executable: parent?.executable ?? parentStart?.process?.executable,
      commandLine: parent?.commandLine ?? parentStart?.process?.commandLine,
      ...(parentStart === undefined ? {} : { start: parentStart }),
    });
  }

  const visited = new Set<TelemetryEvent>([event]);
  let current = parentStart;
  for (let depth = 2; current !== undefined && depth <= MAX_ANCESTRY_DEPTH + 1; depth += 1) {
    visited.add(current);
    const aboveId = event.process?.ancestry?.[depth - 1] ?? current.process?.parent?.entityId;
    const above = byEntity(aboveId);
    if (above === undefined) {
      // This ancestor's own start is not in the events, but its child's record still names it.
      const named = current.process?.parent;
      if (named?.executable !== undefined) {
        chain.push({ depth, executable: named.executable, commandLine: named.commandLine });
      }
      break;
    }
    if (visited.has(above)) break;
    chain.push({
      depth,
      executable: above.process?.executable,
      commandLine: above.process?.commandLine,
      start: above,
    });
    current = above;
  }
  return chain;
}

/**
 * Returns the process start of the process that a Sysmon 10 access targets: the latest start
 * at or before the access with the same pid and executable. Undefined when none is in `events`.
 */
export function startOfAccessTarget(
  access: TelemetryEvent,
  events: TelemetryEvent[],
): TelemetryEvent | undefined {
  const pid = access.access?.targetProcessId;
  const image = access.access?.targetImage?.toLowerCase();
  if (pid === undefined || image === undefined) return undefined;
  const accessTime = Date.parse(access.timestamp);
  return events
    .filter(
      (event) =>
        isProcessStart(event) &&
        event.process?.pid === pid &&
        event.process.executable?.toLowerCase() === image &&
        Date.parse(event.timestamp) <= accessTime,
    )
    .at(-1);
}
