/**
 * Recovery of the seclogon source process and of initiator candidates from process events.
 * Q2 reports the detections; Q3 reads the lineage of the processes they found.
 */
import type { Alert } from '../alert/alert';
import { normaliseAccessMask } from '../telemetry/ecs-event';
import { baseName } from '../telemetry/ecs-fields';
import type { TelemetryEvent } from '../telemetry/types';
import {
  dumpToolOf,
  isLsass,
  isProcessStart,
  isScriptHost,
  isSeclogonServiceHost,
  isShell,
  isSystemLsassAccessor,
  isUserWritablePath,
  lsassPidsOf,
  targetPidOf,
} from './detectors';
import { describeProcess } from './question';

/** One detector hit on one event. */
export interface Detection {
  kind: string;
  isSuspicious: boolean;
  /** A sentence fragment naming what was seen, e.g. `C:\Tools\x.exe started from lsass`. */
  label: string;
  fields: string[];
  event: TelemetryEvent;
  /** Executable of the process the detection is about, for exact matching later. */
  executable?: string;
  /** `process.entity_id` of that process, when the event names it. */
  entityId?: string;
  /** `process.pid` of that process, when the event names it. */
  pid?: number;
}

/** Binaries from user-writable paths count only this close to the access. */
const NEARBY_MS = 5 * 60_000;

const START_FIELDS = ['process.executable', 'process.command_line', 'process.entity_id'];
const PARENT_FIELDS = ['process.parent.executable', 'process.parent.pid'];

/**
 * Finds the seclogon source process and initiator candidates in process events on the alert's
 * host: MalSecLogon-like behaviour, dump utilities, shells and script hosts anywhere in the
 * events given, and binaries from user-writable paths within five minutes of the access. `recognisedExecutables` are the workflow identities of recognised tooling entries that
 * matched the alert; a process with one of them is reported as recognised, not suspicious.
 */
export function detectInitiators(
  alert: Alert,
  events: TelemetryEvent[],
  recognisedExecutables: string[],
): Detection[] {
  const lsassPids = lsassPidsOf(
    events,
    isLsass(alert.access.targetImage) ? alert.access.targetProcessId : undefined,
  );
  const detections: Detection[] = [];
  for (const event of events) {
    if (isProcessStart(event)) {
      detections.push(...detectStart(alert, event, lsassPids, recognisedExecutables));
    } else if (event.access !== undefined) {
      detections.push(...detectAccess(alert, event, recognisedExecutables));
    }
  }
  return detections;
}

function detectStart(
  alert: Alert,
  event: TelemetryEvent,
  lsassPids: Set<number>,
  recognised: string[],
): Detection[] {
  const process = event.process;
  const executable = process?.executable;
  const hit = (
    kind: string,
    isSuspicious: boolean,
    label: string,
    fields = START_FIELDS,
  ): Detection => ({
    kind,
    isSuspicious,
    label,
    fields,
    event,
    executable,
    entityId: process?.entityId,
    pid: process?.pid,
  });
  const name = describeProcess(process);
  const parent = process?.parent;
  const isSourceProcess =
    alert.access.sourceProcessGuid !== undefined &&
    process?.entityId === alert.access.sourceProcessGuid;
  if (isSourceProcess) {
    return [
      isSeclogonServiceHost(process?.commandLine)
        ? hit('seclogon-service-host', false, `${name} (${process?.commandLine ?? ''})`)
        : hit(
            'source-process-not-seclogon',
            true,
            `${name} (${process?.commandLine ?? 'no command line'})`,
          ),
    ];
  }
  if (recognised.some((path) => path.toLowerCase() === executable?.toLowerCase())) {
    return [hit('recognised-initiator', false, name)];
  }

  const hits: Detection[] = [];
  if (isLsass(parent?.executable)) {
    hits.push(
      isLsass(executable)
        ? hit(
            'lsass-clone',
            true,
            `lsass.exe created by lsass.exe (pid ${parent?.pid ?? 'unknown'})`,
            [...START_FIELDS, ...PARENT_FIELDS],
          )
        : hit('child-of-lsass', true, `${name} created with lsass.exe as parent`, [
            ...START_FIELDS,
            ...PARENT_FIELDS,
          ]),
    );
  } else if (parent?.pid !== undefined && lsassPids.has(parent.pid)) {
    hits.push(
      hit(
        'ppid-spoofed-to-lsass',
        true,
        `${name} has lsass's pid ${parent.pid} as ParentProcessId`,
        [...START_FIELDS, ...PARENT_FIELDS],
      ),
    );
  }
  const targetPid = targetPidOf(process?.commandLine);
  if (targetPid !== undefined && lsassPids.has(targetPid)) {
    hits.push(
      hit(
        'targets-lsass-pid',
        true,
        `${name} names lsass's pid in "${process?.commandLine ?? ''}"`,
      ),
    );
  }
  if (/malseclogon/i.test(`${executable ?? ''} ${process?.commandLine ?? ''}`)) {
    hits.push(hit('malseclogon-tool', true, name));
  }
  const dumpTool = dumpToolOf(process?.commandLine, executable);
  if (dumpTool !== undefined)
    hits.push(hit('dump-utility', true, `${dumpTool}: ${process?.commandLine ?? name}`));

  if (isShell(executable)) hits.push(hit('shell-started', true, name));
  if (isScriptHost(executable)) hits.push(hit('script-host-started', true, name));
  const isNearby = Math.abs(Date.parse(event.timestamp) - Date.parse(alert.timestamp)) <= NEARBY_MS;
  if (isNearby && hits.length === 0 && isUserWritablePath(executable)) {
    hits.push(hit('new-binary-started', true, `${name} from a user-writable path`));
  }
  return hits;
}

