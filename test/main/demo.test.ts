import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

describe('soar demo', () => {
  it('prints one line per bundled alert and the audit timeline', { timeout: 90_000 }, async () => {
    const { stdout } = await promisify(execFile)(TSX, [path.join(ROOT, 'src', 'cli.ts'), 'demo'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    const [jsonPart = '', timeline = ''] = stdout.split('\n\n');
    const lines = jsonPart.split('\n').map((line) => JSON.parse(line));
    const byFile = new Map(lines.map((line) => [line.file, line]));

    const positive = byFile.get('positive-malseclogon.json');
    expect(positive.matched).toBe(true);
    expect(positive.verdict).toBe('escalate');
    expect(positive.decision.decidedBy).toBe('demo-analyst');
    expect(positive.steps[0].step).toBe('preserve-evidence');
    expect(positive.steps[0].outcome).toBe('done');

    const nearMiss = byFile.get('near-miss-seclogon.json');
    expect(nearMiss.matched).toBe(false);
    expect(nearMiss.reasons[0].field).toBe('winlog.event_data.TargetImage');

    const missing = byFile.get('missing-telemetry.json');
    expect(missing.verdict).not.toBe('benign');
    expect(missing.reasons.some((reason: string) => /^Q4 unresolved/.test(reason))).toBe(true);

    expect(timeline).toContain(`Audit timeline of ${positive.workflowId}`);
    expect(timeline).toMatch(/DECISION contain by demo-analyst via cli at /);
    expect(timeline).toMatch(/STEP preserve-evidence done/);
  });
});
