import { appendFileSync, closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorReceipt } from './connector';

/**
 * An append-only JSONL file of connector receipts, one line per idempotency key. Every worker
 * process that shares the data folder reads and appends the same file, so a step retried by
 * another worker after a crash finds the receipt the first worker wrote and records nothing new.
 */
export class ReceiptJournal {
  private readonly byKey = new Map<string, ConnectorReceipt>();
  private readonly ordered: ConnectorReceipt[] = [];
  /** Bytes of the file already parsed; only complete lines move it forward. */
  private offset = 0;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Returns the first receipt written for `idempotencyKey` by any process, if any. */
  find(idempotencyKey: string): ConnectorReceipt | undefined {
    this.catchUp();
    return this.byKey.get(idempotencyKey);
  }

  /** Appends one receipt as one line. A single `O_APPEND` write keeps lines from interleaving. */
  append(receipt: ConnectorReceipt): void {
    appendFileSync(this.file, `${JSON.stringify(receipt)}\n`);
  }

  /** Every receipt in the file, in the order written, repeated keys included. */
  readAll(): ConnectorReceipt[] {
    this.catchUp();
    return [...this.ordered];
  }

  // Reads only what other processes (or this one) appended since the last call.
  private catchUp(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const chunks: Buffer[] = [];
      const buffer = Buffer.alloc(64 * 1024);
      for (let position = this.offset; ; ) {
        const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
        position += bytesRead;
      }
      const text = Buffer.concat(chunks);
      const end = text.lastIndexOf('\n') + 1;
      // A line without its newline is still being written, or its writer was killed mid-write;
      // either way its step had not finished, so it waits for the next call.
      for (const line of text.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() !== '') this.add(JSON.parse(line) as ConnectorReceipt);
      }
      this.offset += end;
    } finally {
      closeSync(fd);
    }
  }

  private add(receipt: ConnectorReceipt): void {
    this.ordered.push(receipt);
    if (!this.byKey.has(receipt.idempotencyKey)) this.byKey.set(receipt.idempotencyKey, receipt);
  }
}
