import { parseIntakeBody } from '../alert/intake-body';
import { normaliseDocument } from '../alert/normalise';
import { checkRuleTuple } from '../alert/rule-tuple';
import { workflowIdFor } from '../alert/identity';
import { InputError, printJsonLine, readInput } from './io';

/**
 * `soar check`: for each document, whether it is the rule's event and, if not, which clause
 * fails. Needs no server. Exits 0 when every document is valid, 1 otherwise.
 */
export function runCheck(file: string): number {
  const parsed = parseIntakeBody(readInput(file));
  if (!parsed.ok) throw new InputError(`${file}: ${parsed.error}`);

  const lines: { index: number; line: Record<string, unknown> }[] = parsed.errors.map((error) => ({
    index: error.index,
    line: { index: error.index, valid: false, errors: [{ path: error.path, message: error.message }] },
  }));
  for (const document of parsed.documents) {
    const normalised = normaliseDocument(document.value, document.index);
    if (!normalised.ok) {
      lines.push({ index: document.index, line: { index: document.index, valid: false, errors: normalised.issues } });
      continue;
    }
    const { alert } = normalised;
    const tuple = checkRuleTuple(alert.rule);
    lines.push({
      index: document.index,
      line: {
        index: document.index,
        valid: true,
        matched: tuple.matches,
        alertId: alert.alertId,
        workflowId: workflowIdFor(alert),
        ...(tuple.matches ? {} : { failures: tuple.failures }),
      },
    });
  }
  lines.sort((a, b) => a.index - b.index);
  for (const { line } of lines) printJsonLine(line);
  return lines.every(({ line }) => line.valid === true) ? 0 : 1;
}
