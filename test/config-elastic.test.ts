import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { ConfigError } from '../src/errors';

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
});
