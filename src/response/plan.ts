import type { Alert } from '../alert/alert';
import type { Answer, Finding, QuestionId } from '../investigation/types';
import { isProtectedProcess } from './safety';
import type { Decision, StepName, StepRequest } from './types';

/** Steps that later reverse-containment undoes when they ran for the same alert. */
const REVERSIBLE_STEPS: StepName[] = [
  'suspend-process',
  'limit-user',
  'isolate-host',
  'contain-account',
];

/**
 * Turns a decision into the ordered step requests for one alert. Every choice that contains or
 * isolates starts with preserve-evidence. A step that cannot run (no recovered tool, no user.id)
 * is planned with `parameters.skipReason`, and runners record it as skipped without a request.
 * Pure and deterministic: the idempotency key is `${alertId}:${step}`, stable across retries.
 */
export function planResponse(alert: Alert, answers: Answer[], decision: Decision): StepRequest[] {
  const plan = new StepPlanner(alert, answers, decision);
  switch (decision.action) {
    case 'preserve':
      return [plan.preserveEvidence(), plan.escalate()];
    case 'contain':
      return [plan.preserveEvidence(), plan.suspendProcess(), plan.limitUser()];
    case 'isolate':
      return [plan.preserveEvidence(), plan.isolateHost(), plan.containAccount()];
    case 'close-benign':
      return [plan.reverseContainment(), plan.closeAlert()];
    case 'exception':
      return [plan.reverseContainment(), plan.closeAlert(), plan.createException()];
  }
}

/** Q4 finding kinds whose `filePaths` are dump output written on the host. */
const DUMP_OUTPUT_KINDS = ['dump-file', 'dump-output-renamed'];

/** Q2 finding kinds that name the process which asked seclogon for the handle. */
const INITIATOR_KINDS = ['recognised-initiator', 'seclogon-caller'];

/**
 * Returns the executable of the recovered non-system tool from the Q2 findings, preferring a
 * suspicious one. Never returns svchost.exe, lsass.exe or another protected Windows process.
 */
export function recoveredTool(answers: Answer[]): string | undefined {
  return recoveredToolFinding(answers)?.subject;
}

/** Returns the Q2 finding `recoveredTool` takes the executable from. */
export function recoveredToolFinding(answers: Answer[]): Finding | undefined {
  const candidates = toolCandidates(answers);
  return candidates.find((finding) => finding.isSuspicious) ?? candidates[0];
}

/**
 * Returns the Q2 finding to suspend: the first recovered tool finding that names a
 * `process.entity_id`, suspicious ones first, else the `recoveredToolFinding`. One run of a
 * tool can appear under several findings, and only Sysmon and Defend process records carry the
 * entity id (Security 4688 does not).
 */
export function suspensionTarget(answers: Answer[]): Finding | undefined {
  const candidates = toolCandidates(answers);
  return (
    candidates.find((finding) => finding.isSuspicious && finding.entityId !== undefined) ??
    candidates.find((finding) => finding.entityId !== undefined) ??
    recoveredToolFinding(answers)
  );
}

/** Q2 findings about a non-system executable other than recognised tooling. */
function toolCandidates(answers: Answer[]): Finding[] {
  return findingsFor(answers, 'Q2').filter(
    (finding) =>
      finding.kind !== 'recognised-initiator' &&
      isExecutablePath(finding.subject) &&
      !isProtectedProcess(finding.subject),
  );
}

/**
 * Returns the recovered workflow identity for an exception: the subject of the Q2 initiator
 * finding (the executable, or for recognised tooling the inventory entry id that pins it), else
 * the recovered tool. Undefined when Q2 recovered neither.
 */
export function recoveredIdentity(answers: Answer[]): string | undefined {
  const initiator = findingsFor(answers, 'Q2').find(
    (finding) => INITIATOR_KINDS.includes(finding.kind) && (finding.subject ?? '') !== '',
  );
  return initiator?.subject ?? recoveredTool(answers);
}

function isExecutablePath(subject: string | undefined): subject is string {
  return subject !== undefined && /[\\/]|\.exe$/i.test(subject);
}

class StepPlanner {
  constructor(
    private readonly alert: Alert,
    private readonly answers: Answer[],
    private readonly decision: Decision,
  ) {}

  preserveEvidence(): StepRequest {
    const { alert } = this;
    return this.request('preserve-evidence', this.hostTarget(), {
      alert: {
        alertId: alert.alertId,
        ruleUuid: alert.ruleUuid,
        timestamp: alert.timestamp,
        recordId: alert.recordId,
      },
      sourceService: {
        processGuid: alert.access.sourceProcessGuid,
        image: alert.access.sourceImage,
        pid: alert.access.sourceProcessId,
      },
      processStartRecordIds: this.recordIds('Q2'),
      commandLineRecordIds: this.recordIds('Q3'),
      dumpArtifactRecordIds: this.recordIds('Q4'),
      dumpArtifactPaths: this.dumpArtifactPaths(),
      authenticationRecordIds: this.recordIds('Q6'),
      volatileState: ['handles', 'services'],
      // The connector preserves these two as they are and records a SHA-256 of each.
      alertDocument: alert,
      answers: this.answers,
    });
  }

