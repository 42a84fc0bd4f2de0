import type { Alert } from '../alert/alert';
import { parseIntakeBody } from '../alert/intake-body';
import { normaliseDocument } from '../alert/normalise';
import { checkRuleTuple, type TupleFailure } from '../alert/rule-tuple';
import { errorMessage } from '../errors';
import type { Logger } from '../logging';

export type DocumentResult =
  | { index: number; status: 'accepted'; alertId: string; workflowId: string; isNew: boolean }
  | { index: number; status: 'not-matching'; alertId: string; failures: TupleFailure[] }
  | { index: number; status: 'invalid'; errors: { path: string; message: string }[] }
  | { index: number; status: 'failed'; alertId: string; error: string };

export interface BatchOutcome {
  /** 200 when every document was handled, 400 when nothing in the request was valid, 503 when a start failed. */
  httpStatus: 200 | 400 | 503;
  counts: Record<DocumentResult['status'], number>;
  results: DocumentResult[];
  /** Reason the whole request was rejected, when it was. */
  error?: string;
}

/** Starts (or finds) the workflow of one alert; resolves once the run exists durably. */
export type AlertStarter = (alert: Alert) => Promise<{ workflowId: string; isNew: boolean }>;

export interface BatchOptions {
  /** Receives one line per failed start, with the alert id and the error. */
  logger?: Logger;
  /** Workflow starts in flight at once. @default 8 */
  concurrency?: number;
}

/**
 * Maximum length of a string field the workflow carries. Sysmon call traces and command lines
 * stay far below it, and every activity input repeats the alert, so Temporal's 4 MiB message
 * limit would otherwise end a run that the intake had already accepted.
 */
export const MAX_FIELD_CHARS = 16_384;

/** Alert fields checked against MAX_FIELD_CHARS, with the source field named in the error. */
const CARRIED_FIELDS: [string, (alert: Alert) => string | undefined][] = [
  ['kibana.alert.uuid', (alert) => alert.alertId],
  ['host.name', (alert) => alert.host.name],
  ['host.id', (alert) => alert.host.id],
  ['user.name', (alert) => alert.user.name],
  ['user.id', (alert) => alert.user.id],
  ['winlog.event_data.SourceImage', (alert) => alert.access.sourceImage],
  ['winlog.event_data.TargetImage', (alert) => alert.rule.targetImage],
  ['winlog.event_data.CallTrace', (alert) => alert.rule.callTrace],
  ['winlog.event_data.GrantedAccess', (alert) => alert.rule.grantedAccess],
  ['process.name', (alert) => alert.rule.processName],
];

/**
 * Parses a request body into documents, validates and normalises each, checks the rule tuple and
 * starts one workflow per matching alert. One bad document never affects the others. A failed
 * start is reported per document (HTTP 503 overall) so the sender retries; retrying is safe
 * because the workflow id is the alert's stable identity.
 */
export async function processBatch(
  body: string,
  contentType: string | undefined,
  startAlert: AlertStarter,
  options: BatchOptions = {},
): Promise<BatchOutcome> {
  const parsed = parseIntakeBody(body, contentType);
  if (!parsed.ok) return rejectWhole(parsed.error);
  if (parsed.documents.length === 0 && parsed.errors.length === 0) {
    return rejectWhole('the request holds no alert documents');
  }

  const results: DocumentResult[] = parsed.errors.map((error) => ({
    index: error.index,
    status: 'invalid' as const,
    errors: [{ path: error.path, message: error.message }],
  }));
  const pending = [...parsed.documents];
  const work = async (): Promise<void> => {
    for (let document = pending.shift(); document; document = pending.shift()) {
      const result = await processDocument(document.index, document.value, startAlert);
      if (result.status === 'failed') {
        options.logger?.error({ alertId: result.alertId, error: result.error }, 'workflow start failed; the sender should retry');
      }
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, work));
  results.sort((a, b) => a.index - b.index);

  const counts = countByStatus(results);
  const isAllInvalid = counts.invalid === results.length;
  let httpStatus: BatchOutcome['httpStatus'] = 200;
  if (isAllInvalid) httpStatus = 400;
  else if (counts.failed > 0) httpStatus = 503;
  return {
    httpStatus,
    counts,
    results,
    error: isAllInvalid ? 'no document in the request is valid; see each result' : undefined,
  };
}

/**
 * Validates, normalises and rule-checks one document and starts its workflow. `index` is the
 * document's position, used in issue paths. A failed start comes back as status `failed`.
 */
export async function processDocument(
  index: number,
  value: unknown,
  startAlert: AlertStarter,
): Promise<DocumentResult> {
  const normalised = normaliseDocument(value, index);
  if (!normalised.ok) return { index, status: 'invalid', errors: normalised.issues };

  const { alert } = normalised;
  const oversized = CARRIED_FIELDS.filter(([, read]) => (read(alert)?.length ?? 0) > MAX_FIELD_CHARS);
  if (oversized.length > 0) {
    return {
      index,
      status: 'invalid',
      errors: oversized.map(([field, read]) => ({
        path: `$[${index}].${field}`,
        message: `is ${read(alert)?.length} characters long; the limit is ${MAX_FIELD_CHARS}, so check the sender`,
      })),
    };
  }
  const tuple = checkRuleTuple(alert.rule);
  if (!tuple.matches) {
    return { index, status: 'not-matching', alertId: alert.alertId, failures: tuple.failures };
  }
  try {
    const started = await startAlert(alert);
    return { index, status: 'accepted', alertId: alert.alertId, ...started };
  } catch (error) {
    return { index, status: 'failed', alertId: alert.alertId, error: errorMessage(error) };
  }
}

function countByStatus(results: DocumentResult[]): BatchOutcome['counts'] {
  const counts = { accepted: 0, 'not-matching': 0, invalid: 0, failed: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

function rejectWhole(error: string): BatchOutcome {
  return {
    httpStatus: 400,
    counts: { accepted: 0, 'not-matching': 0, invalid: 0, failed: 0 },
    results: [],
    error,
  };
}
