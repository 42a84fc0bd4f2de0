import { ResponseTargetError } from '../errors';
import type { AccountContainment, ContainmentLedger } from '../identity/account-containment';
import type { KibanaClient } from '../kibana/client';
import { KibanaCases, commentMarker } from '../kibana/cases';
import { DefendActions, type DefendCommand, type DefendOptions } from '../kibana/defend';
import { KibanaDetections, type MatchEntry } from '../kibana/detections';
import type { Logger } from '../logging';
import type { ConnectorReceipt, ResponseConnector } from './connector';
import { describeEvidence, describeDecision } from './kibana-comments';
import { captureVolatileState, describeCapture } from './kibana-volatile-capture';
import { EXCEPTION_TUPLE_FIELDS, assertStepIsSafe } from './safety';
import type { StepRequest } from './types';

/**
 * The alert field each exception tuple field is matched against.
 * NOTE: no field of the Sysmon ProcessAccess event names the recovered initiator, so the
 * `processIdentity` entry matches only where an ingest pipeline writes it into this label.
 * Elsewhere the item never matches and the alert keeps firing, which errs on the safe side.
 */
export const EXCEPTION_ENTRY_FIELDS: Record<(typeof EXCEPTION_TUPLE_FIELDS)[number], string> = {
  sourceImage: 'winlog.event_data.SourceImage',
  callTrace: 'winlog.event_data.CallTrace',
  grantedAccess: 'winlog.event_data.GrantedAccess',
  processIdentity: 'labels.malseclogon_initiator',
  userId: 'user.id',
  hostId: 'host.id',
};

export interface KibanaConnectorOptions {
  client: KibanaClient;
  /** Kibana space, which also names the alert index `.alerts-security.alerts-<space>`. */
  space: string;
  defend?: DefendOptions;
  /** Account containment in Microsoft Entra ID; without it account steps are escalated in the case. */
  accounts?: AccountContainment;
  logger?: Logger;
}

type StepDetail = { effect: ConnectorReceipt['effect']; detail: Record<string, unknown> };

/**
 * Carries out response steps through Kibana: a case per alert with one comment per step,
 * alert status changes, Elastic Defend volatile-state collection, isolation and process
 * suspension, and rule exceptions. Account steps go to Microsoft Entra ID when `accounts` is
 * set, and are otherwise recorded in the case as escalated to the identity team.
 *
 * Before it creates anything, every step looks up what an earlier attempt with the same
 * idempotency key left behind: the case tag, the comment marker, the marker in a Defend action's
 * comment or the exception's `item_id`. A retried step therefore never creates a second case,
 * isolation or exception. Throws `KibanaApiError`, `ResponseTargetError` and
 * `ResponseActionFailedError`; the last two and non-retryable API errors carry `retryable: false`.
 */
export class KibanaConnector implements ResponseConnector {
  readonly name = 'kibana';
  private readonly cases: KibanaCases;
  private readonly defend: DefendActions;
  private readonly detections: KibanaDetections;
  private readonly receipts = new Map<string, ConnectorReceipt>();

  constructor(private readonly options: KibanaConnectorOptions) {
    this.cases = new KibanaCases(options.client, `.alerts-security.alerts-${options.space}`);
    this.defend = new DefendActions(options.client, options.defend);
    this.detections = new KibanaDetections(options.client);
  }

  /** Runs the step once per idempotency key and returns its receipt. */
  async execute(request: StepRequest): Promise<ConnectorReceipt> {
    const existing = this.receipts.get(request.idempotencyKey);
    if (existing) return existing;

    // The activity checks this too; repeating it here keeps direct callers from skipping it.
    assertStepIsSafe(request);
    const { effect, detail } = await this.run(request);
    const receipt: ConnectorReceipt = {
      step: request.step,
      target: { ...request.target },
      parameters: structuredClone(request.parameters),
      idempotencyKey: request.idempotencyKey,
      recordedAt: new Date().toISOString(),
      effect,
      detail,
    };
    this.receipts.set(request.idempotencyKey, receipt);
    this.options.logger?.info(
      { connector: this.name, step: request.step, idempotencyKey: request.idempotencyKey, ...detail },
      'response step applied in Kibana',
    );
    return receipt;
  }

