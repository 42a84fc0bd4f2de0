/**
 * zod schemas for one Windows event record in each shape the responder accepts, and the shape
 * detection that picks one. They check only the fields the conversion and the rule read; every
 * other key passes through untouched.
 */
import { z } from 'zod';
import { isRecord, toJsonPath, type JsonRecord } from '../alert/fields';
import { isGuid } from '../alert/identifiers';
import { isZonedTime, pickRecordTime } from './time';

/** The raw shapes: ECS (Winlogbeat 7/8, Elastic Agent), winlogbeat 6, Mordor, EVTX conversion. */
export type RawShape = 'ecs' | 'winlogbeat6' | 'mordor-flat' | 'mordor-nxlog' | 'evtx';

/** A schema failure at a JSONPath inside the document. */
export interface DocumentIssue {
  path: string;
  message: string;
}

const text = z.string();
const numberOrText = z.union([z.string(), z.number()]);
const eventId = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+$/, 'must be digits'),
]);
const guid = z
  .string()
  .refine(isGuid, 'must be a GUID such as {747f3d96-9acd-61af-d401-000000000102}');
const zonedTime = z
  .string()
  .refine(isZonedTime, 'must be an ISO 8601 time with a zone, such as 2021-12-07T17:33:01.590Z');

/** Event data fields the rule and the questions read; each must be text when present. */
const EVENT_DATA_FIELDS = {
  TargetImage: text.optional(),
  SourceImage: text.optional(),
  CallTrace: text.optional(),
  GrantedAccess: text.optional(),
  SourceProcessGUID: guid.optional(),
  ProcessGuid: guid.optional(),
  SourceProcessId: numberOrText.optional(),
  TargetProcessId: numberOrText.optional(),
  LogonType: numberOrText.optional(),
  TargetUserSid: text.optional(),
  SubjectUserSid: text.optional(),
  TargetLogonId: text.optional(),
  SubjectLogonId: text.optional(),
};

const EventDataSchema = z.looseObject(EVENT_DATA_FIELDS);

/** An ECS event as Winlogbeat 7/8 or the Elastic Agent windows/system integrations store it. */
export const EcsEventSchema = z
  .looseObject({
    '@timestamp': zonedTime,
    event: z.looseObject({ code: numberOrText.optional() }).optional(),
    host: z
      .looseObject({
        id: text.optional(),
        name: text.min(1).optional(),
        os: z.looseObject({ type: text.optional() }).optional(),
      })
      .optional(),
    process: z
      .looseObject({
        name: text.optional(),
        entity_id: text.optional(),
        pid: z.number().int().optional(),
      })
      .optional(),
    winlog: z
      .looseObject({
        computer_name: text.min(1).optional(),
        channel: text.optional(),
        provider_name: text.optional(),
        record_id: numberOrText.optional(),
        event_id: numberOrText.optional(),
        event_data: EventDataSchema.optional(),
      })
      .optional(),
  })
  .refine((doc) => doc.host?.name !== undefined || doc.winlog?.computer_name !== undefined, {
    path: ['host', 'name'],
    message: 'missing: the computer name must be in host.name or winlog.computer_name',
  });

/** Winlogbeat 6.x raw events: top-level `event_data`, and `host.name` is the WEF collector. */
export const Winlogbeat6RecordSchema = z.looseObject({
  '@timestamp': zonedTime,
  event_id: eventId,
  computer_name: text.min(1),
  log_name: text.min(1),
  source_name: text.optional(),
  record_number: numberOrText.optional(),
  event_data: EventDataSchema.optional(),
});

/** libevtx or python-evtx output flattened to `{ProviderName, EventID, ..., EventData}`. */
export const EvtxRecordSchema = z.looseObject({
  EventID: eventId,
  Computer: text.min(1),
  Channel: text.min(1),
  ProviderName: text.optional(),
  EventRecordID: numberOrText.optional(),
  TimeCreated: zonedTime,
  EventData: EventDataSchema.optional(),
});

/** Time fields of a Mordor record, in the order the time rule prefers them. */
export const MORDOR_TIME_FIELDS = ['@timestamp', 'TimeCreated', 'EventTime'] as const;

