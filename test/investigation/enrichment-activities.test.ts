import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createEnrichmentActivities, MAX_TELEMETRY_ATTEMPTS } from '../../activities/enrichment';
import type { Alert } from '../../src/alert/alert';
import type { Answer } from '../../src/investigation/types';
import { TelemetryUnavailableError } from '../../src/errors';
import { EMPTY_INVENTORY } from '../../src/investigation/inventory';
import type { TelemetrySource } from '../../src/telemetry/types';
import { makeAlert } from './builders';

function failingSource(retryable: boolean): TelemetrySource {
  const fail = async () => {
    throw Object.assign(new TelemetryUnavailableError('Elasticsearch search timed out'), {
      retryable,
    });
  };
  return {
    name: 'failing',
    processEvents: fail,
    fileEvents: fail,
    authenticationEvents: fail,
    relatedAlerts: fail,
    executableHistory: fail,
  };
}

describe('createEnrichmentActivities', () => {
  it('records failed coverage outside an activity', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(true),
      inventory: EMPTY_INVENTORY,
    });

    const answer = await activities.searchDumpArtifacts(makeAlert());

    expect(answer.coverage).toBe('failed');
    expect(answer.coverageNote).toContain('timed out');
  });

  it('rethrows a transient error before the last attempt', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(true),
      inventory: EMPTY_INVENTORY,
    });
    const env = new MockActivityEnvironment({ attempt: 1 });

    await expect(env.run(activities.pivotAuthentication, makeAlert())).rejects.toBeInstanceOf(
      TelemetryUnavailableError,
    );
  });

  it('records failed coverage on the last attempt', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(true),
      inventory: EMPTY_INVENTORY,
    });
    const env = new MockActivityEnvironment({ attempt: MAX_TELEMETRY_ATTEMPTS });

    const answer: Answer = await env.run(activities.pivotAuthentication, makeAlert());

    expect(answer.coverage).toBe('failed');
  });

  it('records failed coverage at once for a non-transient error', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(false),
      inventory: EMPTY_INVENTORY,
    });
    const env = new MockActivityEnvironment({ attempt: 1 });

    const [q2, q3]: Answer[] = await env.run(activities.recoverProcessLineage, makeAlert());

    expect(q2?.coverage).toBe('failed');
    expect(q3?.coverage).toBe('failed');
  });

  it('rejects an alert without a timestamp as non-retryable', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(false),
      inventory: EMPTY_INVENTORY,
    });
    const broken = { ...makeAlert(), timestamp: 'yesterday' } as Alert;

    const error = await activities.assessTuple(broken).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('returns the verdict with its allowed actions', async () => {
    const activities = createEnrichmentActivities({
      source: failingSource(false),
      inventory: EMPTY_INVENTORY,
    });
    const alert = makeAlert();
    const answers = [await activities.assessTuple(alert)];

    const result = await activities.reachVerdict({ alert, answers });

    expect(result.verdict.kind).toBe('escalate');
    expect(result.allowedActions).toEqual(['preserve', 'contain', 'isolate']);
  });
});
