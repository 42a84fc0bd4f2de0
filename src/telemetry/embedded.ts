import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostRef } from '../alert/alert';
import { TelemetryUnavailableError, errorMessage } from '../errors';
import { ecsToTelemetryEvent, isSameHost } from './ecs-event';
import type {
  AlertQuery,
  AuthenticationQuery,
  ExecutableHistoryQuery,
  ProcessQuery,
  QueryResult,
  TelemetryEvent,
  TelemetrySource,
  TimeWindow,
} from './types';

/** Maximum events one query returns, matching the Elasticsearch source's `size`. */
export const DEFAULT_MAX_HITS = 500;

/** File names (without `.ndjson`) that hold alert documents rather than raw events. */
const ALERTS_FILE_PATTERN = /^alerts/i;

export interface EmbeddedTelemetryOptions {
  /** @default 'embedded' */
  name?: string;
  /** @default DEFAULT_MAX_HITS */
  maxHits?: number;
}

/**
 * Answers the telemetry queries in memory from ECS documents, with the same filters and windows
 * as `ElasticsearchTelemetrySource`. Alerts (`event.kind: signal`) come from files whose names
 * start with `alerts`, or from any signal document among the events.
 */
export class EmbeddedTelemetrySource implements TelemetrySource {
  readonly name: string;
  private readonly events: TelemetryEvent[];
  private readonly maxHits: number;
  private readonly hasAlertStore: boolean;

  constructor(events: TelemetryEvent[], options: EmbeddedTelemetryOptions = {}) {
    this.name = options.name ?? 'embedded';
    this.maxHits = options.maxHits ?? DEFAULT_MAX_HITS;
    this.events = [...events].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    this.hasAlertStore = events.some((event) => event.category === 'alert');
  }

