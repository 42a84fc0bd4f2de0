import { TelemetryUnavailableError } from '../../../src/errors';
import type { TelemetryRequestError } from '../../../src/telemetry/elasticsearch';
import type { QueryResult, TelemetrySource } from '../../../src/telemetry/types';

/**
 * How the telemetry source misbehaves: `fail-first` answers the first `calls` queries with a
 * retryable error (an outage that ends), `down` answers every query with one.
 */
export type TelemetryFault = { kind: 'fail-first'; calls: number } | { kind: 'down' };

/**
 * Wraps a working source and throws the error the Elasticsearch source throws for a 503, so the
 * enrichment activities see the same retryable `TelemetryUnavailableError`.
 */
export class FaultyTelemetrySource implements TelemetrySource {
  readonly name: string;
  private calls = 0;

  constructor(
    private readonly inner: TelemetrySource,
    private readonly fault: TelemetryFault,
  ) {
    this.name = `faulty:${inner.name}`;
  }

  processEvents: TelemetrySource['processEvents'] = (query) =>
    this.answer(() => this.inner.processEvents(query));
  fileEvents: TelemetrySource['fileEvents'] = (query) => this.answer(() => this.inner.fileEvents(query));
  authenticationEvents: TelemetrySource['authenticationEvents'] = (query) =>
    this.answer(() => this.inner.authenticationEvents(query));
  executableHistory: TelemetrySource['executableHistory'] = (query) =>
    this.answer(() => this.inner.executableHistory(query));
  relatedAlerts: TelemetrySource['relatedAlerts'] = (query) =>
    this.answer(() => this.inner.relatedAlerts(query));

  private async answer(query: () => Promise<QueryResult>): Promise<QueryResult> {
    this.calls += 1;
    const isFailing = this.fault.kind === 'down' || this.calls <= this.fault.calls;
    if (!isFailing) return query();
    const error = new TelemetryUnavailableError(
      `telemetry source answered 503 (injected fault, call ${this.calls})`,
    ) as TelemetryRequestError;
    error.retryable = true;
    throw error;
  }
}
