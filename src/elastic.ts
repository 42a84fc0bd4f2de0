/**
 * Wiring of the Elastic integration into the stack: the response connector chosen by
 * SOAR_RESPONSE_CONNECTOR, and the alert poller enabled by SOAR_ALERT_POLL_INTERVAL.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { createAlertPollerActivities, type AlertPollerActivities } from '../activities/alert-poller';
import type { AlertPollerInput } from '../workflows/alert-poller';
import type { Config } from './config';
import { ALERT_POLLER_WORKFLOW_ID, ALERT_POLLER_WORKFLOW_TYPE, TASK_QUEUE } from './constants';
import { AlertIndexReader } from './intake/alert-index';
import { AccountContainment } from './identity/account-containment';
import { GraphClient } from './identity/graph';
import { KibanaClient } from './kibana/client';
import type { Logger } from './logging';
import type { ResponseConnector } from './response/connector';
import { KibanaConnector } from './response/kibana-connector';
import { responseSettings } from './temporal/connect';
import { startOrAttach } from './temporal/start';

/**
 * Returns the Kibana connector when SOAR_RESPONSE_CONNECTOR is `kibana`, else `embedded`, with
 * Graph account containment when SOAR_IDENTITY_CONNECTOR is `graph`. The config check
 * guarantees KIBANA_URL, KIBANA_API_KEY and the GRAPH_* credentials where they are needed.
 */
export function selectResponseConnector(
  config: Config,
  logger: Logger,
  embedded: ResponseConnector,
): ResponseConnector {
  if (config.SOAR_RESPONSE_CONNECTOR !== 'kibana') return embedded;
  const client = new KibanaClient({
    url: config.KIBANA_URL ?? '',
    apiKey: config.KIBANA_API_KEY ?? '',
    space: config.KIBANA_SPACE,
    timeoutMs: config.KIBANA_TIMEOUT_MS,
  });
  logger.info({ kibana: config.KIBANA_URL, space: config.KIBANA_SPACE }, 'response steps go to Kibana');
  return new KibanaConnector({
    client,
    space: config.KIBANA_SPACE,
    logger,
    ...(config.SOAR_IDENTITY_CONNECTOR === 'graph' ? { accounts: accountContainment(config, logger) } : {}),
    // Only ever called inside the response activity, whose context the heartbeat belongs to.
    defend: { heartbeat: (details) => Context.current().heartbeat(details) },
  });
}

function accountContainment(config: Config, logger: Logger): AccountContainment {
  const graph = new GraphClient({
    tenantId: config.GRAPH_TENANT_ID ?? '',
    clientId: config.GRAPH_CLIENT_ID ?? '',
    clientSecret: config.GRAPH_CLIENT_SECRET ?? '',
    authorityUrl: config.GRAPH_AUTHORITY_URL,
    apiUrl: config.GRAPH_API_URL,
    timeoutMs: config.GRAPH_TIMEOUT_MS,
  });
  logger.info({ graph: config.GRAPH_API_URL }, 'account steps go to Microsoft Entra ID');
  return new AccountContainment(graph);
}

/** True when SOAR_ALERT_POLL_INTERVAL and ELASTICSEARCH_URL are both set. */
export function isAlertPollingEnabled(config: Config): boolean {
  return config.SOAR_ALERT_POLL_INTERVAL !== undefined && config.ELASTICSEARCH_URL !== undefined;
}

/** Builds the poll activity: the alert index of KIBANA_SPACE, and one workflow start per alert. */
export function alertPollerActivities(config: Config, client: Client): AlertPollerActivities {
  const reader = new AlertIndexReader({
    url: config.ELASTICSEARCH_URL ?? '',
    apiKey: config.ELASTICSEARCH_API_KEY,
    space: config.KIBANA_SPACE,
    timeoutMs: config.ELASTICSEARCH_TIMEOUT_MS,
  });
  const settings = responseSettings(config);
  return createAlertPollerActivities({
    reader,
    startAlert: (alert) => startOrAttach(client, { alert, settings }),
  });
}

/**
 * Starts the alert poller workflow, or attaches to the one already running, which keeps its
 * cursor and its interval. Throws the client's errors.
 */
export async function startAlertPoller(
  client: Client,
  config: Config,
  logger: Logger,
): Promise<void> {
  // The config schema has already checked that the value is a positive Temporal duration.
  const input: AlertPollerInput = {
    interval: config.SOAR_ALERT_POLL_INTERVAL as AlertPollerInput['interval'],
  };
  const handle = await client.workflow.start(ALERT_POLLER_WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: ALERT_POLLER_WORKFLOW_ID,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  logger.info(
    { workflowId: handle.workflowId, interval: config.SOAR_ALERT_POLL_INTERVAL },
    'alert poller running',
  );
}
