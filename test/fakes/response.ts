/**
 * Fixtures and fake activities for the response workflow: a MalSecLogon alert, answers with chosen
 * coverage and suspicion, and activity objects that record every call in order.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type {
  EnrichmentActivities,
  ResponseActivities,
  SlackActivities,
  VerdictResult,
} from '../../activities/types';
import type { Alert } from '../../src/alert/alert';
import type { Answer, Finding, QuestionId } from '../../src/investigation/types';
import { planResponse } from '../../src/response/plan';
import type { Action, StepName } from '../../src/response/types';

export const TOOL_EXECUTABLE = 'C:\\Users\\bob\\AppData\\Local\\Temp\\MalSecLogon.exe';
/** Elastic Defend `process.entity_id` of the tool: case-sensitive base64. */
export const TOOL_ENTITY_ID = 'TWFsU2VjTG9nb24tZW50aXR5';

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertId: 'alert-0001',
    identitySource: 'kibana.alert.uuid',
    shape: 'elastic-alert',
    timestamp: '2024-05-02T10:15:00.000Z',
    host: { id: 'host-1', name: 'ws-042' },
    user: { id: 'S-1-5-21-1-2-3-1104', name: 'bob', domain: 'CORP' },
    rule: {},
    access: {
      sourceImage: 'C:\\Windows\\system32\\svchost.exe',
      sourceProcessGuid: '{aaaaaaaa-0000-0000-0000-000000000001}',
      targetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
      grantedAccess: '0x14c0',
      callTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4|c:\\windows\\system32\\seclogon.dll+1a8c',
    },
    ...overrides,
  };
}

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'seclogon-caller',
    summary: 'Recovered Secondary Logon caller.',
    isSuspicious: true,
    fields: ['process.executable'],
    recordIds: ['rec-1'],
    subject: TOOL_EXECUTABLE,
    entityId: TOOL_ENTITY_ID,
    pid: 6072,
    ...overrides,
  };
}

/** An answer with `present` coverage and no findings unless given. */
export function answer(question: QuestionId, overrides: Partial<Answer> = {}): Answer {
  return {
    question,
    coverage: 'present',
    findings: [],
    querySummaries: [`${question} query`],
    ...overrides,
  };
}

/** Q1 to Q6 with present coverage and nothing suspicious: local evidence that looks benign. */
export function clearLocalAnswers(): Answer[] {
  return (['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6'] as const).map((question) => answer(question));
}

/** Q1 to Q6 where Q2 recovered a suspicious tool. */
export function suspiciousLocalAnswers(): Answer[] {
  return clearLocalAnswers().map((item) =>
    item.question === 'Q2' ? { ...item, findings: [finding()] } : item,
  );
}

export interface RecordedCall {
  name: string;
  phase: 'start' | 'finish';
  input: unknown;
  /** More of the input where `input` holds only its key, e.g. a thread reply's text. */
  detail?: unknown;
}

export interface FakeOptions {
  localAnswers?: Answer[];
  verdict?: VerdictResult;
  /** Steps whose connector call fails with a non-retryable failure. */
  failingSteps?: StepName[];
  /** Resolves when reachVerdict may return, so a test can act while the workflow is enriching. */
  verdictGate?: Promise<void>;
}

export function verdictResult(
  kind: 'escalate' | 'unresolved' | 'benign',
  allowedActions: Action[],
  isPrivilegedScope = false,
): VerdictResult {
  return { verdict: { kind, reasons: [], isPrivilegedScope }, allowedActions };
}

export const ALL_ACTIONS: Action[] = [
  'preserve',
  'contain',
  'isolate',
  'close-benign',
  'exception',
];

/** Builds fake enrichment, Slack and response activities that push every call to `calls`. */
export function createFakeActivities(options: FakeOptions = {}) {
  const calls: RecordedCall[] = [];
  const local = options.localAnswers ?? suspiciousLocalAnswers();
  const byQuestion = (question: QuestionId): Answer =>
    local.find((item) => item.question === question) ?? answer(question);
  const record = (name: string, input: unknown): void => {
    calls.push({ name, phase: 'start', input });
  };

  const enrichment: EnrichmentActivities = {
    async assessTuple(alert) {
      record('assessTuple', alert.alertId);
      return byQuestion('Q1');
    },
    async recoverProcessLineage(alert) {
      record('recoverProcessLineage', alert.alertId);
      return [byQuestion('Q2'), byQuestion('Q3')];
    },
    async searchDumpArtifacts(alert) {
      record('searchDumpArtifacts', alert.alertId);
      return byQuestion('Q4');
    },
    async assessImpact(alert) {
      record('assessImpact', alert.alertId);
      return byQuestion('Q5');
    },
    async pivotAuthentication(alert) {
      record('pivotAuthentication', alert.alertId);
      return byQuestion('Q6');
    },
    async findRelatedAlerts({ scope }) {
      record('findRelatedAlerts', scope);
      return answer('Q7', { querySummaries: [`Q7 ${scope} query`] });
    },
    async reachVerdict() {
      record('reachVerdict', undefined);
      await options.verdictGate;
      return options.verdict ?? verdictResult('escalate', ['preserve', 'contain', 'isolate']);
    },
  };

  const slack: SlackActivities = {
    async postApprovalRequest(input) {
      record('postApprovalRequest', input.allowedActions);
      return { channel: 'C0APPROVALS', ts: '1714644900.000100' };
    },
    async recordDecisionInSlack(input) {
      record('recordDecisionInSlack', input.decision.action);
    },
    async recordPendingApprovalInSlack(input) {
      record('recordPendingApprovalInSlack', input.pending.action);
    },
    async postThreadReply(input) {
      calls.push({ name: 'postThreadReply', phase: 'start', input: input.key, detail: input.text });
    },
  };

  const response: ResponseActivities = {
    async planResponse({ alert, answers, decision }) {
      record('planResponse', decision.action);
      return planResponse(alert, answers, decision);
    },
    async runResponseStep({ request }) {
      const startedAt = new Date().toISOString();
      record(`step:${request.step}`, request);
      // A short pause lets an overlapping step, if the workflow ever started one, record its start.
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (options.failingSteps?.includes(request.step)) {
        calls.push({ name: `step:${request.step}`, phase: 'finish', input: 'failed' });
        throw ApplicationFailure.nonRetryable(
          `connector rejected ${request.step}`,
          'ConnectorError',
        );
      }
      calls.push({ name: `step:${request.step}`, phase: 'finish', input: 'done' });
      const detail = 'recorded by the fake connector';
      return {
        step: request.step,
        outcome: 'done',
        detail,
        idempotencyKey: request.idempotencyKey,
        startedAt,
        finishedAt: new Date().toISOString(),
      };
    },
  };

  return { activities: { ...enrichment, ...slack, ...response }, calls };
}

/** Names of the calls that started, in order. */
export function startedNames(calls: RecordedCall[]): string[] {
  return calls.filter((call) => call.phase === 'start').map((call) => call.name);
}
