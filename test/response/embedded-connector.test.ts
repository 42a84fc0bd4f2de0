import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createResponseActivities } from '../../activities/response';
import { EmbeddedConnector } from '../../src/response/embedded-connector';
import type { StepRequest, StepResult } from '../../src/response/types';

/** Runs the activity under a mock environment whose logs land in `logs` instead of stderr. */
function runStep(
  connector: EmbeddedConnector,
  request: StepRequest,
  logs: LogEntry[] = [],
): Promise<StepResult> {
  const { runResponseStep } = createResponseActivities({ connector });
  const logger = new DefaultLogger('DEBUG', (entry) => logs.push(entry));
  const env = new MockActivityEnvironment(undefined, { logger });
  return env.run<[Parameters<typeof runResponseStep>[0]], StepResult, typeof runResponseStep>(
    runResponseStep,
    {
      alertId: 'alert-0001',
      request,
    },
  );
}

const suspend: StepRequest = {
  step: 'suspend-process',
  target: { hostName: 'ws-042', executable: 'C:\\Temp\\MalSecLogon.exe' },
  parameters: { reversible: true },
  idempotencyKey: 'alert-0001:suspend-process',
};

describe('EmbeddedConnector', () => {
  it('returns the first record for a repeated idempotency key', async () => {
    const connector = new EmbeddedConnector();

    const first = await connector.execute(suspend);
    const retried = await connector.execute({ ...suspend, parameters: { reversible: false } });

    expect(retried).toEqual(first);
    expect(connector.records()).toHaveLength(1);
    expect(connector.records()[0]).toMatchObject({
      step: 'suspend-process',
      effect: 'recorded',
      parameters: { reversible: true },
    });
  });

  it('names the earlier records a reversal undoes', async () => {
    const connector = new EmbeddedConnector();
    await connector.execute(suspend);

    const reversal = await connector.execute({
      step: 'reverse-containment',
      target: { alertId: 'alert-0001' },
      parameters: {
        reverseIdempotencyKeys: ['alert-0001:suspend-process', 'alert-0001:limit-user'],
      },
      idempotencyKey: 'alert-0001:reverse-containment',
    });

    expect(reversal.detail).toEqual({ reversed: ['alert-0001:suspend-process'] });
  });
});

describe('runResponseStep', () => {
  it('records a retried step once', async () => {
    const connector = new EmbeddedConnector();

    const first = await runStep(connector, suspend);
    const second = await runStep(connector, suspend);

    expect(first.outcome).toBe('done');
    expect(second.record).toEqual(first.record);
    expect(connector.records()).toHaveLength(1);
  });

  it('fails without retry and without a request for an unsafe target', async () => {
    const connector = new EmbeddedConnector();
    const request = {
      ...suspend,
      target: { hostName: 'ws-042', executable: 'C:\\Windows\\System32\\lsass.exe' },
    };
    const logs: LogEntry[] = [];

    const failure = await runStep(connector, request, logs).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('UnsafeResponseError');
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect(connector.records()).toEqual([]);
    expect(
      logs.some((entry) => entry.level === 'ERROR' && /safety check/.test(entry.message)),
    ).toBe(true);
  });

  it('records a planned skip without calling the connector', async () => {
    const connector = new EmbeddedConnector();
    const request = {
      ...suspend,
      target: { hostName: 'ws-042' },
      parameters: { skipReason: 'no tool recovered' },
    };

    const result = await runStep(connector, request);

    expect(result.outcome).toBe('skipped');
    expect(result.detail).toMatch(/no tool recovered/);
    expect(connector.records()).toEqual([]);
  });
});