  escalate(): StepRequest {
    return this.request('escalate', { alertId: this.alert.alertId }, this.decisionParameters());
  }

  suspendProcess(): StepRequest {
    const tool = suspensionTarget(this.answers);
    const executable = tool?.subject;
    if (!executable) {
      const reason = 'no non-system tool was recovered from the process events (Q2)';
      return this.skipped('suspend-process', this.hostTarget(), reason);
    }
    // A pid alone can name a different process once the tool exits and Windows reuses the pid.
    if (!tool.entityId) {
      const reason =
        `the process events name no process.entity_id for the recovered tool ${executable}, ` +
        'so the suspension could hit another process that reused its pid';
      return this.skipped('suspend-process', { ...this.hostTarget(), executable }, reason);
    }
    return this.request(
      'suspend-process',
      { ...this.hostTarget(), executable },
      {
        reversible: true,
        entity_id: tool.entityId,
        ...(tool.pid === undefined ? {} : { pid: tool.pid }),
      },
    );
  }

  limitUser(): StepRequest {
    return this.userStep('limit-user', { temporary: true, hostName: this.alert.host.name });
  }

  isolateHost(): StepRequest {
    return this.request('isolate-host', this.hostTarget(), this.decisionParameters());
  }

  containAccount(): StepRequest {
    return this.userStep('contain-account', this.decisionParameters());
  }

  reverseContainment(): StepRequest {
    const reverseIdempotencyKeys = REVERSIBLE_STEPS.map((step) => this.key(step));
    // The user SID lets an identity connector find the account that contain-account disabled.
    const user = this.alert.user.id === undefined ? {} : { userId: this.alert.user.id };
    return this.request(
      'reverse-containment',
      { alertId: this.alert.alertId },
      { reverseIdempotencyKeys, ...user },
    );
  }

  closeAlert(): StepRequest {
    return this.request(
      'close-alert',
      { alertId: this.alert.alertId },
      { resolution: 'benign', ...this.decisionParameters() },
    );
  }

  createException(): StepRequest {
    const { access, host, user } = this.alert;
    const tuple: Record<string, string> = {
      sourceImage: access.sourceImage ?? '',
      callTrace: access.callTrace ?? '',
      grantedAccess: access.grantedAccess ?? '',
      processIdentity: recoveredIdentity(this.answers) ?? '',
      userId: user.id ?? '',
      hostId: host.id ?? '',
    };
    const unusable = Object.entries(tuple)
      .filter(([, value]) => value.trim() === '' || /[*?]/.test(value))
      .map(([field]) => field);
    if (unusable.length > 0) {
      const reason = `an exception must name the exact pattern, but ${unusable.join(', ')} is missing or a wildcard`;
      return this.skipped('create-exception', tuple, reason);
    }
    // The rule's uuid goes in the parameters, because the target must hold the tuple and nothing else.
    const rule = this.alert.ruleUuid === undefined ? {} : { ruleUuid: this.alert.ruleUuid };
    return this.request('create-exception', tuple, { ...this.decisionParameters(), ...rule });
  }

  private userStep(step: StepName, parameters: Record<string, unknown>): StepRequest {
    const { user } = this.alert;
    if (!user.id) return this.skipped(step, {}, 'the alert carries no user.id to act on');
    const target: Record<string, string> = { userId: user.id };
    if (user.name) target.userName = user.name;
    if (user.domain) target.userDomain = user.domain;
    return this.request(step, target, parameters);
  }

  private hostTarget(): Record<string, string> {
    const { host } = this.alert;
    return host.id ? { hostName: host.name, hostId: host.id } : { hostName: host.name };
  }

  private decisionParameters(): Record<string, unknown> {
    const { action, decidedBy, decidedAt, comment } = this.decision;
    return { action, decidedBy, decidedAt, ...(comment ? { comment } : {}) };
  }

  /** Returns the `file.path` of every dump output Q4 found, for a connector that can fetch files. */
  private dumpArtifactPaths(): string[] {
    const paths = findingsFor(this.answers, 'Q4')
      .filter((finding) => DUMP_OUTPUT_KINDS.includes(finding.kind))
      .flatMap((finding) => finding.filePaths ?? []);
    return [...new Set(paths)];
  }

  private recordIds(question: QuestionId): string[] {
    return [
      ...new Set(findingsFor(this.answers, question).flatMap((finding) => finding.recordIds)),
    ];
  }

  private skipped(step: StepName, target: Record<string, string>, skipReason: string): StepRequest {
    return this.request(step, target, { skipReason });
  }

  private request(
    step: StepName,
    target: Record<string, string>,
    parameters: Record<string, unknown>,
  ): StepRequest {
    return { step, target, parameters, idempotencyKey: this.key(step) };
  }

  private key(step: StepName): string {
    return `${this.alert.alertId}:${step}`;
  }
}

function findingsFor(answers: Answer[], question: QuestionId): Finding[] {
  return answers
    .filter((answer) => answer.question === question)
    .flatMap((answer) => answer.findings);
}

/** Returns the reason a planned step is skipped, or undefined when it runs. */
export function skipReasonOf(request: StepRequest): string | undefined {
  const reason = request.parameters.skipReason;
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}
