import { describe, expect, it } from 'vitest';
import type { RuleFields } from '../../src/alert/alert';
import { checkRuleTuple, matchesWildcard } from '../../src/alert/rule-tuple';

const EXACT: RuleFields = {
  hostOsType: 'windows',
  eventCode: '10',
  targetImage: 'C:\\WINDOWS\\system32\\lsass.exe',
  callTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9fb24|c:\\windows\\system32\\seclogon.dll+128f',
  processName: 'svchost.exe',
  grantedAccess: '0x14c0',
};

function failedFields(rule: RuleFields): string[] {
  return checkRuleTuple(rule).failures.map((failure) => failure.field);
}

describe('checkRuleTuple', () => {
  it('accepts the exact tuple', () => {
    expect(checkRuleTuple(EXACT)).toEqual({ matches: true, failures: [] });
  });

  it.each([
    ['lower-case lsass path', 'c:\\windows\\system32\\lsass.exe'],
    ['other drive letter', 'D:\\Windows\\System32\\LSASS.EXE'],
  ])('accepts TargetImage with %s', (_, targetImage) => {
    expect(checkRuleTuple({ ...EXACT, targetImage }).matches).toBe(true);
  });

  it.each([
    ['two-letter drive', 'CD:\\WINDOWS\\system32\\lsass.exe'],
    ['device path', '\\Device\\HarddiskVolume2\\Windows\\System32\\lsass.exe'],
    ['lsass clone elsewhere', 'C:\\Users\\x\\lsass.exe'],
    ['powershell target', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'],
  ])('rejects TargetImage with %s', (_, targetImage) => {
    expect(failedFields({ ...EXACT, targetImage })).toEqual(['winlog.event_data.TargetImage']);
  });

  it('accepts seclogon.dll in other case', () => {
    const callTrace = 'C:\\WINDOWS\\SYSTEM32\\SECLOGON.DLL+128f';

    expect(checkRuleTuple({ ...EXACT, callTrace }).matches).toBe(true);
  });

  it('rejects a call trace without seclogon.dll', () => {
    const callTrace =
      'C:\\Windows\\System32\\KERNELBASE.dll+68985|c:\\windows\\system32\\lsm.dll+e21a';

    expect(failedFields({ ...EXACT, callTrace })).toEqual(['winlog.event_data.CallTrace']);
  });

  it('accepts process.name in other case', () => {
    expect(checkRuleTuple({ ...EXACT, processName: 'SVCHOST.EXE' }).matches).toBe(true);
  });

  it.each(['0x14C0', '0x000014c0', '0x14c0 ', '5312', '0x1410'])(
    'rejects GrantedAccess %s with expected and actual',
    (grantedAccess) => {
      const result = checkRuleTuple({ ...EXACT, grantedAccess });

      expect(result.matches).toBe(false);
      expect(result.failures).toEqual([
        {
          field: 'winlog.event_data.GrantedAccess',
          operator: '==',
          expected: '0x14c0',
          actual: grantedAccess,
          reason: 'mismatch',
        },
      ]);
    },
  );

  it('rejects host.os.type in other case', () => {
    expect(failedFields({ ...EXACT, hostOsType: 'Windows' })).toEqual(['host.os.type']);
  });

  it('rejects a numeric event.code as not a string', () => {
    const rule = { ...EXACT, eventCode: 10 as unknown as string };

    expect(checkRuleTuple(rule).failures).toEqual([
      { field: 'event.code', operator: '==', expected: '10', actual: '10', reason: 'not-a-string' },
    ]);
  });

  it('rejects event.code "010"', () => {
    expect(failedFields({ ...EXACT, eventCode: '010' })).toEqual(['event.code']);
  });

  it('lists every missing field in query order', () => {
    const result = checkRuleTuple({});

    expect(result.failures.map((failure) => failure.field)).toEqual([
      'host.os.type',
      'event.code',
      'winlog.event_data.TargetImage',
      'winlog.event_data.CallTrace',
      'process.name',
      'winlog.event_data.GrantedAccess',
    ]);
    expect(result.failures.every((failure) => failure.reason === 'missing')).toBe(true);
  });
});

describe('matchesWildcard', () => {
  it('treats ? as exactly one character', () => {
    expect(matchesWildcard('ab', 'a?')).toBe(true);
    expect(matchesWildcard('a', 'a?')).toBe(false);
    expect(matchesWildcard('abc', 'a?')).toBe(false);
  });

  it('treats * as any run, including none', () => {
    expect(matchesWildcard('seclogon.dll', '*seclogon.dll*')).toBe(true);
    expect(matchesWildcard('x|seclogon.dll+1|y', '*seclogon.dll*')).toBe(true);
  });

  it('treats regular expression characters literally', () => {
    expect(matchesWildcard('seclogonXdll', '*seclogon.dll*')).toBe(false);
    expect(matchesWildcard('a+b', 'a+b')).toBe(true);
  });
});
