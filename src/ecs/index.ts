export { toEcs, ECS_VERSION, type EcsDocument, type ToEcsOptions } from './to-ecs';
export { parseRawRecord, detectRawShape, type RawShape, type DocumentIssue } from './raw-schemas';
export { parseRecordTime, type RecordTime } from './time';
export { LOGON_TYPE_NAMES } from './security';