function detectAccess(alert: Alert, event: TelemetryEvent, recognised: string[]): Detection[] {
  const access = event.access;
  if (access === undefined) return [];
  const fields = [
    'winlog.event_data.SourceImage',
    'winlog.event_data.TargetImage',
    'winlog.event_data.GrantedAccess',
    'winlog.event_data.CallTrace',
  ];
  const isFromSeclogon =
    (alert.access.sourceProcessGuid !== undefined &&
      access.sourceProcessGuid === alert.access.sourceProcessGuid) ||
    (baseName(access.sourceImage) === 'svchost.exe' &&
      /seclogon\.dll/i.test(access.callTrace ?? ''));

  if (isFromSeclogon && !isLsass(access.targetImage)) {
    // CreateProcessWithLogonW makes seclogon open the calling process with 0x14c0, so the
    // target of such an access is the program that asked the service.
    // This access is not the rule's event, so the mask compares as a number here: the EVTX
    // rendering of the same CreateProcessWithLogonW access is zero-padded (`0x000014c0`).
    if (normaliseAccessMask(access.grantedAccess) !== '0x14c0') return [];
    const caller = access.targetImage;
    const isRecognised = recognised.some((path) => path.toLowerCase() === caller?.toLowerCase());
    if (isRecognised) {
      return [
        {
          kind: 'recognised-initiator',
          isSuspicious: false,
          label: caller ?? '',
          fields,
          event,
          executable: caller,
          pid: access.targetProcessId,
        },
      ];
    }
    const isSuspicious =
      isShell(caller) ||
      isScriptHost(caller) ||
      isUserWritablePath(caller) ||
      dumpToolOf(undefined, caller) !== undefined;
    return [
      {
        kind: 'seclogon-caller',
        isSuspicious,
        label: `${caller ?? 'unknown'} asked the Secondary Logon service`,
        fields,
        event,
        executable: caller,
        pid: access.targetProcessId,
      },
    ];
  }
  const isAlertEvent =
    access.sourceProcessGuid === alert.access.sourceProcessGuid && isLsass(access.targetImage);
  if (!isAlertEvent && isLsass(access.targetImage) && !isSystemLsassAccessor(access.sourceImage)) {
    const label = `${access.sourceImage ?? 'unknown'} opened lsass.exe with ${access.grantedAccess ?? 'unknown access'}`;
    return [
      {
        kind: 'lsass-access',
        isSuspicious: true,
        label,
        fields,
        event,
        executable: access.sourceImage,
        entityId: event.process?.entityId,
        pid: event.process?.pid,
      },
    ];
  }
  return [];
}

/**
 * Returns the executables started in `events` that never ran on the host in `history`, the
 * process starts before the question's window. The seclogon source process and recognised
 * workflow identities are left out. Call it only when the history contains process data, because
 * on a host without history every binary would look new.
 */
export function detectFirstSeen(
  alert: Alert,
  events: TelemetryEvent[],
  history: TelemetryEvent[],
  recognisedExecutables: string[],
): Detection[] {
  const seen = new Set(history.map((event) => event.process?.executable?.toLowerCase()));
  const recognised = new Set(recognisedExecutables.map((path) => path.toLowerCase()));
  const detections: Detection[] = [];
  for (const event of events) {
    const executable = event.process?.executable;
    const key = executable?.toLowerCase();
    const isSource =
      alert.access.sourceProcessGuid !== undefined &&
      event.process?.entityId === alert.access.sourceProcessGuid;
    if (key === undefined || !isProcessStart(event) || isSource || recognised.has(key)) continue;
    if (seen.has(key)) continue;
    seen.add(key);
    detections.push({
      kind: 'first-seen-binary',
      isSuspicious: true,
      label: `${executable ?? ''} first ran on this host in the window`,
      fields: START_FIELDS,
      event,
      executable,
      entityId: event.process?.entityId,
      pid: event.process?.pid,
    });
  }
  return detections;
}

/** Returns the distinct executables of the process starts in `events`, first spelling kept. */
export function startedExecutables(events: TelemetryEvent[]): string[] {
  const byKey = new Map<string, string>();
  for (const event of events) {
    const executable = event.process?.executable;
    if (executable === undefined || !isProcessStart(event)) continue;
    if (!byKey.has(executable.toLowerCase())) byKey.set(executable.toLowerCase(), executable);
  }
  return [...byKey.values()];
}
