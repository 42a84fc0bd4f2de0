/**
 * Pure classifiers for processes, command lines and files. Names compare lower case because
 * Windows paths are case-insensitive.
 */
import { baseName } from '../telemetry/ecs-fields';
import type { TelemetryEvent } from '../telemetry/types';

const SHELLS = new Set(['cmd.exe', 'powershell.exe', 'pwsh.exe', 'powershell_ise.exe']);
const SCRIPT_HOSTS = new Set(['wscript.exe', 'cscript.exe', 'mshta.exe', 'scrcons.exe', 'hh.exe']);
/** Office applications, document readers and browsers: where phishing chains start. */
const DOCUMENT_HANDLERS = new Set([
  'winword.exe',
  'excel.exe',
  'powerpnt.exe',
  'outlook.exe',
  'msaccess.exe',
  'mspub.exe',
  'onenote.exe',
  'visio.exe',
  'acrord32.exe',
  'acrobat.exe',
  'foxitreader.exe',
  'chrome.exe',
  'msedge.exe',
  'firefox.exe',
  'iexplore.exe',
  'opera.exe',
  'brave.exe',
]);
const REMOTE_ADMIN = new Set([
  'wmiprvse.exe',
  'wsmprovhost.exe',
  'winrshost.exe',
  'psexec.exe',
  'psexec64.exe',
  'psexesvc.exe',
  'paexec.exe',
  'remcomsvc.exe',
]);

/** Processes that open LSASS as part of Windows itself; their accesses are not initiator evidence. */
const SYSTEM_LSASS_ACCESSORS = new Set([
  'svchost.exe',
  'wininit.exe',
  'csrss.exe',
  'services.exe',
  'lsm.exe',
  'smss.exe',
  'msmpeng.exe',
  'mrt.exe',
  'wmiprvse.exe',
]);

/** Dump tools recognised by executable or command line, each with a test on the command line. */
const DUMP_COMMAND_PATTERNS: { tool: string; pattern: RegExp }[] = [
  {
    tool: 'rundll32 comsvcs MiniDump',
    // MiniDump is export ordinal 24; `#-4294967272` is the same ordinal wrapped around 2^32.
    pattern: /comsvcs(\.dll)?["'\s,]+.*(minidump|#\s*\+?0*24\b|#\s*-4294967272\b)/i,
  },
  { tool: 'procdump', pattern: /procdump(64a?)?(\.exe)?["'\s].*(-m[apm]\b|\/m[apm]\b|lsass)/i },
  { tool: 'createdump', pattern: /\bcreatedump(\.exe)?\b/i },
  { tool: 'sqldumper', pattern: /\bsqldumper(\.exe)?\b/i },
  { tool: 'nanodump', pattern: /nanodump/i },
  { tool: 'Dumpert', pattern: /dumpert/i },
  { tool: 'mimikatz', pattern: /sekurlsa::|lsadump::|privilege::debug/i },
  { tool: 'LSASS dump command', pattern: /lsass.*(\.dmp\b|minidump|\bdump\b)/i },
];

const USER_WRITABLE_PATH =
  /^(\\\\|\\device\\mup\\)|\\(users|programdata|windows\\temp|perflogs|\$recycle\.bin)\\|\\(appdata|temp|downloads)\\/i;

/** True when the path's file name is `name` (lower case, with extension). */
export function isImage(path: string | undefined, name: string): boolean {
  return baseName(path) === name;
}

export function isLsass(path: string | undefined): boolean {
  return isImage(path, 'lsass.exe');
}

export function isShell(path: string | undefined): boolean {
  return SHELLS.has(baseName(path) ?? '');
}

export function isScriptHost(path: string | undefined): boolean {
  return SCRIPT_HOSTS.has(baseName(path) ?? '');
}

/** True for Office applications, document readers and web browsers. */
export function isDocumentHandler(path: string | undefined): boolean {
  return DOCUMENT_HANDLERS.has(baseName(path) ?? '');
}

export function isRemoteAdmin(path: string | undefined): boolean {
  return REMOTE_ADMIN.has(baseName(path) ?? '');
}

export function isSystemLsassAccessor(path: string | undefined): boolean {
  return SYSTEM_LSASS_ACCESSORS.has(baseName(path) ?? '');
}

/** True for binaries under profile, temp, ProgramData or network-share paths. */
export function isUserWritablePath(path: string | undefined): boolean {
  return path !== undefined && USER_WRITABLE_PATH.test(path);
}

/** Names the dump tool a command line or executable invokes, or undefined. */
export function dumpToolOf(
  commandLine: string | undefined,
  executable?: string,
): string | undefined {
  const text = [executable, commandLine].filter((part) => part !== undefined).join(' ');
  if (text === '') return undefined;
  if (/(^|\\)(outflank-)?dumpert\.exe$/i.test(executable ?? '')) return 'Dumpert';
  if (/(^|\\)(procdump(64a?)?|createdump|sqldumper|nanodump[^\\]*)\.exe$/i.test(executable ?? '')) {
    return baseName(executable);
  }
  return DUMP_COMMAND_PATTERNS.find(({ pattern }) => pattern.test(text))?.tool;
}

/** True for PowerShell launched with an encoded command, the usual shape of staged launchers. */
export function isEncodedPowerShell(commandLine: string | undefined): boolean {
  return (
    commandLine !== undefined && /\s-e(nc(odedcommand)?)?\s+[a-z0-9+/=]{20,}/i.test(commandLine)
  );
}

/**
 * Returns the pid a MalSecLogon-style command line targets (`-p <pid>`), or undefined. The
 * MalSeclogon tool takes the LSASS pid this way.
 */
export function targetPidOf(commandLine: string | undefined): number | undefined {
  const match = commandLine?.match(/(?:^|\s)[-/]p\s+(\d+)\b/i);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}

/** True for `.dmp` files in any letter case, and for any file with `lsass` in its name. */
export function isDumpFile(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.dmp') || lower.includes('lsass');
}

/** True for archives written to temp, public or ProgramData folders, where staging happens. */
export function isStagedArchive(path: string): boolean {
  return (
    /\.(zip|7z|rar|cab|tar|gz)$/i.test(path) && /\\(temp|users\\public|programdata)\\/i.test(path)
  );
}

/** True for process starts (Sysmon 1, Security 4688, or a Defend process event without access). */
export function isProcessStart(event: TelemetryEvent): boolean {
  if (event.category !== 'process' || event.access !== undefined) return false;
  return event.eventCode === '1' || event.eventCode === '4688' || event.eventCode === '';
}

/** True for the seclogon service host's command line (`svchost.exe ... -s seclogon`). */
export function isSeclogonServiceHost(commandLine: string | undefined): boolean {
  return commandLine !== undefined && /svchost(\.exe)?["'\s].*-s\s+seclogon\b/i.test(commandLine);
}

/** Collects every pid that LSASS had in the events, from access targets and process lineage. */
export function lsassPidsOf(events: TelemetryEvent[], alertTargetPid?: number): Set<number> {
  const pids = new Set<number>();
  if (alertTargetPid !== undefined) pids.add(alertTargetPid);
  for (const event of events) {
    if (isLsass(event.access?.targetImage) && event.access?.targetProcessId !== undefined) {
      pids.add(event.access.targetProcessId);
    }
    if (
      isProcessStart(event) &&
      isLsass(event.process?.executable) &&
      event.process?.pid !== undefined
    ) {
      pids.add(event.process.pid);
    }
    if (isLsass(event.process?.parent?.executable) && event.process?.parent?.pid !== undefined) {
      pids.add(event.process.parent.pid);
    }
  }
  return pids;
}
