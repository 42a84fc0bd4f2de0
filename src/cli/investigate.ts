import path from 'node:path';
import { parseIntakeBody } from '../alert/intake-body';
import { normaliseDocument } from '../alert/normalise';
import { checkRuleTuple } from '../alert/rule-tuple';
import { loadConfig } from '../config';
import { toEcs } from '../ecs';
import { errorMessage } from '../errors';
import { loadAssetInventory } from '../investigation/inventory';
import { investigateOffline } from '../investigation/investigate';
import { ecsToTelemetryEvent } from '../telemetry/ecs-event';
import { EmbeddedTelemetrySource } from '../telemetry/embedded';
import type { TelemetryEvent } from '../telemetry/types';
import { InputError, readInput, UsageError } from './io';

/**
 * `soar investigate`: runs every question and the verdict on exported data without a Temporal
 * server and prints the JSON report. Telemetry files may hold records in any supported shape
 * (ECS, winlogbeat 6, Mordor, EVTX conversions), as a JSON array or NDJSON.
 */
export async function runInvestigate(alertFile: string, telemetryFiles: string[]): Promise<number> {
  if (telemetryFiles.length === 0) {
    throw new UsageError('missing option --telemetry <file>; give at least one exported telemetry file');
  }
  const parsedAlert = parseIntakeBody(readInput(alertFile));
  if (!parsedAlert.ok) throw new InputError(`${alertFile}: ${parsedAlert.error}`);
  const [first] = parsedAlert.documents;
  if (first === undefined || parsedAlert.documents.length > 1) {
    throw new InputError(`${alertFile}: expected exactly one alert document, found ${parsedAlert.documents.length}`);
  }
  const normalised = normaliseDocument(first.value);
  if (!normalised.ok) {
    const issues = normalised.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new InputError(`${alertFile}: invalid alert document: ${issues}`);
  }

  const events = telemetryFiles.flatMap(readTelemetryFile);
  const source = new EmbeddedTelemetrySource(events, { name: `files:${telemetryFiles.join(',')}` });
  const inventory = await loadAssetInventory(loadConfig().SOAR_ASSET_INVENTORY);
  const tuple = checkRuleTuple(normalised.alert.rule);
  if (!tuple.matches) {
    const clauses = tuple.failures.map((failure) => failure.field).join(', ');
    process.stderr.write(`soar: warning: ${alertFile} is not the rule's event (fails ${clauses}); investigating anyway\n`);
  }
  const report = await investigateOffline(normalised.alert, source, inventory);
  process.stdout.write(`${JSON.stringify({ ruleTuple: tuple, ...report }, null, 2)}\n`);
  return 0;
}

function readTelemetryFile(file: string): TelemetryEvent[] {
  const parsed = parseIntakeBody(readInput(file));
  if (!parsed.ok) throw new InputError(`${file}: ${parsed.error}`);
  const [firstError] = parsed.errors;
  if (firstError !== undefined) {
    throw new InputError(`${file}: record ${firstError.index} ${firstError.path}: ${firstError.message}`);
  }
  const dataset = path.basename(file).replace(/\.(nd)?json$/i, '');
  return parsed.documents.flatMap((document) => {
    try {
      const event = ecsToTelemetryEvent(toEcs(document.value, { dataset }), dataset);
      return event === undefined ? [] : [event];
    } catch (error) {
      throw new InputError(`${file}: record ${document.index} is not a supported event: ${errorMessage(error)}`);
    }
  });
}
