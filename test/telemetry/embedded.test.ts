import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TelemetryUnavailableError } from '../../src/errors';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'ecs');
const WINDOW = { from: '2021-12-07T16:33:01.600Z', to: '2021-12-07T18:33:01.600Z' };
const HOST = { id: 'host-id-1', name: 'msedgewin10' };

describe('EmbeddedTelemetrySource', () => {
  it('returns process events for the host in the window', async () => {
    const source = await EmbeddedTelemetrySource.fromDirectory(FIXTURES);

    const result = await source.processEvents({ host: HOST, window: WINDOW });

    expect(result.hasDataOfKind).toBe(true);
    expect(result.events.map((event) => event.recordId)).toEqual([
      'workstation#619516',
      'workstation#619518',
      'workstation#619520',
    ]);
  });

  it('matches a document without host.id by computer name', async () => {
    const source = await EmbeddedTelemetrySource.fromDirectory(FIXTURES);

    const result = await source.authenticationEvents({
      host: HOST,
      userId: 'S-1-5-21-1-2-3-1000',
      window: WINDOW,
    });

    expect(result.events.map((event) => event.recordId)).toEqual(['workstation#329918']);
  });

  it('filters 4624 by TargetUserSid', async () => {
    const source = await EmbeddedTelemetrySource.fromDirectory(FIXTURES);

    const result = await source.authenticationEvents({
      host: HOST,
      userId: 'S-1-5-21-9-9-9-1000',
      window: WINDOW,
    });

    expect(result.events).toEqual([]);
    expect(result.hasDataOfKind).toBe(true);
  });

  it('reports no file data outside the window', async () => {
    const source = await EmbeddedTelemetrySource.fromDirectory(FIXTURES);

    const result = await source.fileEvents({
      host: HOST,
      window: { from: '2021-12-09T00:00:00Z', to: '2021-12-10T00:00:00Z' },
    });

    expect(result.hasDataOfKind).toBe(false);
  });

  it('reads alerts in the window from the alerts file', async () => {
    const source = await EmbeddedTelemetrySource.fromDirectory(FIXTURES);

    const result = await source.relatedAlerts({ userId: 'S-1-5-21-1-2-3-1000', window: WINDOW });

    expect(result.hasDataOfKind).toBe(true);
    expect(result.events.map((event) => event.recordId)).toEqual([
      'alerts#alert-1',
      'alerts#related-1',
    ]);
  });

  it('reports no alert data without an alerts file', async () => {
    const source = new EmbeddedTelemetrySource([]);

    const result = await source.relatedAlerts({ userId: 'S-1', window: WINDOW });

    expect(result.hasDataOfKind).toBe(false);
  });

  it('rejects a missing folder', async () => {
    await expect(
      EmbeddedTelemetrySource.fromDirectory(path.join(FIXTURES, 'missing')),
    ).rejects.toBeInstanceOf(TelemetryUnavailableError);
  });
});