  private async run(request: StepRequest): Promise<StepDetail> {
    const alertId = alertIdOf(request);
    const caseId = await this.cases.ensureCase({ alertId, hostName: request.target.hostName });
    const key = request.idempotencyKey;
    const comment = (text: string) => this.cases.ensureStepComment(caseId, key, text);

    switch (request.step) {
      case 'preserve-evidence': {
        const ruleUuid = readString(request.parameters.alert, 'ruleUuid');
        if (ruleUuid !== undefined && isElasticAlertId(alertId)) {
          await this.cases.ensureAlertAttached(caseId, alertId, ruleUuid);
        }
        const capture = await captureVolatileState(this.defend, request, caseId);
        await comment(`${describeEvidence(request)}\n${describeCapture(capture)}`);
        return { effect: 'applied', detail: { caseId, volatileCapture: capture } };
      }
      case 'escalate': {
        if (!isElasticAlertId(alertId)) {
          await comment(`Escalated; no Elastic Security alert to acknowledge. ${describeDecision(request)}`);
          return { effect: 'applied', detail: { caseId } };
        }
        await this.detections.setAlertStatus(alertId, 'acknowledged');
        await comment(`Escalated and the alert acknowledged. ${describeDecision(request)}`);
        return { effect: 'applied', detail: { caseId, alertStatus: 'acknowledged' } };
      }
      case 'isolate-host':
        return this.runEndpointAction(request, caseId, 'isolate', undefined);
      case 'suspend-process':
        // The API takes either entity_id or pid, never both; the entity id cannot name a reused pid.
        return this.runEndpointAction(request, caseId, 'suspend-process', {
          entity_id: entityIdOf(request),
        });
      case 'reverse-containment':
        return this.reverseContainment(request, caseId, alertId);
      case 'close-alert': {
        if (!isElasticAlertId(alertId)) {
          await comment(`Closed as benign; no Elastic Security alert to close. ${describeDecision(request)}`);
          return { effect: 'applied', detail: { caseId } };
        }
        await this.detections.setAlertStatus(alertId, 'closed');
        await comment(`Alert closed as benign. ${describeDecision(request)}`);
        return { effect: 'applied', detail: { caseId, alertStatus: 'closed' } };
      }
      case 'create-exception':
        return this.createException(request, caseId);
      case 'limit-user':
      case 'contain-account': {
        if (this.options.accounts !== undefined) {
          const outcome = await this.options.accounts.contain(request, alertId, this.ledger(caseId));
          await comment(`${outcome.summary} ${describeDecision(request)}`);
          return { effect: 'applied', detail: { caseId, ...outcome } };
        }
        const user = request.target.userName ?? request.target.userId ?? 'unknown user';
        await comment(
          `${request.step} for ${user} (user.id ${request.target.userId ?? 'unknown'}) was ` +
            `escalated to the identity team: no identity connector is configured. ${describeDecision(request)}`,
        );
        return { effect: 'recorded', detail: { caseId, escalatedTo: 'identity team' } };
      }
    }
  }

  /** Isolates the host or suspends the tool through Defend, reusing an earlier action of this key. */
  private async runEndpointAction(
    request: StepRequest,
    caseId: string,
    command: DefendCommand,
    parameters: object | undefined,
  ): Promise<StepDetail> {
    const { hostId, hostName = 'unknown host' } = request.target;
    if (hostId === undefined) {
      throw new ResponseTargetError(
        `${request.step} needs the alert's host.id to find the Elastic Defend endpoint of ` +
          `${hostName}, and the alert carries none (forwarded event logs lack it).`,
      );
    }
    const endpointId = await this.defend.findEndpointId(hostId, hostName);
    const marker = commentMarker(request.idempotencyKey);
    const action =
      (await this.defend.findAction(command, endpointId, marker)) ??
      (await this.defend.startAction(command, {
        endpoint_ids: [endpointId],
        comment: `${marker} ${describeDecision(request)}`,
        case_ids: [caseId],
        ...(parameters === undefined ? {} : { parameters }),
      }));
    const finished = await this.defend.waitForAction(action);

    const what = command === 'isolate' ? `Host ${hostName} isolated` : `Process suspended on ${hostName}`;
    await this.cases.ensureStepComment(
      caseId,
      request.idempotencyKey,
      `${what} by Elastic Defend action ${finished.id} on endpoint ${endpointId}.`,
    );
    return { effect: 'applied', detail: { caseId, endpointId, actionId: finished.id } };
  }

