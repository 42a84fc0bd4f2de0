import type { Alert } from '../alert/alert';
import { errorMessage } from '../errors';
import type { TelemetryEvent, TelemetrySource } from '../telemetry/types';
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

const LOGON_FIELDS = [
  'winlog.event_id',
  'winlog.logon.type',
  'winlog.event_data.TargetLogonId',
  'winlog.event_data.TargetUserSid',
  'winlog.event_data.LogonProcessName',
];
const EXPLICIT_FIELDS = [
  'winlog.event_id',
  'winlog.event_data.SubjectUserSid',
  'winlog.event_data.SubjectLogonId',
  'winlog.event_data.TargetServerName',
];
const REMOTE_LOGON_TYPES = new Set([3, 10]);

/** True for addresses that do not leave the host: loopback, unspecified, or not recorded. */
export function isLocalAddress(ip: string | undefined): boolean {
  if (ip === undefined) return true;
  const lower = ip
    .trim()
    .toLowerCase()
    .replace(/^::ffff:/, '');
  return (
    lower === '' ||
    lower === '-' ||
    lower === '::1' ||
    lower === '::' ||
    lower === '0.0.0.0' ||
    lower.startsWith('127.')
  );
}

/**
 * Q6: reads 4624 (TargetUserSid = user.id) and 4648 (SubjectUserSid = user.id) on the host
 * within 24 hours. Escalates on NewCredentials logons (type 9), explicit-credential use and
 * remote logons (type 3 or 10 from a non-loopback address) after the access. Joins the logon
 * ids with `process.Ext.authentication_id` and with the sessions of processes on the host.
 */
export async function pivotAuthentication(
  alert: Alert,
  source: TelemetrySource,
  deps: QuestionDeps,
): Promise<Answer> {
  const window = windowAround(alert, WINDOW_HOURS.Q6);
  const result = await attempt(deps, () =>
    source.authenticationEvents({ host: alert.host, userId: alert.user.id, window }),
  );
  if (!result.ok) return failedAnswer('Q6', result.error);
  const { value } = result;
  const summaries = [value.querySummary];
  if (!value.hasDataOfKind) {
    return absentAnswer(
      'Q6',
      summaries,
      'no authentication events for this host in the window; missing authentication telemetry is unresolved',
    );
  }

  const findings = [
    ...authenticationFindings(alert, value.events),
    ...cappedFindings([value]),
  ];
  const newSessions = value.events.filter(
    (event) => event.logon?.type === 9 && event.logon.targetLogonId !== undefined,
  );
  if (newSessions.length > 0) {
    const processWindow = windowAround(alert, WINDOW_HOURS.Q2);
    const processes = await attempt(deps, () =>
      source.processEvents({ host: alert.host, window: processWindow }),
    );
    if (processes.ok) {
      summaries.push(processes.value.querySummary);
      findings.push(...sessionJoins(newSessions, processes.value.events));
      findings.push(...cappedFindings([processes.value]));
    } else {
      summaries.push(
        `process events for the logon-id join failed: ${errorMessage(processes.error)}`,
      );
    }
  }
  if (alert.user.id === undefined) {
    findings.push({
      kind: 'user-id-missing',
      summary: 'The alert has no user.id, so 4624/4648 were read for every user on the host.',
      isSuspicious: false,
      fields: ['user.id'],
      recordIds: [],
    });
  }
  return { question: 'Q6', coverage: 'present', findings, querySummaries: summaries };
}

function authenticationFindings(alert: Alert, events: TelemetryEvent[]): Finding[] {
  const accessTime = Date.parse(alert.timestamp);
  const logons = events.filter((event) => event.eventCode === '4624');
  const findings: Finding[] = [];
  const typeNine = logons.filter((event) => event.logon?.type === 9);
  if (typeNine.length > 0) {
    const outbound = [
      ...new Set(
        typeNine
          .map((event) => event.logon?.targetOutboundUserName)
          .filter((name) => name !== undefined),
      ),
    ];
    findings.push(
      finding(
        'logon-type-9',
        `NewCredentials (type 9) logons${outbound.length > 0 ? ` for outbound user ${outbound.join(', ')}` : ''}, sessions ${typeNine.map((event) => event.logon?.targetLogonId).join(', ')}.`,
        true,
        [...LOGON_FIELDS, 'winlog.event_data.TargetOutboundUserName'],
        typeNine,
      ),
    );
  }
  const explicit = events.filter((event) => event.eventCode === '4648');
  if (explicit.length > 0) {
    const targets = [
      ...new Set(
        explicit.map(
          (event) =>
            `${event.logon?.targetUserName ?? '?'}@${event.logon?.targetServerName ?? '?'}`,
        ),
      ),
    ];
    findings.push(
      finding(
        'explicit-credentials',
        `Explicit credentials used (4648) for ${targets.join(', ')}.`,
        true,
        EXPLICIT_FIELDS,
        explicit,
      ),
    );
  }
  const remote = logons.filter(
    (event) =>
      REMOTE_LOGON_TYPES.has(event.logon?.type ?? -1) && !isLocalAddress(event.logon?.sourceIp),
  );
  const after = remote.filter((event) => Date.parse(event.timestamp) >= accessTime);
  if (after.length > 0) {
    findings.push(
      finding(
        'remote-logon-after-access',
        `Remote logons after the access from ${[...new Set(after.map((event) => event.logon?.sourceIp))].join(', ')}.`,
        true,
        [...LOGON_FIELDS, 'source.ip'],
        after,
      ),
    );
  }
  const before = remote.filter((event) => Date.parse(event.timestamp) < accessTime);
  if (before.length > 0) {
    findings.push(
      finding(
        'remote-logon-before-access',
        `Remote logons before the access from ${[...new Set(before.map((event) => event.logon?.sourceIp))].join(', ')}; context for the entry path.`,
        false,
        [...LOGON_FIELDS, 'source.ip'],
        before,
      ),
    );
  }
  const seclogonInteractive = logons.filter(
    (event) => event.logon?.type === 2 && /^seclogo/i.test(event.logon.logonProcessName ?? ''),
  );
  if (seclogonInteractive.length > 0) {
    findings.push(
      finding(
        'seclogon-interactive-logon',
        'Secondary Logon interactive logons (type 2, runas without /netonly), not NewCredentials.',
        false,
        LOGON_FIELDS,
        seclogonInteractive,
      ),
    );
  }
  findings.push(...explicitFromNewSession(typeNine, explicit));
  if (alert.authenticationId !== undefined)
    findings.push(...alertSessionJoin(alert.authenticationId, events));
  return findings;
}