  /**
   * Loads every `*.ndjson` file in `dir`; each file's base name becomes the dataset in record
   * ids. Throws `TelemetryUnavailableError` when the folder or a file cannot be read or a line
   * is not JSON. Documents without a timestamp or computer name are skipped.
   */
  static async fromDirectory(
    dir: string,
    options: EmbeddedTelemetryOptions = {},
  ): Promise<EmbeddedTelemetrySource> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort();
    } catch (error) {
      throw new TelemetryUnavailableError(
        `cannot read telemetry folder ${dir}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    const events: TelemetryEvent[] = [];
    for (const name of names) {
      events.push(...(await readNdjson(path.join(dir, name))));
    }
    return new EmbeddedTelemetrySource(events, { name: `embedded:${dir}`, ...options });
  }

  /** Sysmon and Defend process events (starts and accesses) on the host in the window. */
  async processEvents(query: ProcessQuery): Promise<QueryResult> {
    return this.byCategory('process', query);
  }

  /** File events (creation, rename, stream) on the host in the window. */
  async fileEvents(query: ProcessQuery): Promise<QueryResult> {
    return this.byCategory('file', query);
  }

  /**
   * 4624 whose TargetUserSid is the user and 4648 whose SubjectUserSid is the user; both codes
   * for every user when `userId` is absent. `hasDataOfKind` counts every authentication event
   * on the host in the window.
   */
  async authenticationEvents(query: AuthenticationQuery): Promise<QueryResult> {
    const onHost = this.inWindow('authentication', query.window).filter((event) =>
      isSameHost(event.host, query.host),
    );
    const events = onHost.filter((event) => isUserAuthentication(event, query.userId));
    return {
      hasDataOfKind: onHost.length > 0,
      ...this.limit(events),
      querySummary: `${this.name}: 4624/4648 ${describeScope(query.host, query.userId)} ${describeWindow(query.window)}: ${events.length} of ${onHost.length}`,
    };
  }

  /** Process starts on the host in the window whose executable is one of `query.executables`. */
  async executableHistory(query: ExecutableHistoryQuery): Promise<QueryResult> {
    const wanted = new Set(query.executables.map((executable) => executable.toLowerCase()));
    const onHost = this.inWindow('process', query.window).filter((event) =>
      isSameHost(event.host, query.host),
    );
    const events = onHost.filter(
      (event) =>
        event.access === undefined &&
        wanted.has(event.process?.executable?.toLowerCase() ?? ''),
    );
    return {
      hasDataOfKind: onHost.length > 0,
      ...this.limit(events),
      querySummary: `${this.name}: earlier runs of ${wanted.size} executables ${describeScope(query.host)} ${describeWindow(query.window)}: ${events.length} of ${onHost.length}`,
    };
  }

  /**
   * Alerts for the user and/or host in the window. `hasDataOfKind` is true when the source
   * contains any alert in the window, because the alert under investigation is itself stored
   * there: an empty alert store means the alerts were not loaded, not that there were none.
   */
  async relatedAlerts(query: AlertQuery): Promise<QueryResult> {
    const stored = this.inWindow('alert', query.window);
    const events = stored.filter((event) => {
      const userMatches =
        query.userId === undefined || sameSid(event.alert?.userId ?? event.user?.id, query.userId);
      const hostMatches = query.host === undefined || isSameHost(event.host, query.host);
      return userMatches && hostMatches;
    });
    return {
      hasDataOfKind: this.hasAlertStore && stored.length > 0,
      ...this.limit(events),
      querySummary: `${this.name}: alerts ${describeScope(query.host, query.userId)} ${describeWindow(query.window)}: ${events.length}`,
    };
  }

  /** Returns the oldest `maxHits` events, with `capped` set when more matched. */
  private limit(events: TelemetryEvent[]): Pick<QueryResult, 'events' | 'capped'> {
    if (events.length <= this.maxHits) return { events };
    return {
      events: events.slice(0, this.maxHits),
      capped: { maxHits: this.maxHits, matched: events.length },
    };
  }

  private byCategory(category: 'process' | 'file', query: ProcessQuery): QueryResult {
    const events = this.inWindow(category, query.window).filter((event) =>
      isSameHost(event.host, query.host),
    );
    return {
      hasDataOfKind: events.length > 0,
      ...this.limit(events),
      querySummary: `${this.name}: ${category} events ${describeScope(query.host)} ${describeWindow(query.window)}: ${events.length}`,
    };
  }

  private inWindow(category: TelemetryEvent['category'], window: TimeWindow): TelemetryEvent[] {
    const from = Date.parse(window.from);
    const to = Date.parse(window.to);
    return this.events.filter((event) => {
      const time = Date.parse(event.timestamp);
      return event.category === category && time >= from && time <= to;
    });
  }
}

async function readNdjson(file: string): Promise<TelemetryEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TelemetryUnavailableError(`cannot read ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const base = path.basename(file, '.ndjson');
  const events: TelemetryEvent[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (error) {
      throw new TelemetryUnavailableError(`invalid JSON on line ${index + 1} of ${file}`, {
        cause: error,
      });
    }
    const event = ecsToTelemetryEvent(doc, base);
    if (event === undefined) continue;
    if (ALERTS_FILE_PATTERN.test(base) && event.category !== 'alert') continue;
    events.push(event);
  }
  return events;
}

function isUserAuthentication(event: TelemetryEvent, userId: string | undefined): boolean {
  if (event.eventCode === '4624') {
    return userId === undefined || sameSid(event.logon?.targetUserSid, userId);
  }
  if (event.eventCode === '4648') {
    return userId === undefined || sameSid(event.logon?.subjectUserSid, userId);
  }
  return false;
}

function sameSid(left: string | undefined, right: string): boolean {
  return left !== undefined && left.toUpperCase() === right.toUpperCase();
}

function describeScope(host: HostRef | undefined, userId?: string): string {
  const parts = [];
  if (host !== undefined) parts.push(`host ${host.id ?? host.name}`);
  if (userId !== undefined) parts.push(`user ${userId}`);
  return parts.join(', ');
}

function describeWindow(window: TimeWindow): string {
  return `from ${window.from} to ${window.to}`;
}
