/**
 * Response invariants over generated alerts, answers and decisions: an exception names the exact
 * six-field tuple without wildcards, and a suspension never targets svchost.exe or lsass.exe.
 * The checks here are written independently of `src/response/safety.ts`, so that they also test
 * `assertStepIsSafe`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert/alert';
import { UnsafeResponseError } from '../../src/errors';
import type { Answer, Finding, QuestionId } from '../../src/investigation/types';
import { planResponse, skipReasonOf } from '../../src/response/plan';
import { assertStepIsSafe } from '../../src/response/safety';
import { ACTIONS, type Decision, type StepRequest } from '../../src/response/types';

const TUPLE_FIELDS = [
  'sourceImage',
  'callTrace',
  'grantedAccess',
  'processIdentity',
  'userId',
  'hostId',
];
const NEVER_SUSPENDED = ['svchost.exe', 'lsass.exe'];

/** svchost.exe or lsass.exe in a random letter case, behind the paths Windows and Sysmon write. */
const protectedExecutable = fc
  .record({
    name: fc.constantFrom(...NEVER_SUSPENDED),
    upper: fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }),
    prefix: fc.constantFrom(
      '',
      'C:\\Windows\\System32\\',
      'c:\\windows\\system32\\',
      'C:\\WINDOWS\\SysWOW64\\',
      '\\Device\\HarddiskVolume2\\Windows\\System32\\',
      '\\\\?\\C:\\Windows\\System32\\',
      'C:/Windows/System32/',
      'D:\\Temp\\',
    ),
    quoted: fc.boolean(),
  })
  .map(({ name, upper, prefix, quoted }) => {
    const cased = [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('');
    return quoted ? `"${prefix}${cased}"` : `${prefix}${cased}`;
  });

const toolExecutable = fc.constantFrom(
  'C:\\Users\\Public\\MalSeclogon.exe',
  'C:\\Tools\\procdump64.exe',
  'C:\\ProgramData\\x\\rubeus.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
);

const wildcardText = fc.constantFrom('*', 'C:\\Tools\\*.exe', 'svc?ost.exe', '*seclogon*');

/** A subject as Q2 findings carry it: an executable, a tooling id, or something broken. */
const subject = fc.option(
  fc.oneof(
    protectedExecutable,
    toolExecutable,
    wildcardText,
    fc.constantFrom('edr-1', '', '   '),
    fc.string({ maxLength: 12 }),
  ),
  { nil: undefined },
);

/** Generates a tuple field value: the real one, missing, blank or with a wildcard. */
function fieldValue(real: string) {
  return fc.oneof(
    fc.constant(real),
    fc.constant(undefined),
    fc.constantFrom('', '  '),
    wildcardText,
  );
}

const alertArbitrary: fc.Arbitrary<Alert> = fc
  .record({
    sourceImage: fieldValue('C:\\Windows\\system32\\svchost.exe'),
    callTrace: fieldValue(
      'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|c:\\windows\\system32\\seclogon.dll+128f',
    ),
    grantedAccess: fieldValue('0x14c0'),
    userId: fieldValue('S-1-5-21-1-2-3-1000'),
    hostId: fieldValue('6f1c2a0e-4b7d-4e8a-9c31-52d0a7e4b9f3'),
  })
  .map((fields) => ({
    alertId: 'alert-1',
    identitySource: 'kibana.alert.uuid',
    shape: 'elastic-alert',
    timestamp: '2021-12-07T17:33:01.600Z',
    host: { name: 'ws-042', ...(fields.hostId === undefined ? {} : { id: fields.hostId }) },
    user: fields.userId === undefined ? {} : { id: fields.userId },
    rule: {},
    access: {
      sourceImage: fields.sourceImage,
      callTrace: fields.callTrace,
      grantedAccess: fields.grantedAccess,
      sourceProcessGuid: '{747f3d96-9acd-61af-d401-000000000102}',
    },
  }));

const findingArbitrary: fc.Arbitrary<Finding> = fc
  .record({
    kind: fc.constantFrom(
      'recognised-initiator',
      'seclogon-caller',
      'seclogon-service-host',
      'lsass-clone',
      'child-of-lsass',
      'dump-utility',
      'first-seen-binary',
      'lsass-access',
    ),
    isSuspicious: fc.boolean(),
    subject,
  })
  .map(({ kind, isSuspicious, subject: value }) => ({
    kind,
    summary: `${kind} seen`,
    isSuspicious,
    fields: ['process.executable'],
    recordIds: [`rec#${kind}`],
    ...(value === undefined ? {} : { subject: value }),
  }));

const answersArbitrary: fc.Arbitrary<Answer[]> = fc
  .array(
    fc.record({
      question: fc.constantFrom<QuestionId>('Q1', 'Q2', 'Q2', 'Q3', 'Q4', 'Q6'),
      coverage: fc.constantFrom('present' as const, 'absent' as const, 'failed' as const),
      findings: fc.array(findingArbitrary, { maxLength: 4 }),
    }),
    { maxLength: 6 },
  )
  .map((answers) => answers.map((answer) => ({ ...answer, querySummaries: [] })));

const decisionArbitrary: fc.Arbitrary<Decision> = fc
  .constantFrom(...ACTIONS)
  .map((action) => ({
    action,
    decidedBy: 'alice',
    decidedAt: '2021-12-07T18:00:00.000Z',
    channel: 'cli' as const,
  }));

/** The invariant on its own terms: which requests must never reach a connector. */
function violation(request: StepRequest): string | undefined {
  if (request.step === 'suspend-process' && skipReasonOf(request) === undefined) {
    const executable = (request.target.executable ?? '').trim().replace(/^"+|"+$/g, '');
    const name = executable.split(/[\\/]/).pop()?.toLowerCase() ?? '';
    if (executable === '') return 'suspension without an executable';
    if (NEVER_SUSPENDED.includes(name)) return `suspension of ${name}`;
  }
  if (request.step === 'create-exception') {
    const keys = Object.keys(request.target);
    const extra = keys.filter((key) => !TUPLE_FIELDS.includes(key));
    if (extra.length > 0) return `exception names ${extra.join(', ')}`;
    for (const field of TUPLE_FIELDS) {
      const value = request.target[field] ?? '';
      if (value.trim() === '') return `exception without ${field}`;
      if (/[*?]/.test(value)) return `exception with a wildcard in ${field}`;
    }
  }
  return undefined;
}

/** Runs assertStepIsSafe and reports whether it rejected the request as unsafe. */
function isRejected(request: StepRequest): boolean {
  try {
    assertStepIsSafe(request);
    return false;
  } catch (error) {
    if (error instanceof UnsafeResponseError) return true;
    throw error;
  }
}

describe('planResponse invariants', () => {
  it('never plans an exception without the exact six-field tuple', () => {
    fc.assert(
      fc.property(alertArbitrary, answersArbitrary, decisionArbitrary, (alert, answers, choice) => {
        const exceptions = planResponse(alert, answers, choice).filter(
          (request) => request.step === 'create-exception' && skipReasonOf(request) === undefined,
        );
        for (const request of exceptions) expect(violation(request)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('never plans a suspension of svchost.exe or lsass.exe', () => {
    fc.assert(
      fc.property(alertArbitrary, answersArbitrary, decisionArbitrary, (alert, answers, choice) => {
        const suspensions = planResponse(alert, answers, choice).filter(
          (request) => request.step === 'suspend-process',
        );
        for (const request of suspensions) expect(violation(request)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});

describe('assertStepIsSafe invariants', () => {
  it('rejects every unsafe step that planResponse produces', () => {
    fc.assert(
      fc.property(alertArbitrary, answersArbitrary, decisionArbitrary, (alert, answers, choice) => {
        for (const request of planResponse(alert, answers, choice)) {
          if (skipReasonOf(request) !== undefined) continue;
          if (violation(request) !== undefined) expect(isRejected(request)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a suspension of svchost.exe or lsass.exe in any case and path', () => {
    fc.assert(
      fc.property(protectedExecutable, (executable) => {
        const request: StepRequest = {
          step: 'suspend-process',
          target: { hostName: 'ws-042', executable },
          parameters: { reversible: true },
          idempotencyKey: 'alert-1:suspend-process',
        };
        expect(isRejected(request)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects an exception with a missing, blank or wildcard field', () => {
    const complete: Record<string, string> = {
      sourceImage: 'C:\\Windows\\system32\\svchost.exe',
      callTrace: 'c:\\windows\\system32\\seclogon.dll+128f',
      grantedAccess: '0x14c0',
      processIdentity: 'C:\\Program Files\\EDR\\edr.exe',
      userId: 'S-1-5-21-1-2-3-1000',
      hostId: 'host-1',
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...TUPLE_FIELDS),
        fc.oneof(fc.constant(undefined), fc.constantFrom('', ' ', '\t'), wildcardText),
        (field, value) => {
          const target = { ...complete };
          if (value === undefined) delete target[field];
          else target[field] = value;
          const request: StepRequest = {
            step: 'create-exception',
            target,
            parameters: {},
            idempotencyKey: 'alert-1:create-exception',
          };

          expect(violation(request)).toBeDefined();
          expect(isRejected(request)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts the complete exact tuple', () => {
    const request: StepRequest = {
      step: 'create-exception',
      target: {
        sourceImage: 'C:\\Windows\\system32\\svchost.exe',
        callTrace: 'c:\\windows\\system32\\seclogon.dll+128f',
        grantedAccess: '0x14c0',
        processIdentity: 'edr-1',
        userId: 'S-1-5-21-1-2-3-1000',
        hostId: 'host-1',
      },
      parameters: {},
      idempotencyKey: 'alert-1:create-exception',
    };

    expect(isRejected(request)).toBe(false);
  });
});
