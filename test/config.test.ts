import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { ConfigError } from '../src/errors';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});

    expect(config.INTAKE_HOST).toBe('127.0.0.1');
    expect(config.INTAKE_PORT).toBe(8787);
    expect(config.SOAR_DECISION_TIMEOUT).toBe('30 minutes');
    expect(config.SOAR_APPROVERS).toEqual([]);
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('splits approvers on commas', () => {
    const config = loadConfig({ SOAR_APPROVERS: ' U123 , alice,,S456 ' });

    expect(config.SOAR_APPROVERS).toEqual(['U123', 'alice', 'S456']);
  });

  it('names a bad key without its value', () => {
    const error = configError({ INTAKE_PORT: 'secret-looking-value', SOAR_DECISION_TIMEOUT: 'soon' });

    expect(error.keys).toEqual(['INTAKE_PORT', 'SOAR_DECISION_TIMEOUT']);
    expect(error.message).toContain('INTAKE_PORT');
    expect(error.message).toContain('SOAR_DECISION_TIMEOUT must be a positive duration');
    expect(error.message).not.toContain('secret-looking-value');
    expect(error.message).toContain('.env.example');
  });

  it('requires the signing secret in Slack HTTP mode', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL_ID: 'C0123456789' });

    expect(error.keys).toEqual(['SLACK_SIGNING_SECRET']);
    expect(error.message).not.toContain('xoxb-1');
  });

  it('accepts Socket Mode without a signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_CHANNEL_ID: 'C0123456789' });

    expect(config.SLACK_APP_TOKEN).toBe('xapp-1');
  });

  it('defaults the decision stages and the two-person rule', () => {
    const config = loadConfig({});

    expect(config.SOAR_DECISION_REMINDER).toBe('10 minutes');
    expect(config.SOAR_DECISION_ESCALATION).toBe('20 minutes');
    expect(config.SOAR_TWO_PERSON_RULE).toBe(true);
    expect(config.SLACK_ONCALL_GROUP).toBeUndefined();
  });

  it('reads the two-person rule and the on-call group', () => {
    const config = loadConfig({ SOAR_TWO_PERSON_RULE: 'false', SLACK_ONCALL_GROUP: 'S0ONCALL1' });

    expect(config.SOAR_TWO_PERSON_RULE).toBe(false);
    expect(config.SLACK_ONCALL_GROUP).toBe('S0ONCALL1');
  });

  it.each([
    ['reminder after escalation', { SOAR_DECISION_REMINDER: '25 minutes' }, 'SOAR_DECISION_ESCALATION'],
    ['escalation after timeout', { SOAR_DECISION_ESCALATION: '45 minutes' }, 'SOAR_DECISION_TIMEOUT'],
    [
      'equal reminder and escalation',
      { SOAR_DECISION_REMINDER: '15m', SOAR_DECISION_ESCALATION: '15 minutes' },
      'SOAR_DECISION_ESCALATION',
    ],
  ])('rejects a %s', (_case, env, key) => {
    const error = configError(env);

    expect(error.keys).toEqual([key]);
    expect(error.message).toMatch(/must be longer than SOAR_DECISION_(REMINDER|ESCALATION)/);
  });

  it('rejects an on-call group that is not a user-group id', () => {
    const error = configError({ SLACK_ONCALL_GROUP: '@oncall', SOAR_TWO_PERSON_RULE: 'maybe' });

    expect(error.keys).toEqual(['SLACK_ONCALL_GROUP', 'SOAR_TWO_PERSON_RULE']);
    expect(error.message).toContain('SOAR_TWO_PERSON_RULE must be true or false');
  });

  it('rejects an intake token shorter than 16 characters', () => {
    const error = configError({ INTAKE_TOKEN: 'short' });

    expect(error.keys).toEqual(['INTAKE_TOKEN']);
  });

  it('explains an invalid port without echoing it', () => {
    const error = configError({ INTAKE_PORT: 'abc' });

    expect(error.message).toContain('INTAKE_PORT must be a TCP port number from 0 to 65535');
    expect(error.message).not.toContain('abc');
  });

  it('rejects a channel name where a channel id is expected', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123', SLACK_CHANNEL_ID: '#soc' });

    expect(error.keys).toEqual(['SLACK_CHANNEL_ID']);
  });
});
