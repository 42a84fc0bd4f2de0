import type { Config } from '../config';
import { ElasticsearchTelemetrySource, type IndexPatterns } from './elasticsearch';
import { EmbeddedTelemetrySource } from './embedded';
import type { TelemetrySource } from './types';

/**
 * Opens the configured telemetry source: Elasticsearch when ELASTICSEARCH_URL is set, with the
 * index patterns, cap and page size from ELASTICSEARCH_*, else the bundled dataset in
 * SOAR_TELEMETRY_DIR. Throws `TelemetryUnavailableError` when the bundled folder cannot be read.
 */
export async function openTelemetrySource(config: Config): Promise<TelemetrySource> {
  if (config.ELASTICSEARCH_URL !== undefined) {
    return new ElasticsearchTelemetrySource({
      url: config.ELASTICSEARCH_URL,
      apiKey: config.ELASTICSEARCH_API_KEY,
      timeoutMs: config.ELASTICSEARCH_TIMEOUT_MS,
      maxHits: config.ELASTICSEARCH_MAX_HITS,
      pageSize: config.ELASTICSEARCH_PAGE_SIZE,
      indices: indexPatternsOf(config),
    });
  }
  return EmbeddedTelemetrySource.fromDirectory(config.SOAR_TELEMETRY_DIR);
}

/** Returns the index patterns set in the config; unset kinds keep the source's defaults. */
export function indexPatternsOf(config: Config): Partial<IndexPatterns> {
  const patterns: Partial<IndexPatterns> = {
    alerts: config.ELASTICSEARCH_INDEX_ALERTS ?? [`.alerts-security.alerts-${config.KIBANA_SPACE}`],
  };
  if (config.ELASTICSEARCH_INDEX_PROCESS) patterns.process = config.ELASTICSEARCH_INDEX_PROCESS;
  if (config.ELASTICSEARCH_INDEX_FILE) patterns.file = config.ELASTICSEARCH_INDEX_FILE;
  if (config.ELASTICSEARCH_INDEX_AUTHENTICATION) {
    patterns.authentication = config.ELASTICSEARCH_INDEX_AUTHENTICATION;
  }
  return patterns;
}
