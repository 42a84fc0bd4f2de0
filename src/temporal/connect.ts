import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import type { ResponseSettings } from '../../workflows/messages';
import { isSlackEnabled } from '../config';

/** Returns the Temporal frontend address: TEMPORAL_ADDRESS, else the local dev server's port. */
export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}

/**
 * Connects a Temporal client. Throws with the address and the remedy when no server responds there.
 */
export async function connectClient(config: Config, address = temporalAddress(config)): Promise<Client> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '5s' });
    return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${address}: ${(error as Error).message}. ` +
        `Start the responder with 'npm start' (it runs a local server) or set TEMPORAL_ADDRESS.`,
      { cause: error },
    );
  }
}

/** Builds the per-run settings a new workflow receives; its history records them for the audit. */
export function responseSettings(config: Config): ResponseSettings {
  return {
    decisionTimeout: config.SOAR_DECISION_TIMEOUT,
    approvers: config.SOAR_APPROVERS,
    isSlackEnabled: isSlackEnabled(config),
    decisionReminder: config.SOAR_DECISION_REMINDER,
    decisionEscalation: config.SOAR_DECISION_ESCALATION,
    isTwoPersonRuleEnabled: config.SOAR_TWO_PERSON_RULE,
    ...(config.SLACK_ONCALL_GROUP !== undefined ? { oncallGroup: config.SLACK_ONCALL_GROUP } : {}),
  };
}
