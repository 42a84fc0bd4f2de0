import type { Config } from '../config';
import { ElasticsearchTelemetrySource } from './elasticsearch';
import { EmbeddedTelemetrySource } from './embedded';
import type { TelemetrySource } from './types';

/**
 * Opens the configured telemetry source: Elasticsearch when ELASTICSEARCH_URL is set, else the
 * bundled dataset in SOAR_TELEMETRY_DIR. Throws `TelemetryUnavailableError` when the bundled
 * folder cannot be read.
 */
export async function openTelemetrySource(config: Config): Promise<TelemetrySource> {
  if (config.ELASTICSEARCH_URL !== undefined) {
    return new ElasticsearchTelemetrySource({
      url: config.ELASTICSEARCH_URL,
      apiKey: config.ELASTICSEARCH_API_KEY,
      timeoutMs: config.ELASTICSEARCH_TIMEOUT_MS,
    });
  }
  return EmbeddedTelemetrySource.fromDirectory(config.SOAR_TELEMETRY_DIR);
}
