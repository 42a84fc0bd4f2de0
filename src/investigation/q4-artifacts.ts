import type { Alert } from '../alert/alert';
import type { QueryResult, TelemetryEvent, TelemetrySource } from '../telemetry/types';
import {
  dumpToolOf,
  isDumpFile,
  isLsass,
  isProcessStart,
  isStagedArchive,
  isSystemLsassAccessor,
} from './detectors';
import {
  WINDOW_HOURS,
  attempt,
  cappedFindings,
  combineCoverage,
  describeProcess,
  failedAnswer,
  finding,
  windowAround,
  type QuestionDeps,
} from './question';
import type { Answer, Finding } from './types';

/** Children of one parent within this span count as rapid creation. */
const RAPID_SPAN_MS = 10_000;
const RAPID_MIN_CHILDREN = 5;

/**
 * Q4: looks for dump preparation within an hour of the access: dump-helper command lines, an
 * LSASS clone, dump-like files (`.dmp` in any case, any file with `lsass` in its name, whatever
 * the folder or numbering, such as procdump's `name-N.dmp`), any other file written by a dumping
 * process (renamed or encrypted output), staged archives and rapid child creation. Coverage
 * needs both process and file telemetry, because missing file telemetry leaves dump output
 * unresolved.
 */
export async function searchDumpArtifacts(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const window = windowAround(alert, WINDOW_HOURS.Q4);
  const processes = await attempt(deps, () => source.processEvents({ host: alert.host, window }));
  const files = await attempt(deps, () => source.fileEvents({ host: alert.host, window }));
  const summaries = [processes, files].flatMap((result) =>
    result.ok ? [result.value.querySummary] : [],
  );
  if (!processes.ok) return failedAnswer('Q4', processes.error, summaries);
  if (!files.ok) return failedAnswer('Q4', files.error, summaries);

  const findings = [
    ...processArtifacts(processes.value.events),
    ...fileArtifacts(files.value.events, dumpingProcesses(processes.value.events)),
    ...cappedFindings([processes.value, files.value]),
  ];
  const coverage = combineCoverage([coverageOf(processes.value), coverageOf(files.value)]);
  const missing = [
    processes.value.hasDataOfKind ? undefined : 'process',
    files.value.hasDataOfKind ? undefined : 'file',
  ].filter((kind) => kind !== undefined);
  return {
    question: 'Q4',
    coverage,
    findings,
    querySummaries: summaries,
    ...(missing.length > 0
      ? {
          coverageNote: `no ${missing.join(' or ')} events for this host in the window, so dump output is unresolved`,
        }
      : {}),
  };
}

function coverageOf(result: QueryResult): 'present' | 'absent' {
  return result.hasDataOfKind ? 'present' : 'absent';
}

function processArtifacts(events: TelemetryEvent[]): Finding[] {
  const starts = events.filter(isProcessStart);
  const findings: Finding[] = [];
  const dumpers = starts.filter(
    (event) => dumpToolOf(event.process?.commandLine, event.process?.executable) !== undefined,
  );
  if (dumpers.length > 0) {
    const lines = [
      ...new Set(
        dumpers.map((event) => event.process?.commandLine ?? describeProcess(event.process)),
      ),
    ];
    findings.push(
      finding(
        'dump-command-line',
        `Dump helper command lines: ${lines.slice(0, 3).join('; ')}.`,
        true,
        ['process.command_line', 'process.executable'],
        dumpers,
      ),
    );
  }
  const clones = starts.filter(
    (event) => isLsass(event.process?.executable) && isLsass(event.process?.parent?.executable),
  );
  if (clones.length > 0) {
    findings.push(
      finding(
        'lsass-clone',
        'lsass.exe was created by lsass.exe, the clone that MalSecLogon-style tools dump instead of LSASS itself.',
        true,
        ['process.executable', 'process.parent.executable'],
        clones,
      ),
    );
  }
  const rapid = rapidChildren(starts);
  if (rapid.length > 0) {
    findings.push(
      finding(
        'rapid-child-creation',
        `${describeProcess(rapid[0]?.process?.parent)} started ${rapid.length} processes within ${RAPID_SPAN_MS / 1000} s.`,
        true,
        ['process.parent.executable', 'process.parent.entity_id'],
        rapid,
      ),
    );
  }
  return findings;
}

/** A process that dumps or reads LSASS: a dump tool's start, or a non-system LSASS access. */
interface Dumper {
  entityId?: string;
  pid?: number;
  executable: string;
}

