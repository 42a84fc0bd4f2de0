import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { ConfigError } from '../src/errors';
import { DEFAULT_INDEX_PATTERNS } from '../src/telemetry/elasticsearch';
import { indexPatternsOf } from '../src/telemetry/open';

describe('loadConfig Elastic keys', () => {
  it('defaults to the embedded connector in the default space', () => {
    const config = loadConfig({});

    expect(config.SOAR_RESPONSE_CONNECTOR).toBe('embedded');
    expect(config.KIBANA_SPACE).toBe('default');
    expect(config.SOAR_ALERT_POLL_INTERVAL).toBeUndefined();
  });

  it('requires the Kibana URL and key for the kibana connector', () => {
    const error = (() => {
      try {
        loadConfig({ SOAR_RESPONSE_CONNECTOR: 'kibana' });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys).toEqual(['KIBANA_URL', 'KIBANA_API_KEY']);
  });

  it('requires Elasticsearch for the alert poller', () => {
    expect(() => loadConfig({ SOAR_ALERT_POLL_INTERVAL: '1 minute' })).toThrow(
      /ELASTICSEARCH_URL is required with SOAR_ALERT_POLL_INTERVAL/,
    );
  });

  it('rejects a space id Kibana would not accept', () => {
    expect(() => loadConfig({ KIBANA_SPACE: 'SOC Team' })).toThrow(/KIBANA_SPACE/);
  });

  it('reads index patterns per kind of data', () => {
    const config = loadConfig({
      ELASTICSEARCH_INDEX_PROCESS: 'logs-endpoint.events.process-*, winlogbeat-*',
      ELASTICSEARCH_INDEX_ALERTS: '.alerts-security.alerts-soc',
    });

    const patterns = indexPatternsOf(config);

    expect(patterns.process).toEqual(['logs-endpoint.events.process-*', 'winlogbeat-*']);
    expect(patterns.alerts).toEqual(['.alerts-security.alerts-soc']);
    expect(patterns.file).toBeUndefined();
    expect(patterns.authentication).toBeUndefined();
  });

  it('reads related alerts from the Kibana space by default', () => {
    const patterns = indexPatternsOf(loadConfig({ KIBANA_SPACE: 'soc' }));

    expect(patterns.alerts).toEqual(['.alerts-security.alerts-soc']);
    expect(DEFAULT_INDEX_PATTERNS.authentication).toEqual(['logs-system.security-*', 'winlogbeat-*']);
  });

  it('rejects an index pattern with a space', () => {
    expect(() => loadConfig({ ELASTICSEARCH_INDEX_FILE: 'logs endpoint' })).toThrow(
      /ELASTICSEARCH_INDEX_FILE must be comma-separated index patterns/,
    );
  });

  it('defaults the per-query cap and page size to 500', () => {
    const config = loadConfig({});

    expect(config.ELASTICSEARCH_MAX_HITS).toBe(500);
    expect(config.ELASTICSEARCH_PAGE_SIZE).toBe(500);
  });

  it('keeps the identity connector off by default', () => {
    const config = loadConfig({});

    expect(config.SOAR_IDENTITY_CONNECTOR).toBe('none');
    expect(config.GRAPH_AUTHORITY_URL).toBe('https://login.microsoftonline.com');
  });

  it('requires Graph credentials and the kibana connector for graph', () => {
    const error = (() => {
      try {
        loadConfig({ SOAR_IDENTITY_CONNECTOR: 'graph' });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys).toEqual([
      'GRAPH_TENANT_ID',
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'SOAR_RESPONSE_CONNECTOR',
    ]);
  });
});