  /** Releases an isolation this alert's run made. A suspension and account steps have no reversal here. */
  private async reverseContainment(
    request: StepRequest,
    caseId: string,
    alertId: string,
  ): Promise<StepDetail> {
    const isolationMarker = commentMarker(`${alertId}:isolate-host`);
    const isolation = await this.defend.findAction('isolate', undefined, isolationMarker);
    const notes: string[] = [];
    let releaseActionId: string | undefined;
    if (isolation?.isCompleted && isolation.wasSuccessful) {
      const marker = commentMarker(request.idempotencyKey);
      const release =
        (await this.defend.findAction('unisolate', isolation.agents[0], marker)) ??
        (await this.defend.startAction('unisolate', {
          endpoint_ids: isolation.agents,
          comment: `${marker} Released: ${describeDecision(request)}`,
          case_ids: [caseId],
        }));
      releaseActionId = (await this.defend.waitForAction(release)).id;
      notes.push(`Isolation ${isolation.id} released by Elastic Defend action ${releaseActionId}.`);
    } else {
      notes.push('No completed isolation by this run was found, so no host was released.');
    }
    notes.push(
      'Elastic Defend has no resume action: a process this run suspended stays suspended until it ' +
        'is ended or the host restarts.',
    );
    const account = await this.options.accounts?.release(request, alertId, this.ledger(caseId));
    if (this.options.accounts === undefined) {
      notes.push('Account limits were escalated to the identity team, who lift them.');
    } else {
      notes.push(account?.summary ?? 'No account was disabled by this alert, so none was re-enabled.');
    }
    await this.cases.ensureStepComment(caseId, request.idempotencyKey, notes.join(' '));
    return {
      effect: 'applied',
      detail: {
        caseId,
        ...(releaseActionId ? { releaseActionId } : {}),
        ...(account ? { reenabledGraphUserId: account.graphUserId } : {}),
      },
    };
  }

  /** Keeps account-containment notes as marked comments on the alert's case. */
  private ledger(caseId: string): ContainmentLedger {
    return {
      has: async (key) => (await this.cases.findStepComment(caseId, key)) !== undefined,
      add: (key, text) => this.cases.ensureStepComment(caseId, key, text),
    };
  }

  /** Adds the exact tuple to the rule's exception list once, keyed by `item_id`. */
  private async createException(request: StepRequest, caseId: string): Promise<StepDetail> {
    const ruleUuid = readString(request.parameters, 'ruleUuid');
    if (ruleUuid === undefined) {
      throw new ResponseTargetError(
        'create-exception needs the rule of the alert (kibana.alert.rule.uuid), and the alert ' +
          'carries none. Only Elastic Security alerts can get a rule exception.',
      );
    }
    const rule = await this.detections.getRule(ruleUuid);
    const itemId = exceptionItemId(request.idempotencyKey);
    const item =
      (await this.detections.findExceptionItem(itemId)) ??
      (await this.detections.addRuleException(rule.id, {
        itemId,
        name: `MalSecLogon exact tuple on ${request.target.hostId}`,
        description: 'The exact MalSecLogon tuple confirmed benign by an analyst.',
        entries: exceptionEntries(request.target),
        comment: describeDecision(request),
      }));
    await this.cases.ensureStepComment(
      caseId,
      request.idempotencyKey,
      `Exception item ${item.item_id} added to rule "${rule.name}" for the exact tuple. ${describeDecision(request)}`,
    );
    return { effect: 'applied', detail: { caseId, exceptionItemId: item.item_id, listId: item.list_id } };
  }
}

/** Returns one `match` entry per tuple field, in tuple order, and nothing else. */
export function exceptionEntries(target: Record<string, string>): MatchEntry[] {
  return EXCEPTION_TUPLE_FIELDS.map((field) => ({
    field: EXCEPTION_ENTRY_FIELDS[field],
    operator: 'included',
    type: 'match',
    value: target[field] ?? '',
  }));
}

/** Returns the exception's `item_id`: the idempotency key with characters outside `A-Za-z0-9_-` replaced. */
export function exceptionItemId(idempotencyKey: string): string {
  return `soar-${idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** Returns the alert id: the target's, the preserved alert's, or the idempotency key's prefix. */
function alertIdOf(request: StepRequest): string {
  const key = request.idempotencyKey;
  return (
    request.target.alertId ??
    readString(request.parameters.alert, 'alertId') ??
    key.slice(0, Math.max(key.lastIndexOf(':'), 0))
  );
}

/**
 * False for identities derived from a source event (`evt-…`), which arrive without an Elastic
 * Security alert behind them, so there is no alert document to attach or update.
 */
function isElasticAlertId(alertId: string): boolean {
  return !alertId.startsWith('evt-');
}

/**
 * Returns `parameters.entity_id`. The planner skips a suspension without one, so its absence
 * here means a request built elsewhere.
 */
function entityIdOf(request: StepRequest): string {
  const entityId = readString(request.parameters, 'entity_id');
  if (entityId === undefined || entityId.trim() === '') {
    throw new ResponseTargetError(
      `suspend-process needs the process.entity_id of the recovered tool ` +
        `${request.target.executable ?? ''} in parameters.entity_id, and the request carries none. ` +
        'Suspend it from the Elastic Defend response console instead.',
    );
  }
  return entityId;
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}
