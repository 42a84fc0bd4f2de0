/**
 * The one rule for `@timestamp` of a converted record: the time the Windows event log stamped on
 * the record, as the shipper rendered it. By shape, in order of preference:
 *
 * - ECS and winlogbeat 6: `@timestamp` (winlogbeat copies the record's TimeCreated into it);
 * - EVTX conversion: `TimeCreated`;
 * - Mordor flat and NXLog: `@timestamp`, else `TimeCreated`, else NXLog `EventTime`.
 *
 * Sysmon's `UtcTime` never sets `@timestamp`. Security records of the same recording carry no
 * UtcTime, and in several OTRF recordings UtcTime and TimeCreated disagree by 16 to 19 hours, so
 * mixing the two clocks would push Sysmon and Security events of one host hours apart. UtcTime is
 * kept verbatim in `winlog.event_data.UtcTime`. A value without a zone is read as UTC, and the
 * conversion records that in `labels.timestamp_zone_assumed`.
 */

/** A parsed record time. */
export interface RecordTime {
  /** ISO 8601 in UTC with millisecond precision; finer digits are truncated. */
  iso: string;
  /** The source field the time came from. */
  field: string;
  /** True when the source value had no zone and was read as UTC. */
  isZoneAssumed: boolean;
}

const TIME_PATTERN =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses `2021-12-07T17:33:01.397814400Z`, `2019-03-19T17:15:28.847Z`, `2023-08-16 04:56:43.016`
 * and `2020-09-21 23:03:07`. Returns undefined for anything else or for an impossible date.
 */
export function parseRecordTime(text: string, field: string): RecordTime | undefined {
  const match = TIME_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const [, date, clock, fraction = '', zone] = match;
  const millis = fraction.slice(0, 3).padEnd(3, '0');
  const offset = zone === undefined ? 'Z' : normaliseZone(zone);
  const parsed = Date.parse(`${date}T${clock}.${millis}${offset}`);
  if (Number.isNaN(parsed)) return undefined;
  return { iso: new Date(parsed).toISOString(), field, isZoneAssumed: zone === undefined };
}

function normaliseZone(zone: string): string {
  if (zone.toUpperCase() === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** True when the text is an ISO 8601 time that carries a zone (`Z` or an offset). */
export function isZonedTime(text: string): boolean {
  const parsed = parseRecordTime(text, '');
  return parsed !== undefined && !parsed.isZoneAssumed && text.includes('T');
}

/**
 * Picks the record time of a flat record by the rule above: the first of `fields` that parses.
 * Returns undefined when none does.
 */
export function pickRecordTime(
  record: Record<string, unknown>,
  fields: readonly string[],
): RecordTime | undefined {
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const parsed = parseRecordTime(value, field);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}
