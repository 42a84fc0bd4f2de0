import { describe, expect, it } from 'vitest';
import { UnsafeResponseError } from '../../src/errors';
import { EXCEPTION_TUPLE_FIELDS, assertStepIsSafe } from '../../src/response/safety';
import type { StepName, StepRequest } from '../../src/response/types';

function request(step: StepName, target: Record<string, string>): StepRequest {
  return { step, target, parameters: {}, idempotencyKey: `alert-0001:${step}` };
}

const TUPLE: Record<string, string> = {
  sourceImage: 'C:\\Windows\\system32\\svchost.exe',
  callTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4|c:\\windows\\system32\\seclogon.dll+1a8c',
  grantedAccess: '0x14c0',
  processIdentity: 'C:\\Program Files\\Sensor\\sensor.exe',
  userId: 'S-1-5-21-1-2-3-1104',
  hostId: 'host-1',
};

describe('assertStepIsSafe', () => {
  it.each([
    'svchost.exe',
    'SVCHOST.EXE',
    'C:\\Windows\\System32\\svchost.exe',
    'lsass.exe',
    'C:\\WINDOWS\\system32\\LSASS.exe',
    '"C:\\Windows\\System32\\lsass.exe"',
    '/mnt/c/Windows/System32/Lsass.Exe',
  ])('rejects suspending %s', (executable) => {
    expect(() =>
      assertStepIsSafe(request('suspend-process', { hostName: 'ws-042', executable })),
    ).toThrow(UnsafeResponseError);
  });

  it('rejects suspending a target without an executable', () => {
    expect(() => assertStepIsSafe(request('suspend-process', { hostName: 'ws-042' }))).toThrow(
      /names no executable/,
    );
  });

  it('allows suspending a recovered tool', () => {
    const target = {
      hostName: 'ws-042',
      executable: 'C:\\Users\\bob\\AppData\\Local\\Temp\\MalSecLogon.exe',
    };

    expect(() => assertStepIsSafe(request('suspend-process', target))).not.toThrow();
  });

  it.each(EXCEPTION_TUPLE_FIELDS)('rejects an exception without %s', (field) => {
    const target = { ...TUPLE, [field]: '' };

    expect(() => assertStepIsSafe(request('create-exception', target))).toThrow(
      new RegExp(`missing ${field}`),
    );
  });

  it('rejects an exception whose field is absent', () => {
    const { hostId: _hostId, ...target } = TUPLE;

    expect(() => assertStepIsSafe(request('create-exception', target))).toThrow(
      UnsafeResponseError,
    );
  });

  it('rejects an exception with a wildcard', () => {
    const target = { ...TUPLE, callTrace: '*seclogon.dll*' };

    expect(() => assertStepIsSafe(request('create-exception', target))).toThrow(/wildcard/);
  });

  it('rejects an exception on process.name alone', () => {
    const target = { 'process.name': 'svchost.exe' };

    expect(() => assertStepIsSafe(request('create-exception', target))).toThrow(
      /not part of the exception tuple/,
    );
  });

  it('allows an exception with the exact tuple', () => {
    expect(() => assertStepIsSafe(request('create-exception', TUPLE))).not.toThrow();
  });
});
