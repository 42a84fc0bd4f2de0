import { createLogger } from '../../src/logging';
import { installRuntimeLogger } from '../../src/temporal/worker';

/**
 * Routes the Temporal SDK's worker and core logs through pino at warn level, so test output shows
 * only problems. Call it before creating any test environment or connection in the file, because
 * the SDK runtime takes its logger once per process.
 */
export function quietTemporalRuntime(): void {
  // Core logs stay at error: the time-skipping server lacks newer capabilities and core warns
  // about that once per worker.
  installRuntimeLogger(createLogger('warn'), 'ERROR');
}
