import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../logging';
import { SEARCH_ATTRIBUTE_KEYS } from './search-attributes';

/**
 * Registers the response workflow's search attributes on a cluster that lacks any of them, through
 * the operator service. The local dev server gets them from its command line, so this is for a
 * cluster set by TEMPORAL_ADDRESS. Throws with the remedy when the caller may not register them,
 * because the server rejects every start that sets an unregistered attribute.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  logger: Logger,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTE_KEYS.filter((key) => customAttributes?.[key.name] === undefined);
  if (missing.length === 0) return;

  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  const names = missing.map((key) => key.name);
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(names.map((name) => [name, keyword])),
    });
  } catch (error) {
    const commands = names.map((name) => `temporal operator search-attribute create --name ${name} --type Keyword`);
    throw new Error(
      `search attributes ${names.join(', ')} are not registered in namespace ${namespace} and ` +
        `registering them failed: ${(error as Error).message}. Ask the cluster operator to run: ${commands.join('; ')}`,
      { cause: error },
    );
  }
  logger.info({ namespace, searchAttributes: names }, 'search attributes registered');
}
