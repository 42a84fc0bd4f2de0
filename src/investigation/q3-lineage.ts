import type { Alert } from '../alert/alert';
import type { TelemetryEvent, TelemetrySource } from '../telemetry/types';
import {
  dumpToolOf,
  isEncodedPowerShell,
  isOfficeOrReader,
  isProcessStart,
  isRemoteAdmin,
  isScriptHost,
  isShell,
} from './detectors';
import { detectInitiators } from './initiators';
import { findHost, matchRecognisedTooling } from './inventory';
import {
  WINDOW_HOURS,
  attempt,
  describeProcess,
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
 * Q3: checks whether the lineage and user of the initiator candidates fit a recognised
 * Secondary Logon workflow. Escalates on chains from Office or reader documents, shells,
 * script hosts, encoded PowerShell, remote administration or dump tooling, and on users the
 * inventory does not expect on the host.
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
    return {
      question: 'Q3',
      coverage: 'absent',
      findings: [],
      querySummaries: [value.querySummary],
      coverageNote: 'no process events for this host in the window, so lineage cannot be read',
    };
  }

  const recognised = matchRecognisedTooling(deps.inventory, alert).map(
    (entry) => entry.processExecutable,
  );
  const candidates = detectInitiators(alert, value.events, recognised).filter(
    (detection) => isProcessStart(detection.event) && detection.kind !== 'seclogon-service-host',
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
    findings.push(...lineageFindings(candidate.event, expectedUsers));
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
  return { question: 'Q3', coverage: 'present', findings, querySummaries: [value.querySummary] };
}

function lineageFindings(event: TelemetryEvent, expectedUsers: string[] | undefined): Finding[] {
  const process = event.process;
  const parent = process?.parent;
  const name = describeProcess(process);
  const parentName = parent?.executable ?? `pid ${parent?.pid ?? 'unknown'}`;
  const findings: Finding[] = [];
  const add = (kind: string, summary: string) =>
    findings.push(finding(kind, summary, true, LINEAGE_FIELDS, [event], process?.executable));

  if (isOfficeOrReader(parent?.executable))
    add(
      'lineage-from-document',
      `${name} descends from ${parentName}, a document handler (phishing entry).`,
    );
  if (isShell(parent?.executable) || isScriptHost(parent?.executable))
    add('lineage-from-script', `${name} was started by ${parentName}.`);
  if (isEncodedPowerShell(parent?.commandLine) || isEncodedPowerShell(process?.commandLine)) {
    add('encoded-powershell', `${name} runs in a chain with an encoded PowerShell command.`);
  }
  if (isRemoteAdmin(parent?.executable))
    add(
      'lineage-from-remote-admin',
      `${name} was started by remote administration (${parentName}).`,
    );
  if (dumpToolOf(parent?.commandLine, parent?.executable) !== undefined)
    add('lineage-from-dump-tool', `${name} was started by dump tooling ${parentName}.`);
  const userId = event.user?.id;
  if (
    expectedUsers !== undefined &&
    userId !== undefined &&
    !expectedUsers.some((sid) => sid.toUpperCase() === userId.toUpperCase())
  ) {
    add(
      'user-context-mismatch',
      `${name} runs as ${userId}, which the inventory does not expect on this host.`,
    );
  }
  return findings;
}
