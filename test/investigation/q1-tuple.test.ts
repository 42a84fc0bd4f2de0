import { describe, expect, it } from 'vitest';
import { assessTuple } from '../../src/investigation/q1-tuple';
import { EMPTY_INVENTORY } from '../../src/investigation/inventory';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import { makeAlert } from './builders';

const source = new EmbeddedTelemetrySource([]);

function findingKinds(answer: { findings: { kind: string }[] }): string[] {
  return answer.findings.map((finding) => finding.kind);
}

describe('assessTuple', () => {
  it('escalates the exact tuple', async () => {
    const answer = await assessTuple(makeAlert(), source, { inventory: EMPTY_INVENTORY });

    expect(findingKinds(answer)).toContain('malseclogon-tuple');
    expect(answer.findings.find((finding) => finding.kind === 'malseclogon-tuple')?.isSuspicious).toBe(true);
  });

  it.each(['0x14C0', '0x000014c0', ' 0x14c0'])('treats access mask %j as another event', async (mask) => {
    const base = makeAlert();
    const alert = makeAlert({ rule: { ...base.rule, grantedAccess: mask } });

    const answer = await assessTuple(alert, source, { inventory: EMPTY_INVENTORY });

    expect(findingKinds(answer)).toEqual(['tuple-incomplete']);
    expect(answer.findings[0]?.summary).toContain('winlog.event_data.GrantedAccess');
  });
});
