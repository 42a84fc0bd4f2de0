import type { StepRequest } from '../response/types';
import type { EvidenceItem } from './store';

/**
 * Splits a `preserve-evidence` request into the items that are stored and hashed one by one:
 * `alert` (the alert document as the workflow received it), `answer-Q1` to `answer-Q7` (each
 * question's evidence: findings with their record ids and the queries that ran) and `request`
 * (what the step asks to collect: record ids per question, the source service, volatile state).
 */
export function preservationItems(request: StepRequest): EvidenceItem[] {
  const { alertDocument, answers, ...rest } = request.parameters;
  const items: EvidenceItem[] = [];
  if (alertDocument !== undefined) items.push({ name: 'alert', content: alertDocument });
  if (Array.isArray(answers)) {
    // Q7 can be answered twice (user scope, then host scope), so a repeat gets a counter.
    const seen = new Map<string, number>();
    for (const answer of answers as { question?: unknown }[]) {
      const question = String(answer.question);
      const count = (seen.get(question) ?? 0) + 1;
      seen.set(question, count);
      items.push({ name: count === 1 ? `answer-${question}` : `answer-${question}-${count}`, content: answer });
    }
  }
  items.push({
    name: 'request',
    content: { step: request.step, target: request.target, parameters: rest, idempotencyKey: request.idempotencyKey },
  });
  return items;
}
