import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import { requireTemporalBinary } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/temporal/search-attributes';

/** Starts the time-skipping test server from the binary that `npm run setup` installed. */
export function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTemporalBinary('test-server') } },
  });
}

export interface DevServerEnvOptions {
  /**
   * Search attributes registered at start; the response workflow sets every one of these.
   * @default SEARCH_ATTRIBUTE_KEYS
   */
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
}

/** Starts a Temporal CLI dev server (in memory, random port) from the installed binary. */
export function startDevServerEnv(options: DevServerEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalBinary('cli') },
      searchAttributes: options.searchAttributes ?? [...SEARCH_ATTRIBUTE_KEYS],
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
}