/** Mordor flat and NXLog records: event data at top level beside `EventID`, `Hostname`, `Channel`. */
export const MordorRecordSchema = z
  .looseObject({
    EventID: eventId,
    Hostname: text.min(1),
    Channel: text.min(1),
    SourceName: text.optional(),
    RecordNumber: numberOrText.optional(),
    ...EVENT_DATA_FIELDS,
  })
  .refine((record) => pickRecordTime(record, MORDOR_TIME_FIELDS) !== undefined, {
    path: ['TimeCreated'],
    message: 'missing: no parseable time in @timestamp, TimeCreated or EventTime',
  });

const MORDOR_KEYS_ANY_CASE = ['EventID', 'Hostname', 'Channel'];

/**
 * Returns a copy of a flat record with `eventid`, `HOSTNAME`, `channel` and other spellings of
 * the Mordor envelope keys renamed to `EventID`, `Hostname` and `Channel`.
 */
export function canonicaliseMordorKeys(record: JsonRecord): JsonRecord {
  const out: JsonRecord = { ...record };
  for (const canonical of MORDOR_KEYS_ANY_CASE) {
    if (Object.hasOwn(out, canonical)) continue;
    const variant = Object.keys(out).find((key) => key.toLowerCase() === canonical.toLowerCase());
    if (variant === undefined) continue;
    out[canonical] = out[variant];
    delete out[variant];
  }
  return out;
}

/** Returns the raw shape of an expanded (nested) record, or undefined when none fits. */
export function detectRawShape(record: JsonRecord): RawShape | undefined {
  if (isRecord(record.winlog)) return 'ecs';
  if (isRecord(record.event_data) || ('event_id' in record && 'computer_name' in record)) {
    return 'winlogbeat6';
  }
  if (isRecord(record.EventData) || isRecord(record.UserData) || 'EventRecordID' in record)
    return 'evtx';
  const flat = canonicaliseMordorKeys(record);
  if ('EventID' in flat && 'Hostname' in flat) {
    return 'EventTime' in flat || 'SourceModuleType' in flat ? 'mordor-nxlog' : 'mordor-flat';
  }
  if (isRecord(record.event) && 'code' in record.event) return 'ecs';
  return undefined;
}

const SCHEMAS = {
  ecs: EcsEventSchema,
  winlogbeat6: Winlogbeat6RecordSchema,
  evtx: EvtxRecordSchema,
  'mordor-flat': MordorRecordSchema,
  'mordor-nxlog': MordorRecordSchema,
} as const;

export type RawParseResult =
  { ok: true; shape: RawShape; record: JsonRecord } | { ok: false; issues: DocumentIssue[] };

/**
 * Detects the shape of an expanded record and validates it with that shape's schema. Issue
 * paths are JSONPaths under `root`. Mordor envelope keys come back in canonical case.
 */
export function parseRawRecord(record: unknown, root = '$'): RawParseResult {
  if (!isRecord(record))
    return { ok: false, issues: [{ path: root, message: 'must be a JSON object' }] };
  const shape = detectRawShape(record);
  if (shape === undefined) {
    const message =
      'not a recognised Windows event: expected ECS (winlog.*), winlogbeat 6 (event_data, event_id, ' +
      'computer_name), Mordor (EventID, Hostname, Channel) or an EVTX conversion (EventData, Computer)';
    return { ok: false, issues: [{ path: root, message }] };
  }
  const input = shape.startsWith('mordor') ? canonicaliseMordorKeys(record) : record;
  const result = SCHEMAS[shape].safeParse(input);
  if (result.success) return { ok: true, shape, record: input };
  return { ok: false, issues: zodIssues(result.error, root) };
}

/** Converts zod issues into JSONPath issues under `root`. */
export function zodIssues(error: z.ZodError, root = '$'): DocumentIssue[] {
  return error.issues.map((issue) => ({
    path: toJsonPath(
      issue.path.filter((key) => typeof key !== 'symbol'),
      root,
    ),
    message: issue.message,
  }));
}