/**
 * Joins 4648 SubjectLogonId to the TargetLogonId of NewCredentials 4624 logons: explicit
 * credentials used from inside a session that `runas /netonly`-style tooling created. Logon ids
 * are normalised when read, so `0x16E3DB3` and `0x00000000016e3db3` join.
 */
function explicitFromNewSession(typeNine: TelemetryEvent[], explicit: TelemetryEvent[]): Finding[] {
  const sessions = new Set(typeNine.map((event) => event.logon?.targetLogonId));
  const joined = explicit.filter(
    (event) => event.logon?.subjectLogonId !== undefined && sessions.has(event.logon.subjectLogonId),
  );
  if (joined.length === 0) return [];
  const ids = [...new Set(joined.map((event) => event.logon?.subjectLogonId))];
  const sessionLogons = typeNine.filter((event) => ids.includes(event.logon?.targetLogonId));
  return [
    finding(
      'explicit-credentials-from-new-session',
      `Explicit credentials (4648) were used from NewCredentials session ${ids.join(', ')}.`,
      true,
      [
        'winlog.event_data.TargetLogonId',
        'winlog.event_data.SubjectLogonId',
        'winlog.logon.type',
      ],
      [...sessionLogons, ...joined],
    ),
  ];
}

/** Matches `process.Ext.authentication_id` to TargetLogonId of 4624 and SubjectLogonId of 4648. */
function alertSessionJoin(authenticationId: string, events: TelemetryEvent[]): Finding[] {
  const created = events.filter(
    (event) => event.eventCode === '4624' && event.logon?.targetLogonId === authenticationId,
  );
  const used = events.filter(
    (event) => event.eventCode === '4648' && event.logon?.subjectLogonId === authenticationId,
  );
  const findings: Finding[] = [];
  if (created.length > 0) {
    const isNewCredentials = created.some((event) => event.logon?.type === 9);
    findings.push(
      finding(
        'alert-session-logon',
        `The alert process's session ${authenticationId} was created by logon type ${created.map((event) => event.logon?.type ?? '?').join(', ')}.`,
        isNewCredentials,
        ['process.Ext.authentication_id', 'winlog.event_data.TargetLogonId', 'winlog.logon.type'],
        created,
      ),
    );
  }
  if (used.length > 0) {
    findings.push(
      finding(
        'alert-session-explicit-credentials',
        `The alert process's session ${authenticationId} used explicit credentials (4648).`,
        true,
        ['process.Ext.authentication_id', 'winlog.event_data.SubjectLogonId'],
        used,
      ),
    );
  }
  return findings;
}

/** Finds processes that ran in a NewCredentials session (Sysmon LogonId or 4688 logon id = TargetLogonId). */
function sessionJoins(newSessions: TelemetryEvent[], processes: TelemetryEvent[]): Finding[] {
  const sessionIds = new Set(newSessions.map((event) => event.logon?.targetLogonId));
  const inSession = processes.filter(
    (event) => event.process?.logonId !== undefined && sessionIds.has(event.process.logonId),
  );
  if (inSession.length === 0) return [];
  const names = [...new Set(inSession.map((event) => describeProcess(event.process)))];
  return [
    finding(
      'process-in-new-credentials-session',
      `Processes ran in a NewCredentials session: ${names.slice(0, 3).join('; ')}.`,
      true,
      [
        'winlog.event_data.LogonId',
        'process.Ext.authentication_id',
        'winlog.event_data.TargetLogonId',
      ],
      [...newSessions, ...inSession],
    ),
  ];
}
