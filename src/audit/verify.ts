import { preservedItemsOf } from './describe';
import type { AuditTimeline } from './timeline';
import type { EvidenceStore, ItemVerification } from '../evidence/store';

/**
 * Recomputes the SHA-256 of every item the run's preservation steps recorded, from the files in
 * the evidence store, and returns one result per item. An empty list means the run recorded no
 * preserved items (no preservation step ran, or it ran without an evidence store).
 */
export async function verifyPreservedEvidence(
  timeline: AuditTimeline,
  store: EvidenceStore,
): Promise<ItemVerification[]> {
  const items = timeline.entries.flatMap((entry) =>
    entry.kind === 'step' ? preservedItemsOf(entry.step.record) : [],
  );
  return store.verify(items);
}
