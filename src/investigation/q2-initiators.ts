import type { Alert } from '../alert/alert';
import { errorMessage } from '../errors';
import type { QueryResult, TelemetryEvent, TelemetrySource, TimeWindow } from '../telemetry/types';
import {
  detectFirstSeen,
  detectInitiators,
  startedExecutables,
  type Detection,
} from './initiators';
import { isProcessStart } from './detectors';
import { matchRecognisedTooling } from './inventory';
import {
  WINDOW_HOURS,
  attempt,
  cappedFindings,
  absentAnswer,
  failedAnswer,
  finding,
  windowAround,
  type QuestionDeps,
} from './question';
import type { Answer, Finding } from './types';

/** How far before the Q2 window earlier runs of a binary are searched for. */
export const FIRST_SEEN_LOOKBACK_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * Q2: recovers the seclogon source process (`process.entity_id` = SourceProcessGUID) and
 * initiator candidates from process events on the host within an hour of the access, including
 * binaries that never ran on the host in the `FIRST_SEEN_LOOKBACK_DAYS` before that window.
 * When no candidate is recovered the conclusion stays at service-host level and a finding
 * states it. A history lookup that fails or finds no earlier process data leaves the first-seen
 * check unresolved (`first-seen-unknown`).
 */
export async function recoverInitiators(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const window = windowAround(alert, WINDOW_HOURS.Q2);
  const result = await attempt(deps, () => source.processEvents({ host: alert.host, window }));
  if (!result.ok) return failedAnswer('Q2', result.error);
  const { value } = result;
  if (!value.hasDataOfKind) {
    return absentAnswer(
      'Q2',
      [value.querySummary],
      'no process events for this host in the window, so the initiator cannot be recovered',
    );
  }

  const recognised = matchRecognisedTooling(deps.inventory, alert);
  const recognisedExecutables = recognised.map((entry) => entry.processExecutable);
  const detections = detectInitiators(alert, value.events, recognisedExecutables);
  const querySummaries = [value.querySummary];
  const firstSeen = await checkFirstSeen(alert, source, deps, window, value.events);
  if (firstSeen.querySummary !== undefined) querySummaries.push(firstSeen.querySummary);
  if (firstSeen.history !== undefined) {
    detections.push(
      ...detectFirstSeen(alert, value.events, firstSeen.history, recognisedExecutables),
    );
  }
  const findings = groupDetections(detections).map((group) => {
    const first = group[0] as Detection;
    const entry = recognised.find(
      (item) => item.processExecutable.toLowerCase() === first.executable?.toLowerCase(),
    );
    const base = finding(
      first.kind,
      summarise(group),
      first.isSuspicious,
      first.fields,
      group.map((detection) => detection.event),
      first.kind === 'recognised-initiator' ? entry?.id : first.executable,
    );
    return { ...base, ...processIdentity(group, value.events) };
  });
  if (
    !findings.some(
      (item) =>
        item.kind === 'seclogon-service-host' || item.kind === 'source-process-not-seclogon',
    )
  ) {
    findings.push(sourceNotFound(alert));
  }
  if (firstSeen.unknownReason !== undefined) {
    findings.push({
      kind: 'first-seen-unknown',
      summary: `Whether a binary first ran on this host in the window is unknown: ${firstSeen.unknownReason}.`,
      isSuspicious: false,
      fields: ['process.executable'],
      recordIds: [],
    });
  }
  if (!findings.some(isInitiatorFinding)) {
    findings.push({
      kind: 'initiator-not-recovered',
      summary:
        'No initiator candidate was recovered around the access; the conclusion stays at service-host level (svchost.exe hosting seclogon), which does not clear the alert.',
      isSuspicious: false,
      fields: ['process.executable', 'process.command_line'],
      recordIds: [],
    });
  }
  findings.push(...cappedFindings([value, ...(firstSeen.capped ? [firstSeen.capped] : [])]));
  return { question: 'Q2', coverage: 'present', findings, querySummaries };
}

interface FirstSeenHistory {
  /** Earlier runs of the started executables; undefined when the check cannot be made. */
  history?: TelemetryEvent[];
  unknownReason?: string;
  querySummary?: string;
  /** The history query's result when the source cut it at its cap. */
  capped?: QueryResult;
}

