import type { Logger } from '../logging';
import type { ConnectorReceipt, ResponseConnector } from './connector';
import type { StepRequest } from './types';
import { preservationItems } from '../evidence/preservation-items';
import type { EvidenceStore } from '../evidence/store';
import type { ReceiptJournal } from './receipt-journal';

/**
 * The default connector when no response product is configured. It records each intended call
 * (step, target, parameters, idempotency key) in memory and in the log and changes nothing on any
 * host or account. A repeated idempotency key returns the first receipt, so a retried activity
 * never records a second action. With a journal, receipts also go to a JSONL file that every
 * worker sharing the data folder reads, so this holds across worker processes and restarts.
 */
export class EmbeddedConnector implements ResponseConnector {
  readonly name = 'embedded';
  private readonly receipts = new Map<string, ConnectorReceipt>();

  /**
   * @param evidence where `preserve-evidence` stores the preserved items; without it the step is
   * only recorded, as every other step is.
   * @param journal where receipts are kept across processes; without it they live in memory only.
   */
  constructor(
    private readonly logger?: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly evidence?: EvidenceStore,
    private readonly journal?: ReceiptJournal,
  ) {}

  /** Records the request once per idempotency key and returns its receipt. */
  async execute(request: StepRequest): Promise<ConnectorReceipt> {
    const existing = this.receipts.get(request.idempotencyKey) ?? this.journal?.find(request.idempotencyKey);
    if (existing) {
      this.logger?.debug({ idempotencyKey: request.idempotencyKey }, 'step already recorded');
      return existing;
    }

    const receipt: ConnectorReceipt = {
      step: request.step,
      target: { ...request.target },
      parameters: structuredClone(request.parameters),
      idempotencyKey: request.idempotencyKey,
      recordedAt: this.now().toISOString(),
      effect: 'recorded',
      ...this.describeReversal(request),
      ...(await this.preserve(request)),
    };
    this.journal?.append(receipt);
    this.receipts.set(request.idempotencyKey, receipt);
    this.logger?.info(
      {
        connector: this.name,
        step: receipt.step,
        target: receipt.target,
        idempotencyKey: receipt.idempotencyKey,
      },
      'response step recorded',
    );
    return receipt;
  }

  /** Returns every receipt in the order it was first recorded. */
  records(): ConnectorReceipt[] {
    return [...this.receipts.values()];
  }

  /** Returns the receipt for one idempotency key, if that key was executed. */
  recordFor(idempotencyKey: string): ConnectorReceipt | undefined {
    return this.receipts.get(idempotencyKey);
  }

  // Preservation writes each item once under the evidence folder, and the receipt carries the
  // item hashes, so the run's history records them.
  private async preserve(request: StepRequest): Promise<Pick<ConnectorReceipt, 'detail'>> {
    if (request.step !== 'preserve-evidence' || this.evidence === undefined) return {};
    const alert = request.parameters.alert;
    const alertId =
      typeof alert === 'object' && alert !== null && 'alertId' in alert && typeof alert.alertId === 'string'
        ? alert.alertId
        : request.idempotencyKey;
    const preserved = await this.evidence.preserve(alertId, preservationItems(request));
    return { detail: { preserved } };
  }

  // A reversal names the earlier receipts it undoes, which is all this connector can reverse.
  private describeReversal(request: StepRequest): Pick<ConnectorReceipt, 'detail'> {
    if (request.step !== 'reverse-containment') return {};
    const keys = request.parameters.reverseIdempotencyKeys;
    const candidates = Array.isArray(keys) ? keys.filter((key) => typeof key === 'string') : [];
    const isRecorded = (key: string): boolean =>
      this.receipts.has(key) || this.journal?.find(key) !== undefined;
    return { detail: { reversed: candidates.filter(isRecorded) } };
  }
}
