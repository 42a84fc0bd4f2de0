import type { Alert } from '../alert/alert';
import type { TelemetryEvent, TelemetrySource } from '../telemetry/types';
import {
  dumpToolOf,
  isEncodedPowerShell,
  isDocumentHandler,
  isProcessStart,
  isRemoteAdmin,
  isScriptHost,
  isShell,
} from './detectors';
import { detectInitiators, type Detection } from './initiators';
import { ancestorsOf, startOfAccessTarget, type Ancestor } from './lineage';
import { findHost, matchRecognisedTooling } from './inventory';
import {
  WINDOW_HOURS,
  attempt,
  cappedFindings,
  describeProcess,
  absentAnswer,
  failedAnswer,
  finding,
  windowAround,
  type QuestionDeps,
} from './question';
import type { Answer, Finding } from './types';

const LINEAGE_FIELDS = [
  'process.command_line',
  'process.parent.executable',
  'process.parent.command_line',
  'process.Ext.ancestry',
  'user.id',
];

/**
 * Q3: checks whether the parent chain and user of the initiator candidates fit a recognised
 * Secondary Logon workflow. Candidates are the processes Q2 detects, including the program
 * that asked the Secondary Logon service (its start found by pid and image). Escalates when any
 * process up the chain is an Office application, reader or browser, a shell or script host,
 * encoded PowerShell, remote administration (PsExec, WMI, WinRM) or dump tooling, and when the
 * inventory does not expect the candidate's user on the host.
 */
export async function assessLineage(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const window = windowAround(alert, WINDOW_HOURS.Q3);
  const result = await attempt(deps, () => source.processEvents({ host: alert.host, window }));
  if (!result.ok) return failedAnswer('Q3', result.error);
  const { value } = result;
  if (!value.hasDataOfKind) {
    return absentAnswer(
      'Q3',
      [value.querySummary],
      'no process events for this host in the window, so lineage cannot be read',
    );
  }

  const recognised = matchRecognisedTooling(deps.inventory, alert).map(
    (entry) => entry.processExecutable,
  );
  const candidates = candidateStarts(
    detectInitiators(alert, value.events, recognised),
    value.events,
  );
  const expectedUsers = findHost(deps.inventory, alert.host)?.expectedUserIds;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate.event.recordId)) continue;
    seen.add(candidate.event.recordId);
    if (candidate.kind === 'recognised-initiator') {
      findings.push(
        finding(
          'recognised-lineage',
          `${describeProcess(candidate.event.process)} is the recognised workflow identity; Q4 and Q6 still decide closure.`,
          false,
          LINEAGE_FIELDS,
          [candidate.event],
          candidate.executable,
        ),
      );
      continue;
    }
    const chain = ancestorsOf(candidate.event, value.events);
    findings.push(...lineageFindings(candidate.event, chain, expectedUsers));
  }
  if (findings.length === 0) {
    findings.push({
      kind: 'lineage-not-recovered',
      summary:
        'No initiator candidate with a process start was found, so lineage stays scoped to host.id, the source process and the alert window.',
      isSuspicious: false,
      fields: LINEAGE_FIELDS,
      recordIds: [],
    });
  }
  findings.push(...cappedFindings([value]));
  return { question: 'Q3', coverage: 'present', findings, querySummaries: [value.querySummary] };
}

/**
 * Turns Q2's detections into process starts to read lineage from: starts as they are, and for a
 * Secondary Logon caller (an access event) the caller's own start.
 */
function candidateStarts(detections: Detection[], events: TelemetryEvent[]): Detection[] {
  return detections.flatMap((detection) => {
    if (detection.kind === 'seclogon-service-host') return [];
    if (isProcessStart(detection.event)) return [detection];
    const isCaller = detection.kind === 'seclogon-caller' || detection.kind === 'recognised-initiator';
    if (!isCaller) return [];
    const start = startOfAccessTarget(detection.event, events);
    return start === undefined ? [] : [{ ...detection, event: start }];
  });
}

/** The chain checks, in order; each reports the nearest ancestor that matches. */
const CHAIN_CHECKS: { kind: string; matches: (ancestor: Ancestor) => boolean; what: string }[] = [
  {
    kind: 'lineage-from-document',
    matches: (ancestor) => isDocumentHandler(ancestor.executable),
    what: 'an Office application, reader or browser (phishing entry)',
  },
  {
    kind: 'lineage-from-script',
    matches: (ancestor) => isShell(ancestor.executable) || isScriptHost(ancestor.executable),
    what: 'a shell or script host',
  },
  {
    kind: 'encoded-powershell',
    matches: (ancestor) => isEncodedPowerShell(ancestor.commandLine),
    what: 'PowerShell with an encoded command',
  },
  {
    kind: 'lineage-from-remote-admin',
    matches: (ancestor) => isRemoteAdmin(ancestor.executable),
    what: 'remote administration',
  },
  {
    kind: 'lineage-from-dump-tool',
    matches: (ancestor) => dumpToolOf(ancestor.commandLine, ancestor.executable) !== undefined,
    what: 'dump tooling',
  },
];

function lineageFindings(
  event: TelemetryEvent,
  chain: Ancestor[],
  expectedUsers: string[] | undefined,
): Finding[] {
  const process = event.process;
  const name = describeProcess(process);
  const findings: Finding[] = [];
  const add = (kind: string, summary: string, events: TelemetryEvent[]) =>
    findings.push(finding(kind, summary, true, LINEAGE_FIELDS, events, process?.executable));

  if (isEncodedPowerShell(process?.commandLine)) {
    add('encoded-powershell', `${name} runs an encoded PowerShell command.`, [event]);
  }
  for (const check of CHAIN_CHECKS) {
    if (findings.some((item) => item.kind === check.kind)) continue;
    const ancestor = chain.find(check.matches);
    if (ancestor === undefined) continue;
    const level = ancestor.depth === 1 ? 'its parent' : `${ancestor.depth} levels up`;
    const events = ancestor.start === undefined ? [event] : [event, ancestor.start];
    add(
      check.kind,
      `${name} descends from ${ancestor.executable ?? 'an unnamed process'} (${level}), ${check.what}.`,
      events,
    );
  }
  const userId = event.user?.id;
  if (
    expectedUsers !== undefined &&
    userId !== undefined &&
    !expectedUsers.some((sid) => sid.toUpperCase() === userId.toUpperCase())
  ) {
    add(
      'user-context-mismatch',
      `${name} runs as ${userId}, which the inventory does not expect on this host.`,
      [event],
    );
  }
  return findings;
}