function dumpingProcesses(events: TelemetryEvent[]): Dumper[] {
  const dumpers: Dumper[] = [];
  for (const event of events) {
    const process = event.process;
    const isDumpStart =
      isProcessStart(event) && dumpToolOf(process?.commandLine, process?.executable) !== undefined;
    const access = event.access;
    const isLsassReader =
      access !== undefined &&
      isLsass(access.targetImage) &&
      !isSystemLsassAccessor(access.sourceImage);
    const executable = isLsassReader ? access?.sourceImage : process?.executable;
    if ((isDumpStart || isLsassReader) && executable !== undefined) {
      dumpers.push({ entityId: process?.entityId, pid: process?.pid, executable });
    }
  }
  return dumpers;
}

/** Matches the writer of a file event by entity id, else by executable and pid. */
function isWrittenBy(event: TelemetryEvent, dumper: Dumper): boolean {
  const writer = event.process;
  if (writer?.entityId !== undefined && dumper.entityId !== undefined) {
    return writer.entityId === dumper.entityId;
  }
  return (
    writer?.executable?.toLowerCase() === dumper.executable.toLowerCase() &&
    (writer.pid === undefined || dumper.pid === undefined || writer.pid === dumper.pid)
  );
}

function fileArtifacts(events: TelemetryEvent[], dumpers: Dumper[]): Finding[] {
  const findings: Finding[] = [];
  const dumps = events.filter((event) => event.file !== undefined && isDumpFile(event.file.name));
  const renamed = events.filter(
    (event) =>
      event.file !== undefined &&
      !isDumpFile(event.file.name) &&
      dumpers.some((dumper) => isWrittenBy(event, dumper)),
  );
  if (renamed.length > 0) {
    const written = renamed.map(
      (event) => `${event.file?.path ?? ''} by ${describeProcess(event.process)}`,
    );
    findings.push({
      ...finding(
        'dump-output-renamed',
        `Files written by a process that dumps or opened LSASS: ${[...new Set(written)].slice(0, 3).join('; ')}.`,
        true,
        ['file.path', 'file.name', 'process.executable', 'process.entity_id'],
        renamed,
      ),
      filePaths: filePathsOf(renamed),
    });
  }
  if (dumps.length > 0) {
    const written = dumps.map(
      (event) => `${event.file?.path ?? ''} by ${describeProcess(event.process)}`,
    );
    findings.push({
      ...finding(
        'dump-file',
        `Dump-like files written: ${[...new Set(written)].slice(0, 3).join('; ')}.`,
        true,
        ['file.path', 'file.name', 'process.executable'],
        dumps,
      ),
      filePaths: filePathsOf(dumps),
    });
  }
  const staged = events.filter(
    (event) => event.file !== undefined && isStagedArchive(event.file.path),
  );
  if (staged.length > 0) {
    findings.push(
      finding(
        'staged-archive',
        `Archives written to staging folders: ${staged
          .map((event) => event.file?.path)
          .slice(0, 3)
          .join('; ')}.`,
        true,
        ['file.path', 'file.name'],
        staged,
      ),
    );
  }
  return findings;
}

/** Returns the distinct `file.path` values of file events, first spelling kept. */
function filePathsOf(events: TelemetryEvent[]): string[] {
  const byKey = new Map<string, string>();
  for (const event of events) {
    const filePath = event.file?.path;
    if (filePath && !byKey.has(filePath.toLowerCase())) byKey.set(filePath.toLowerCase(), filePath);
  }
  return [...byKey.values()];
}

/** Returns the starts of the first parent that created RAPID_MIN_CHILDREN children within RAPID_SPAN_MS. */
function rapidChildren(starts: TelemetryEvent[]): TelemetryEvent[] {
  const byParent = new Map<string, TelemetryEvent[]>();
  for (const event of starts) {
    const parent = event.process?.parent;
    const key = parent?.entityId ?? (parent?.pid === undefined ? undefined : `pid:${parent.pid}`);
    if (key === undefined) continue;
    byParent.set(key, [...(byParent.get(key) ?? []), event]);
  }
  for (const children of byParent.values()) {
    for (let index = 0; index + RAPID_MIN_CHILDREN - 1 < children.length; index += 1) {
      const first = Date.parse(children[index]?.timestamp ?? '');
      const last = Date.parse(children[index + RAPID_MIN_CHILDREN - 1]?.timestamp ?? '');
      if (last - first <= RAPID_SPAN_MS) return children.slice(index, index + RAPID_MIN_CHILDREN);
    }
  }
  return [];
}
