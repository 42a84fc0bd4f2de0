import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { ResponseActionFailedError, ResponseTargetError } from '../errors';
import type { KibanaClient } from './client';

/** Elastic Defend response commands this responder sends. */
export type DefendCommand =
  | 'isolate'
  | 'unisolate'
  | 'suspend-process'
  | 'running-processes'
  | 'get-file';

/** API path of each command; the command name in replies uses a dash, the path an underscore. */
const COMMAND_PATHS: Record<DefendCommand, string> = {
  isolate: '/api/endpoint/action/isolate',
  unisolate: '/api/endpoint/action/unisolate',
  'suspend-process': '/api/endpoint/action/suspend_process',
  'running-processes': '/api/endpoint/action/running_procs',
  'get-file': '/api/endpoint/action/get_file',
};

const ActionSchema = z.looseObject({
  id: z.string(),
  agents: z.array(z.string()),
  command: z.string(),
  isCompleted: z.boolean(),
  wasSuccessful: z.boolean(),
  isExpired: z.boolean().optional(),
  comment: z.string().optional(),
  errors: z.array(z.string()).optional(),
  /** Per agent id: what the endpoint returned, e.g. the process list or the fetched file. */
  outputs: z.record(z.string(), z.looseObject({ content: z.unknown().optional() })).optional(),
});
export type DefendAction = z.infer<typeof ActionSchema>;

const ActionReplySchema = z.looseObject({ data: ActionSchema });
const ActionListSchema = z.looseObject({ data: z.array(ActionSchema), total: z.number() });

const MetadataListSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      metadata: z.looseObject({
        agent: z.looseObject({ id: z.string() }),
        elastic: z.looseObject({ agent: z.looseObject({ id: z.string() }) }).optional(),
        host: z.looseObject({ id: z.string().optional(), hostname: z.string().optional() }),
      }),
    }),
  ),
  total: z.number(),
});

export interface DefendOptions {
  /** Pause between two status reads of one action. @default 5_000 */
  pollIntervalMs?: number;
  /**
   * Maximum time one call waits for an action to finish before it throws a retryable error. Kept below
   * the response activity's two-minute start-to-close timeout, so that a retry, which finds the
   * same action by its comment, continues the wait.
   * @default 90_000
   */
  maxWaitMs?: number;
  /** Called after every status read; the worker passes the activity heartbeat. */
  heartbeat?: (details: unknown) => void;
}

/**
 * Elastic Defend response actions through Kibana: finds the endpoint of a host, finds an earlier
 * action by the marker in its comment, starts actions and waits for them to finish.
 */
export class DefendActions {
  private readonly pollIntervalMs: number;
  /** Maximum time one call waits for actions to finish, in milliseconds. */
  readonly maxWaitMs: number;

  constructor(
    private readonly client: KibanaClient,
    private readonly options: DefendOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.maxWaitMs = options.maxWaitMs ?? 90_000;
  }

  /**
   * Returns the Elastic Agent id of the Defend endpoint whose `host.id` is `hostId`. Throws a
   * non-retryable `ResponseTargetError` when no Defend endpoint reports that host.
   */
  async findEndpointId(hostId: string, hostName: string): Promise<string> {
    const endpointId = await this.findEndpoint(hostId, hostName);
    if (endpointId === undefined) {
      throw new ResponseTargetError(
        `host ${hostName} (host.id ${hostId}) has no Elastic Defend agent, so Kibana cannot ` +
          'send it a response action. Contain it by other means and record that in the case.',
      );
    }
    return endpointId;
  }

  /** Returns the Elastic Agent id of the Defend endpoint of `hostId`, or undefined when none reports it. */
  async findEndpoint(hostId: string, hostName: string): Promise<string | undefined> {
    const reply = await this.client.request({
      method: 'GET',
      path: '/api/endpoint/metadata',
      params: { kuery: `united.endpoint.host.id : "${kqlEscape(hostId)}"`, pageSize: 10 },
      schema: MetadataListSchema,
      what: `the Elastic Defend endpoint of host ${hostName}`,
    });
    const match = reply.data.find((item) => item.metadata.host.id === hostId);
    return match === undefined ? undefined : (match.metadata.elastic?.agent.id ?? match.metadata.agent.id);
  }

