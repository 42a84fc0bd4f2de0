import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { isTransientTelemetryError } from '../src/telemetry/elasticsearch';
import type { AlertCursor, AlertIndexReader } from '../src/intake/alert-index';
import { processDocument, type AlertStarter } from '../src/intake/batch';
import { TelemetryUnavailableError } from '../src/errors';

/** Counts of one poll's outcomes, and the cursor the next poll continues from. */
export interface PollResult {
  /** Sort values of the last alert handled; unchanged from the input when nothing new arrived. */
  cursor?: AlertCursor;
  /** Alerts whose workflow this poll started. */
  started: number;
  /** Alerts that already had a workflow (a re-read alert reaches its existing run). */
  attached: number;
  /** Documents that were invalid or did not match the rule's tuple; logged and passed over. */
  skipped: number;
}

export interface AlertPollerActivities {
  /**
   * Reads the open alerts of the rule after `cursor` and starts (or attaches to) one workflow per
   * alert. Idempotent: a retry from the same cursor attaches to the runs already started.
   */
  pollAlerts(input: { cursor?: AlertCursor }): Promise<PollResult>;
}

export interface AlertPollerDeps {
  reader: Pick<AlertIndexReader, 'readPage' | 'index'>;
  startAlert: AlertStarter;
  /** Alerts read per `_search`. @default 100 */
  pageSize?: number;
  /** Pages read per poll; the rest waits for the next poll. @default 10 */
  maxPages?: number;
}

/** Builds the poll activity over an alert index reader and a workflow starter. */
export function createAlertPollerActivities(deps: AlertPollerDeps): AlertPollerActivities {
  const pageSize = deps.pageSize ?? 100;
  const maxPages = deps.maxPages ?? 10;
  return {
    async pollAlerts({ cursor }) {
      const result: PollResult = { cursor, started: 0, attached: 0, skipped: 0 };
      for (let page = 0; page < maxPages; page += 1) {
        const hits = await readPageOrFail(deps.reader, result.cursor, pageSize);
        for (const hit of hits) {
          const outcome = await processDocument(0, hit.source, deps.startAlert);
          if (outcome.status === 'failed') {
            throw new Error(`starting the workflow of alert ${hit.id} failed: ${outcome.error}`);
          }
          if (outcome.status === 'accepted') {
            result[outcome.isNew ? 'started' : 'attached'] += 1;
          } else {
            result.skipped += 1;
            log.warn('polled alert passed over', { alertDocumentId: hit.id, status: outcome.status });
          }
          result.cursor = hit.sort;
          Context.current().heartbeat({ cursor: result.cursor });
        }
        if (hits.length < pageSize) break;
      }
      log.info('alert index polled', { index: deps.reader.index, ...result });
      return result;
    },
  };
}

async function readPageOrFail(
  reader: AlertPollerDeps['reader'],
  cursor: AlertCursor | undefined,
  pageSize: number,
) {
  try {
    return await reader.readPage(cursor, pageSize);
  } catch (error) {
    if (error instanceof TelemetryUnavailableError && !isTransientTelemetryError(error)) {
      throw ApplicationFailure.nonRetryable(error.message, error.type);
    }
    throw error;
  }
}
