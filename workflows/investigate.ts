/**
 * The gather stage of the MalSecLogon playbook: the seven questions, asked through the enrichment
 * activities. Imports only the workflow SDK and types, like every workflow file.
 */
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { EnrichmentActivities } from '../activities/types';
import type { Alert } from '../src/alert/alert';
import type { Answer, QuestionId } from '../src/investigation/types';

/**
 * Telemetry lookups retry transient source faults. A malformed alert cannot succeed on a retry,
 * and the verdict is pure, so its retries only cover worker restarts.
 */
export const enrichment = proxyActivities<EnrichmentActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['InvalidAlertError'] },
});

/**
 * Answers Q1 to Q6 and the user-scoped Q7 in parallel, then the host-scoped Q7 only when the local
 * evidence (Q1 to Q6) has a suspicious finding or coverage other than `present`. A lookup that
 * fails after its retries becomes `failed` coverage, which keeps the verdict away from benign.
 */
export async function investigate(alert: Alert): Promise<Answer[]> {
  const answerGroups = await Promise.all([
    answerOrFailed(['Q1'], () => enrichment.assessTuple(alert)),
    answerOrFailed(['Q2', 'Q3'], () => enrichment.recoverProcessLineage(alert)),
    answerOrFailed(['Q4'], () => enrichment.searchDumpArtifacts(alert)),
    answerOrFailed(['Q5'], () => enrichment.assessImpact(alert)),
    answerOrFailed(['Q6'], () => enrichment.pivotAuthentication(alert)),
    answerOrFailed(['Q7'], () => enrichment.findRelatedAlerts({ alert, scope: 'user' })),
  ]);
  const answers = answerGroups.flat();

  const localAnswers = answers.filter((answer) => answer.question !== 'Q7');
  if (localAnswers.every(isClear)) return answers;

  const hostAnswers = await answerOrFailed(['Q7'], () =>
    enrichment.findRelatedAlerts({ alert, scope: 'host' }),
  );
  return [...answers, ...hostAnswers];
}

function isClear(answer: Answer): boolean {
  return answer.coverage === 'present' && answer.findings.every((finding) => !finding.isSuspicious);
}

async function answerOrFailed(
  questions: QuestionId[],
  lookup: () => Promise<Answer | Answer[]>,
): Promise<Answer[]> {
  try {
    const result = await lookup();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const coverageNote = `lookup failed after retries: ${error.cause?.message ?? error.message}`;
    log.warn('investigation lookup failed; coverage recorded as failed', {
      questions,
      coverageNote,
    });
    return questions.map(
      (question): Answer => ({
        question,
        coverage: 'failed',
        findings: [],
        querySummaries: [],
        coverageNote,
      }),
    );
  }
}
