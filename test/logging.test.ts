import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging';

describe('createLogger', () => {
  it('redacts tokens and task tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);

    logger.info({ taskToken: 'dGFzay10b2tlbg==', token: 'secret-token', headers: { authorization: 'Bearer x' } }, 'activity log');

    expect(lines.join('')).not.toContain('dGFzay10b2tlbg==');
    expect(lines.join('')).not.toContain('secret-token');
    expect(lines.join('')).not.toContain('Bearer x');
  });
});
