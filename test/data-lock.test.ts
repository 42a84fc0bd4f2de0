import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../src/data-lock';

describe('lockDataDir', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soar-lock-'));
  afterEach(() => rmSync(path.join(dir, 'responder.pid'), { force: true }));

  it('takes a free folder and releases it', () => {
    const release = lockDataDir(dir);
    expect(existsSync(path.join(dir, 'responder.pid'))).toBe(true);

    release();

    expect(existsSync(path.join(dir, 'responder.pid'))).toBe(false);
  });

  it('rejects a folder held by a live process', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    writeFileSync(path.join(dir, 'responder.pid'), `${other.pid}\n`);
    try {
      expect(() => lockDataDir(dir)).toThrow(`in use by another responder (pid ${other.pid})`);
    } finally {
      other.kill();
    }
  });

  it('takes over a file left by a process that exited', () => {
    writeFileSync(path.join(dir, 'responder.pid'), '999999999\n');

    const release = lockDataDir(dir);

    release();
    expect(existsSync(path.join(dir, 'responder.pid'))).toBe(false);
  });
});