  /**
   * Returns the latest action of `command` whose comment contains `marker`, on one endpoint or,
   * without `endpointId`, on any.
   * NOTE: only the latest 100 actions of the command are searched, so on a busy cluster an older
   * action of the same key can be missed.
   */
  async findAction(
    command: DefendCommand,
    endpointId: string | undefined,
    marker: string,
  ): Promise<DefendAction | undefined> {
    const reply = await this.client.request({
      method: 'GET',
      path: '/api/endpoint/action',
      params: {
        commands: [command],
        pageSize: 100,
        ...(endpointId === undefined ? {} : { agentIds: [endpointId] }),
      },
      schema: ActionListSchema,
      what: `earlier ${command} actions${endpointId === undefined ? '' : ` on endpoint ${endpointId}`}`,
    });
    return reply.data.find((action) => action.comment?.includes(marker));
  }

  /** Sends one response action and returns it as Kibana recorded it. Not idempotent on its own. */
  async startAction(
    command: DefendCommand,
    body: { endpoint_ids: string[]; comment: string; case_ids?: string[]; parameters?: object },
  ): Promise<DefendAction> {
    const reply = await this.client.request({
      method: 'POST',
      path: COMMAND_PATHS[command],
      body,
      schema: ActionReplySchema,
      what: `${command} on endpoint ${body.endpoint_ids.join(', ')}`,
    });
    return reply.data;
  }

  /**
   * Reads the action's status until it completes, heartbeating after each read. Returns the
   * successful action. Throws `ResponseActionFailedError` when it failed or expired, and an
   * ordinary, retryable `Error` when it is still pending after `maxWaitMs`.
   */
  async waitForAction(action: DefendAction): Promise<DefendAction> {
    const finished = await this.settleAction(action);
    if (finished.isExpired === true) {
      throw new ResponseActionFailedError(
        `Elastic Defend ${finished.command} action ${finished.id} expired before the endpoint responded`,
      );
    }
    if (finished.wasSuccessful) return finished;
    throw new ResponseActionFailedError(
      `Elastic Defend ${finished.command} action ${finished.id} failed: ${failureReasons(finished)}`,
    );
  }

  /**
   * Reads the action's status until it completes or expires, heartbeating after each read, and
   * returns it whatever the outcome. Throws an ordinary, retryable `Error` when it is still
   * pending at `deadline` (epoch milliseconds, by default `maxWaitMs` from now).
   */
  async settleAction(action: DefendAction, deadline = Date.now() + this.maxWaitMs): Promise<DefendAction> {
    let current = action;
    for (;;) {
      this.options.heartbeat?.({ actionId: current.id, isCompleted: current.isCompleted });
      if (current.isExpired === true || current.isCompleted) return current;
      if (Date.now() + this.pollIntervalMs > deadline) {
        throw new Error(
          `Elastic Defend ${current.command} action ${current.id} is still pending after ` +
            `${this.maxWaitMs} ms; a retry resumes waiting for the same action`,
        );
      }
      await delay(this.pollIntervalMs);
      current = await this.readAction(current.id);
    }
  }

  private async readAction(actionId: string): Promise<DefendAction> {
    const reply = await this.client.request({
      method: 'GET',
      path: `/api/endpoint/action/${encodeURIComponent(actionId)}`,
      schema: ActionReplySchema,
      what: `response action ${actionId}`,
    });
    return reply.data;
  }
}

/** Returns the errors Defend reported for a failed action, joined, or a placeholder. */
export function failureReasons(action: DefendAction): string {
  return action.errors?.join('; ') || 'no reason given';
}

/** Escapes a value for a quoted KQL string. */
function kqlEscape(value: string): string {
  return value.replace(/[\\"]/g, (char) => `\\${char}`);
}
