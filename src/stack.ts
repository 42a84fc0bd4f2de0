import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Config } from './config';
import { isSlackEnabled } from './config';
import type { Logger } from './logging';
import { lockDataDir } from './data-lock';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { createResponseWorker, installRuntimeLogger } from './temporal/worker';
import { temporalAddress } from './temporal/connect';
import { ensureSearchAttributes } from './temporal/register-search-attributes';
import { createEnrichmentActivities } from '../activities/enrichment';
import { createResponseActivities } from '../activities/response';
import { createSlackActivities } from '../activities/slack';
import { createSlackWebClient } from './slack/web-client';
import { EmbeddedConnector } from './response/embedded-connector';
import { ReceiptJournal } from './response/receipt-journal';
import { EvidenceStore, evidenceRoot } from './evidence/store';
import { loadAssetInventory } from './investigation/inventory';
import { openTelemetrySource } from './telemetry/open';
import type { ResponseConnector } from './response/connector';
import {
  alertPollerActivities,
  isAlertPollingEnabled,
  selectResponseConnector,
  startAlertPoller,
} from './elastic';

/** The running parts of the responder that the main job and the demo share. */
export interface Stack {
  client: Client;
  /** The client's gRPC connection, for health checks. */
  connection: Connection;
  /** The embedded connector; it receives the steps only when SOAR_RESPONSE_CONNECTOR is `embedded`. */
  connector: EmbeddedConnector;
  /** The connector the response activities use, chosen by SOAR_RESPONSE_CONNECTOR. */
  responseConnector: ResponseConnector;
  /** Address of the Temporal frontend in use. */
  address: string;
  devServer?: DevServer;
  /** Drains the worker, closes connections and stops the local server, in that order. */
  stop(): Promise<void>;
}

export interface StackOptions {
  config: Config;
  logger: Logger;
}

/**
 * Starts Temporal (a local dev server unless TEMPORAL_ADDRESS is set), connects, and runs the
 * worker with the configured telemetry source, asset inventory, response connector and, when
 * configured, the Slack activities. Throws when any part cannot start, after stopping the parts
 * that did.
 */
export async function startStack({ config, logger }: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  // The SDK's runtime must be installed before the first native connection is made.
  installRuntimeLogger(logger);
  try {
    let devServer: DevServer | undefined;
    if (config.TEMPORAL_ADDRESS === undefined) {
      const dataDir = path.resolve(config.SOAR_DATA_DIR);
      mkdirSync(dataDir, { recursive: true });
      const unlock = lockDataDir(dataDir);
      cleanups.push(async () => unlock());
      devServer = await startDevServer({
        dataDir,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        logger,
      });
      cleanups.push(() => devServer!.stop());
      logger.info(
        { address: devServer.address, ui: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, database: devServer.dbFile },
        'local Temporal dev server started',
      );
    }
    const address = devServer?.address ?? temporalAddress(config);

    const nativeConnection = await NativeConnection.connect({ address });
    cleanups.push(() => nativeConnection.close());
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    if (devServer === undefined) {
      await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, logger);
    }

    const evidence = new EvidenceStore(evidenceRoot(config));
    const journal = new ReceiptJournal(connectorJournalFile(config));
    const connector = new EmbeddedConnector(logger, undefined, evidence, journal);
    const responseConnector = selectResponseConnector(config, logger, connector);
    const activities = {
      ...createEnrichmentActivities({
        source: await openTelemetrySource(config),
        inventory: await loadAssetInventory(config.SOAR_ASSET_INVENTORY),
      }),
      ...createResponseActivities({ connector: responseConnector }),
      ...(isAlertPollingEnabled(config) ? alertPollerActivities(config, client) : {}),
      ...(isSlackEnabled(config) ? slackActivities(config, logger) : {}),
    };
    const worker = await createResponseWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      activities,
      logger,
    });
    const running = runWorker(worker, logger);
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    if (isAlertPollingEnabled(config)) await startAlertPoller(client, config, logger);

    return { client, connection, connector, responseConnector, address, devServer, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The embedded connector's receipts, one JSON line each, shared by every worker on the folder. */
export function connectorJournalFile(config: { SOAR_DATA_DIR: string }): string {
  return path.resolve(config.SOAR_DATA_DIR, 'connector-records.jsonl');
}

function slackActivities(config: Config, logger: Logger): object {
  const client = createSlackWebClient(config.SLACK_BOT_TOKEN ?? '', {
    slackApiUrl: config.SLACK_API_URL,
    logger,
  });
  return createSlackActivities({
    client,
    channel: config.SLACK_CHANNEL_ID ?? '',
    links: { kibanaUrl: config.KIBANA_URL, temporalUiUrl: config.TEMPORAL_UI_URL },
  });
}

async function runWorker(worker: Worker, logger: Logger): Promise<void> {
  try {
    await worker.run();
  } catch (error) {
    logger.error({ err: error }, 'worker stopped with an error; alerts wait until it is restarted');
    throw error;
  }
}
