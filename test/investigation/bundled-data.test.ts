import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert/alert';
import { normaliseDocument } from '../../src/alert/normalise';
import { investigateOffline } from '../../src/investigation/investigate';
import { loadAssetInventory, matchRecognisedTooling } from '../../src/investigation/inventory';
import { EmbeddedTelemetrySource } from '../../src/telemetry/embedded';
import { makeAlert } from './builders';

const DATA = path.resolve(__dirname, '..', '..', 'data');

function readAlert(name: string): Alert {
  const result = normaliseDocument(
    JSON.parse(readFileSync(path.join(DATA, 'alerts', name), 'utf8')) as unknown,
  );
  if (!result.ok)
    throw new Error(`bundled alert ${name} is invalid: ${JSON.stringify(result.issues)}`);
  return result.alert;
}

async function investigate(name: string) {
  const source = await EmbeddedTelemetrySource.fromDirectory(path.join(DATA, 'telemetry'));
  const inventory = await loadAssetInventory(path.join(DATA, 'asset-inventory.json'));
  return investigateOffline(readAlert(name), source, inventory);
}

function kinds(result: Awaited<ReturnType<typeof investigate>>, question: string): string[] {
  return result.answers
    .filter((answer) => answer.question === question)
    .flatMap((answer) => answer.findings.map((finding) => finding.kind));
}

describe('investigateOffline on the bundled dataset', () => {
  it('escalates the positive MalSecLogon alert', async () => {
    const result = await investigate('positive-malseclogon.json');

    expect(result.verdict.kind).toBe('escalate');
    expect(result.allowedActions).toEqual(['preserve', 'contain', 'isolate']);
    expect(kinds(result, 'Q1')).toContain('malseclogon-tuple');
    expect(kinds(result, 'Q2')).toEqual(
      expect.arrayContaining([
        'seclogon-service-host',
        'ppid-spoofed-to-lsass',
        'targets-lsass-pid',
      ]),
    );
    expect(kinds(result, 'Q4')).toContain('lsass-clone');
    expect(kinds(result, 'Q6')).toContain('logon-type-9');
    expect(kinds(result, 'Q5')).toContain('ordinary-host');
  });

  it('reports the near-miss tuple as incomplete', async () => {
    const result = await investigate('near-miss-seclogon.json');

    expect(kinds(result, 'Q1')).toContain('tuple-incomplete');
    expect(kinds(result, 'Q5')).toContain('privileged-host');
  });

  it('never clears the alert on a host without telemetry', async () => {
    const result = await investigate('missing-telemetry.json');

    const coverage = Object.fromEntries(
      result.answers.map((answer) => [answer.question, answer.coverage]),
    );
    expect(coverage.Q2).toBe('absent');
    expect(coverage.Q4).toBe('absent');
    expect(coverage.Q6).toBe('absent');
    expect(result.verdict.kind).not.toBe('benign');
    expect(
      result.verdict.reasons
        .filter((reason) => reason.effect === 'unresolved')
        .map((reason) => reason.question),
    ).toEqual(expect.arrayContaining(['Q2', 'Q4', 'Q6']));
  });

  it('produces JSON-ready output', async () => {
    const result = await investigate('positive-malseclogon.json');

    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('sample asset inventory', () => {
  it('validates and matches nothing in the bundled alerts', async () => {
    const inventory = await loadAssetInventory(path.join(DATA, 'asset-inventory.json'));

    for (const name of [
      'positive-malseclogon.json',
      'near-miss-seclogon.json',
      'missing-telemetry.json',
    ]) {
      expect(matchRecognisedTooling(inventory, readAlert(name))).toEqual([]);
    }
  });
});

describe('matchRecognisedTooling', () => {
  const alert = makeAlert();
  const entry = {
    id: 'edr-1',
    kind: 'security-product' as const,
    description: 'EDR credential-protection check',
    tuple: {
      sourceImage: 'c:\\windows\\system32\\svchost.exe',
      callTrace: alert.access.callTrace ?? '',
      grantedAccess: '0x14c0',
    },
    processExecutable: 'C:\\Program Files\\EDR\\edr.exe',
    host: { name: 'MSEDGEWIN10.lab.local', id: 'host-id-1' },
    userId: 's-1-5-21-1-2-3-1000',
  };
  const inventory = { hosts: [], accounts: [], privilegedGroups: [], recognisedTooling: [entry] };

  it('matches the exact tuple, host and user', () => {
    expect(matchRecognisedTooling(inventory, alert).map((item) => item.id)).toEqual(['edr-1']);
  });

  it('rejects another call trace', () => {
    const other = makeAlert({
      access: { ...alert.access, callTrace: 'c:\\windows\\system32\\seclogon.dll+1278' },
    });

    expect(matchRecognisedTooling(inventory, other)).toEqual([]);
  });

  it('rejects another host id', () => {
    expect(
      matchRecognisedTooling(
        inventory,
        makeAlert({ host: { id: 'host-id-2', name: 'msedgewin10' } }),
      ),
    ).toEqual([]);
  });

  it.each(['0x000014C0', '0x14C0', '0x000014c0', '0x14c0 '])(
    'rejects an entry whose access mask is %j',
    (mask) => {
      const padded = {
        ...inventory,
        recognisedTooling: [{ ...entry, tuple: { ...entry.tuple, grantedAccess: mask } }],
      };

      expect(matchRecognisedTooling(padded, alert)).toEqual([]);
    },
  );

  it('rejects an alert whose access mask is upper case', () => {
    const upper = makeAlert({ access: { ...alert.access, grantedAccess: '0x14C0' } });

    expect(matchRecognisedTooling(inventory, upper)).toEqual([]);
  });

  it('matches a GUID host id with or without braces in any case', () => {
    const guid = '6f1c2a0e-4b7d-4e8a-9c31-52d0a7e4b9f3';
    const braced = {
      ...inventory,
      recognisedTooling: [{ ...entry, host: { ...entry.host, id: `{${guid.toUpperCase()}}` } }],
    };
    const bare = makeAlert({ host: { id: guid, name: 'msedgewin10' } });

    expect(matchRecognisedTooling(braced, bare).map((item) => item.id)).toEqual(['edr-1']);
  });

  it('rejects an alert outside the validity window', () => {
    const expired = {
      ...inventory,
      recognisedTooling: [{ ...entry, validUntil: '2021-01-01T00:00:00Z' }],
    };

    expect(matchRecognisedTooling(expired, alert)).toEqual([]);
  });
});
