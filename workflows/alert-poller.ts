/**
 * The alert poller: reads the open alerts of the rule from the alert index at a fixed interval
 * and starts one response workflow per alert. Its only state is the index cursor, which it
 * carries into each new run when it continues as new.
 */
import {
  ActivityFailure,
  continueAsNew,
  defineQuery,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { AlertPollerActivities } from '../activities/alert-poller';
import type { AlertCursor } from '../src/intake/alert-index';

/** Polls per run before the poller continues as new, which keeps each run's history short. */
export const POLLS_PER_RUN = 100;

export interface AlertPollerInput {
  /** Pause between polls, as a Temporal duration string such as '1 minute'. */
  interval: Duration;
  /** Cursor at which the previous run stopped; unset on the first run, which reads from the oldest open alert. */
  cursor?: AlertCursor;
  /** @default POLLS_PER_RUN */
  pollsPerRun?: number;
}

/** Returns the cursor the poller continues from. */
export const alertPollerCursorQuery = defineQuery<AlertCursor | undefined>('alertPollerCursor');

// A poll that outlives its heartbeat is retried from the same cursor, which only attaches.
const poller = proxyActivities<AlertPollerActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/** Polls the alert index forever, continuing as new every `pollsPerRun` polls. */
export async function alertPoller(input: AlertPollerInput): Promise<never> {
  let cursor = input.cursor;
  setHandler(alertPollerCursorQuery, () => cursor);

  const pollsPerRun = input.pollsPerRun ?? POLLS_PER_RUN;
  for (let poll = 0; poll < pollsPerRun && !workflowInfo().continueAsNewSuggested; poll += 1) {
    cursor = await pollOnce(cursor);
    await sleep(input.interval);
  }

  return continueAsNew<typeof alertPoller>({ ...input, cursor });
}

/**
 * Runs one poll and returns the new cursor. A poll that fails after its retries is logged and the
 * cursor kept, so that the next poll tries the same alerts again.
 */
async function pollOnce(cursor: AlertCursor | undefined): Promise<AlertCursor | undefined> {
  try {
    const result = await poller.pollAlerts({ cursor });
    return result.cursor ?? cursor;
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.error('alert poll failed; the next poll retries from the same cursor', {
      error: error.cause?.message ?? error.message,
    });
    return cursor;
  }
}
