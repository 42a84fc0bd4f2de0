import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTemporalBinary } from '../../src/temporal/binaries';

/** Starts the time-skipping test server from the binary that `npm run setup` installed. */
export function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTemporalBinary('test-server') } },
  });
}

/** Starts a Temporal CLI dev server (in memory, random port) from the installed binary. */
export function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalBinary('cli') },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
}
