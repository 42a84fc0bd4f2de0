import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedConnector } from '../../src/response/embedded-connector';
import { ReceiptJournal } from '../../src/response/receipt-journal';
import type { StepRequest } from '../../src/response/types';

const suspend: StepRequest = {
  step: 'suspend-process',
  target: { hostName: 'ws-042', executable: 'C:\\Temp\\MalSecLogon.exe' },
  parameters: { reversible: true },
  idempotencyKey: 'alert-0001:suspend-process',
};

describe('ReceiptJournal', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soar-journal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets a second connector on the same file return the first receipt', async () => {
    const file = path.join(dir, 'shared.jsonl');
    const first = new EmbeddedConnector(undefined, () => new Date('2024-01-01T00:00:00Z'), undefined, new ReceiptJournal(file));
    const second = new EmbeddedConnector(undefined, () => new Date('2024-02-02T00:00:00Z'), undefined, new ReceiptJournal(file));

    const recorded = await first.execute(suspend);
    const retried = await second.execute(suspend);

    expect(retried).toEqual(recorded);
    expect(retried.recordedAt).toBe('2024-01-01T00:00:00.000Z');
    expect(new ReceiptJournal(file).readAll()).toHaveLength(1);
  });

  it('leaves a line without its newline for a later read', () => {
    const file = path.join(dir, 'partial.jsonl');
    const journal = new ReceiptJournal(file);
    const line = JSON.stringify({ ...suspend, recordedAt: '2024-01-01T00:00:00.000Z', effect: 'recorded' });

    appendFileSync(file, line.slice(0, 20));
    const beforeNewline = journal.find(suspend.idempotencyKey);
    appendFileSync(file, `${line.slice(20)}\n`);

    expect(beforeNewline).toBeUndefined();
    expect(journal.find(suspend.idempotencyKey)?.recordedAt).toBe('2024-01-01T00:00:00.000Z');
  });
});
