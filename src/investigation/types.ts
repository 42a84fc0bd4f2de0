import type { Coverage } from '../telemetry/types';

export type QuestionId = 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'Q5' | 'Q6' | 'Q7';

/** A fact found while answering a question, with the records it rests on. */
export interface Finding {
  /** Machine-readable kind, e.g. `dump-file`, `logon-type-9`, `ppid-spoofed-to-lsass`. */
  kind: string;
  /** One sentence for a responder. */
  summary: string;
  /** True when the finding supports unauthorised handle leakage. */
  isSuspicious: boolean;
  /** ECS field names the finding was read from. */
  fields: string[];
  /** Original record ids behind the finding. */
  recordIds: string[];
  /**
   * What the finding is about, when a later step must match it exactly: the id of a recognised
   * tooling entry, or the executable of a recovered process.
   */
  subject?: string;
  /**
   * `process.entity_id` of the process in `subject`, as the telemetry stored it, when a record
   * names it. Elastic Defend's suspend action targets a process by this id.
   */
  entityId?: string;
  /** `process.pid` of the process in `subject`, when a record names it. */
  pid?: number;
  /** `file.path` of each file the finding is about, e.g. the dump output found by Q4. */
  filePaths?: string[];
}

/** The answer to one investigation question. */
export interface Answer {
  question: QuestionId;
  coverage: Coverage;
  findings: Finding[];
  /** Short description of each query that ran, with counts. */
  querySummaries: string[];
  /** Reason coverage is `failed` or `absent`, when it is. */
  coverageNote?: string;
}

export type VerdictKind = 'escalate' | 'unresolved' | 'benign';

export interface Reason {
  question: QuestionId;
  /** Whether this reason pushes towards escalation, leaves the question open, or clears it. */
  effect: 'escalates' | 'unresolved' | 'clears' | 'scope';
  text: string;
  fields: string[];
  recordIds: string[];
}

export interface Verdict {
  kind: VerdictKind;
  reasons: Reason[];
  /** True when the host or account is privileged (domain controller, tier-0 and similar). */
  isPrivilegedScope: boolean;
}
