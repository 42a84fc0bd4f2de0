/**
 * The intake boundary: turns one inbound document in any accepted shape into the internal
 * `Alert`. Nothing past this point reads the raw document.
 */
import type { Alert, SourceShape } from './alert';
import {
  expandDottedKeys,
  isRecord,
  readField,
  readFirstText,
  readText,
  toJsonPath,
} from './fields';
import { normaliseGuid, normaliseHexId } from './identifiers';
import { sourceEventIdentity } from './identity';
import { EcsEventSchema, KibanaAlertSchema } from './schemas';
import { toEcs, type EcsDocument } from '../ecs/to-ecs';
import { parseRawRecord, zodIssues, type DocumentIssue, type RawShape } from '../ecs/raw-schemas';
import { parseRecordTime } from '../ecs/time';

export type NormaliseResult = { ok: true; alert: Alert } | { ok: false; issues: DocumentIssue[] };

/**
 * Validates one document (an Elastic Security alert, or a source event in ECS, winlogbeat 6,
 * Mordor or EVTX-conversion shape, with nested or dotted keys) and normalises it into an
 * `Alert`. Issue paths are JSONPaths inside the document, rooted at `$[index]` when `index` is
 * given (the document's position in a batch) and at `$` otherwise. Pure. Invalid input comes
 * back as issues, not as an exception.
 * The result says nothing about the rule: pass `alert.rule` to `checkRuleTuple` for that.
 */
export function normaliseDocument(doc: unknown, index?: number): NormaliseResult {
  const root = index === undefined ? '$' : `$[${index}]`;
  if (!isRecord(doc))
    return { ok: false, issues: [{ path: root, message: 'must be a JSON object' }] };

  const { value, conflicts } = expandDottedKeys(doc);
  if (conflicts.length > 0) {
    return {
      ok: false,
      issues: conflicts.map((conflict) => ({
        path: toJsonPath(conflict.path, root),
        message: conflict.message,
      })),
    };
  }
  if (isRecord(readField(value, 'kibana.alert'))) return normaliseElasticAlert(value, root);

  const parsed = parseRawRecord(value, root);
  if (!parsed.ok) return parsed;
  return { ok: true, alert: alertFromEcs(toEcs(parsed.record), shapeOf(parsed.shape)) };
}

function normaliseElasticAlert(doc: unknown, root: string): NormaliseResult {
  const issues: DocumentIssue[] = [];
  const kibana = KibanaAlertSchema.safeParse(doc);
  if (!kibana.success) issues.push(...zodIssues(kibana.error, root));
  const event = EcsEventSchema.safeParse(doc);
  if (!event.success) issues.push(...zodIssues(event.error, root));
  if (!event.success || !kibana.success) return { ok: false, issues };
  return { ok: true, alert: alertFromEcs(event.data, 'elastic-alert') };
}

function shapeOf(shape: RawShape): SourceShape {
  return shape === 'mordor-nxlog' ? 'mordor-flat' : shape;
}

/**
 * Reads the `Alert` from an ECS document or an Elastic Security alert document. The source
 * event time is `kibana.alert.original_time` when present, else `@timestamp` (for an alert
 * document `@timestamp` is when the alert was written, not when the event happened).
 */
function alertFromEcs(doc: EcsDocument, shape: SourceShape): Alert {
  const timestamp = eventTime(doc);
  const hostName = (readFirstText(doc, ['winlog.computer_name', 'host.name']) ?? '').toLowerCase();
  const sourceImage = readText(doc, 'winlog.event_data.SourceImage');
  const sourceProcessGuid = normaliseGuid(readText(doc, 'winlog.event_data.SourceProcessGUID'));
  const grantedAccess = readText(doc, 'winlog.event_data.GrantedAccess');
  const callTrace = readText(doc, 'winlog.event_data.CallTrace');
  const targetImage = readText(doc, 'winlog.event_data.TargetImage');
  const recordId = readText(doc, 'winlog.record_id');
  const kibanaUuid = readText(doc, 'kibana.alert.uuid');

  return {
    alertId:
      kibanaUuid ??
      sourceEventIdentity({
        providerName: readText(doc, 'winlog.provider_name'),
        channel: readText(doc, 'winlog.channel'),
        recordId,
        sourceProcessGuid,
        timestamp,
        hostName,
      }),
    identitySource: kibanaUuid === undefined ? 'source-event' : 'kibana.alert.uuid',
    shape,
    ruleUuid: readText(doc, 'kibana.alert.rule.uuid'),
    timestamp,
    host: { id: endpointHostId(doc, hostName), name: hostName },
    user: {
      id: readText(doc, 'user.id'),
      name: readText(doc, 'user.name'),
      domain: readText(doc, 'user.domain'),
    },
    rule: {
      // The rule reads these fields as stored, so a missing one fails its clause. For raw
      // Windows shapes, toEcs has already written them the way the ingest pipelines do.
      hostOsType: readText(doc, 'host.os.type'),
      eventCode: readFirstText(doc, ['kibana.alert.original_event.code', 'event.code']),
      targetImage,
      callTrace,
      processName: readText(doc, 'process.name'),
      grantedAccess,
    },
    access: {
      sourceImage,
      sourceProcessGuid,
      sourceProcessId: readInteger(doc, 'winlog.event_data.SourceProcessId'),
      targetImage,
      targetProcessId: readInteger(doc, 'winlog.event_data.TargetProcessId'),
      grantedAccess,
      callTrace,
    },
    authenticationId: normaliseHexId(readText(doc, 'process.Ext.authentication_id')),
    recordId,
  };
}

/**
 * Returns `host.id` only when it belongs to the endpoint. In forwarded (WEF) data the shipper on
 * the collector writes its own `host.name` and `host.id`, while `winlog.computer_name` names the
 * endpoint, so a `host.id` next to a different shipper name is the collector's and is dropped.
 */
function endpointHostId(doc: EcsDocument, endpointName: string): string | undefined {
  const shipperName = readFirstText(doc, ['labels.original_host_name', 'host.name']);
  const shortName = (name: string) => name.trim().toLowerCase().split('.')[0];
  const isForwarded =
    shipperName !== undefined && shortName(shipperName) !== shortName(endpointName);
  return isForwarded ? undefined : readText(doc, 'host.id');
}

function eventTime(doc: EcsDocument): string {
  for (const field of ['kibana.alert.original_time', '@timestamp']) {
    const text = readText(doc, field);
    const parsed = text === undefined ? undefined : parseRecordTime(text, field);
    if (parsed !== undefined) return parsed.iso;
  }
  // The schemas require a zoned @timestamp, so this is unreachable for validated documents.
  throw new Error('document has no parseable @timestamp');
}

function readInteger(doc: EcsDocument, path: string): number | undefined {
  const text = readText(doc, path)?.trim();
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return undefined;
}