/** Reads earlier runs of every executable started in the window, before the window. */
async function checkFirstSeen(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
  window: TimeWindow,
  events: TelemetryEvent[],
): Promise<FirstSeenHistory> {
  const executables = startedExecutables(events);
  if (executables.length === 0) return {};
  const start = Date.parse(window.from);
  const lookback: TimeWindow = {
    from: new Date(start - FIRST_SEEN_LOOKBACK_DAYS * DAY_MS).toISOString(),
    to: new Date(start - 1).toISOString(),
  };
  const result = await attempt(deps, () =>
    source.executableHistory({ host: alert.host, window: lookback, executables }),
  );
  if (!result.ok) {
    const reason = `the history lookup failed (${errorMessage(result.error)})`;
    return { unknownReason: reason, querySummary: `earlier runs: ${reason}` };
  }
  const { value } = result;
  if (!value.hasDataOfKind) {
    return {
      unknownReason: `no process events on this host in the ${FIRST_SEEN_LOOKBACK_DAYS} days before the window`,
      querySummary: value.querySummary,
    };
  }
  return {
    history: value.events,
    querySummary: value.querySummary,
    ...(value.capped === undefined ? {} : { capped: value }),
  };
}

/**
 * Returns the `process.entity_id` and `process.pid` of the process a group of detections is
 * about: from the first detection of the group's executable that names them, else, for a
 * Secondary Logon caller seen only as the target of seclogon's access, from the latest start of
 * that executable with that pid at or before the access.
 */
function processIdentity(group: Detection[], events: TelemetryEvent[]): Pick<Finding, 'entityId' | 'pid'> {
  const executable = group[0]?.executable?.toLowerCase();
  if (executable === undefined) return {};
  const same = group.filter((detection) => detection.executable?.toLowerCase() === executable);
  const named = same.find((detection) => detection.entityId !== undefined);
  const pid = named?.pid ?? same.find((detection) => detection.pid !== undefined)?.pid;
  const accessTime = Date.parse(same[0]?.event.timestamp ?? '');
  const entityId =
    named?.entityId ??
    events
      .filter(
        (event) =>
          isProcessStart(event) &&
          event.process?.executable?.toLowerCase() === executable &&
          event.process.pid === pid &&
          event.process.entityId !== undefined &&
          Date.parse(event.timestamp) <= accessTime,
      )
      .at(-1)?.process?.entityId;
  return {
    ...(entityId === undefined ? {} : { entityId }),
    ...(pid === undefined ? {} : { pid }),
  };
}

function isInitiatorFinding(item: Finding): boolean {
  return (
    item.kind !== 'seclogon-service-host' &&
    item.kind !== 'source-process-not-found' &&
    item.kind !== 'source-process-not-seclogon' &&
    item.kind !== 'first-seen-unknown'
  );
}

function sourceNotFound(alert: Alert): Finding {
  return {
    kind: 'source-process-not-found',
    summary: `No process start for SourceProcessGUID ${alert.access.sourceProcessGuid ?? '(missing)'} in the window, so the seclogon service context is not confirmed.`,
    isSuspicious: false,
    fields: ['winlog.event_data.SourceProcessGUID', 'process.entity_id'],
    recordIds: [],
  };
}

/** Groups detections by kind, and recognised initiators also by executable, keeping first-seen order. */
export function groupDetections(detections: Detection[]): Detection[][] {
  const groups = new Map<string, Detection[]>();
  for (const detection of detections) {
    const key =
      detection.kind === 'recognised-initiator' || detection.kind === 'seclogon-caller'
        ? `${detection.kind}|${detection.executable?.toLowerCase() ?? ''}`
        : detection.kind;
    groups.set(key, [...(groups.get(key) ?? []), detection]);
  }
  return [...groups.values()];
}

const LABELS: Record<string, string> = {
  'seclogon-service-host': 'Source process is the Secondary Logon service host',
  'source-process-not-seclogon': 'Source process is not the seclogon service host',
  'recognised-initiator': 'Recovered initiator is recognised tooling',
  'seclogon-caller': 'Recovered Secondary Logon caller',
  'lsass-clone': 'LSASS clone',
  'child-of-lsass': 'Process created under lsass.exe',
  'ppid-spoofed-to-lsass': 'Parent process id spoofed onto lsass',
  'targets-lsass-pid': 'Command line names the LSASS pid',
  'malseclogon-tool': 'MalSecLogon tool started',
  'dump-utility': 'Dump utility started',
  'shell-started': 'Shell started in the window',
  'script-host-started': 'Script host started in the window',
  'new-binary-started': 'Binary from a user-writable path started near the access',
  'first-seen-binary': 'Binary that never ran on this host before the window',
  'lsass-access': 'Non-system process opened lsass.exe',
};

function summarise(group: Detection[]): string {
  const first = group[0] as Detection;
  const labels = [...new Set(group.map((detection) => detection.label))];
  const shown = labels.slice(0, 3).join('; ');
  const more = labels.length > 3 ? ` and ${labels.length - 3} more` : '';
  return `${LABELS[first.kind] ?? first.kind}: ${shown}${more}.`;
}
