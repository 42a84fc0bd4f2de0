import type { StepRequest } from './types';

/** Record ids listed per kind before the rest are only counted, to keep the comment readable. */
const MAX_LISTED_IDS = 20;

/** Returns the case comment that records what preserve-evidence secured for the alert. */
export function describeEvidence(request: StepRequest): string {
  const { parameters } = request;
  const service = asRecord(parameters.sourceService);
  const lines = [
    `Evidence preserved for host ${request.target.hostName ?? 'unknown'} ` +
      `(host.id ${request.target.hostId ?? 'unknown'}).`,
    `Source service: ${String(service.image ?? 'unknown image')}, ` +
      `SourceProcessGUID ${String(service.processGuid ?? 'unknown')}, pid ${String(service.pid ?? 'unknown')}.`,
    listIds('Process starts', parameters.processStartRecordIds),
    listIds('Command lines', parameters.commandLineRecordIds),
    listIds('Dump artifacts', parameters.dumpArtifactRecordIds),
    listIds('Authentication records', parameters.authenticationRecordIds),
    `Volatile state to capture on the host: ${asStrings(parameters.volatileState).join(', ') || 'none'}.`,
  ];
  return lines.join('\n');
}

/** Returns "Decided by … at … (action …): comment" from the step's decision parameters. */
export function describeDecision(request: StepRequest): string {
  const { decidedBy, decidedAt, action, comment } = request.parameters;
  if (typeof decidedBy !== 'string') return '';
  const why = typeof comment === 'string' && comment !== '' ? `: ${comment}` : '.';
  return `Decided by ${decidedBy} at ${String(decidedAt)} (action ${String(action)})${why}`;
}

function listIds(label: string, value: unknown): string {
  const ids = asStrings(value);
  if (ids.length === 0) return `${label}: none recorded.`;
  const shown = ids.slice(0, MAX_LISTED_IDS).join(', ');
  const more = ids.length > MAX_LISTED_IDS ? ` and ${ids.length - MAX_LISTED_IDS} more` : '';
  return `${label} (${ids.length}): ${shown}${more}.`;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
