import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_ID_PREFIX } from '../../src/constants';
import { readField } from '../../src/alert/fields';
import { isSameGuid, normaliseGuid, normaliseHexId } from '../../src/alert/identifiers';
import { workflowIdFor } from '../../src/alert/identity';
import { normaliseDocument } from '../../src/alert/normalise';
import { findRecord, readPublicRecords } from '../ecs/public-data';

const POSITIVE = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '..', '..', 'data', 'alerts', 'positive-malseclogon.json'),
    'utf8',
  ),
) as Record<string, unknown>;

function alertOf(doc: unknown) {
  const result = normaliseDocument(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.alert;
}

function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out[prefix] = value;
    return out;
  }
  for (const [key, item] of Object.entries(value))
    flatten(item, prefix === '' ? key : `${prefix}.${key}`, out);
  return out;
}

describe('alert identity', () => {
  it('uses kibana.alert.uuid when present', () => {
    const alert = alertOf(POSITIVE);

    expect(alert.alertId).toBe(readField(POSITIVE, 'kibana.alert.uuid'));
    expect(alert.identitySource).toBe('kibana.alert.uuid');
    expect(workflowIdFor(alert)).toBe(`${WORKFLOW_ID_PREFIX}${alert.alertId}`);
  });

  it('matches nested and dotted deliveries', () => {
    const nested = alertOf(POSITIVE);
    const dotted = alertOf(flatten(POSITIVE));

    expect(workflowIdFor(dotted)).toBe(workflowIdFor(nested));
  });

  it('matches two deliveries of one event', () => {
    const records = readPublicRecords('evtx-attack-samples/tutto_malseclogon.ndjson');
    const record = findRecord(records, (r) => r.EventRecordID === '619520');

    const first = alertOf(record);
    const second = alertOf(structuredClone(record));

    expect(first.identitySource).toBe('source-event');
    expect(workflowIdFor(second)).toBe(workflowIdFor(first));
  });

  it('ignores GUID case and braces in the source event identity', () => {
    const records = readPublicRecords('evtx-attack-samples/tutto_malseclogon.ndjson');
    const record = findRecord(records, (r) => r.EventRecordID === '619520');
    const data = record.EventData as Record<string, unknown>;
    const variant = {
      ...record,
      EventData: { ...data, SourceProcessGUID: '747f3d96-9acd-61af-d501-000000000102' },
    };

    expect(alertOf(variant).alertId).toBe(alertOf(record).alertId);
  });

  it('gives different ids to different source events', () => {
    const records = readPublicRecords('evtx-attack-samples/tutto_malseclogon.ndjson');

    const a = alertOf(findRecord(records, (r) => r.EventRecordID === '619519'));
    const b = alertOf(findRecord(records, (r) => r.EventRecordID === '619520'));

    expect(a.alertId).not.toBe(b.alertId);
  });

  it('keeps workflow ids to safe characters', () => {
    const id = workflowIdFor({ alertId: 'a/b c{d}' });

    expect(id).toMatch(/^malseclogon-h-[0-9a-f]{32}$/);
    expect(workflowIdFor({ alertId: 'a_b c{d}' })).not.toBe(id);
  });
});

describe('identifier normalisers', () => {
  it('stores GUIDs lower case with braces', () => {
    expect(normaliseGuid('747F3D96-9ACD-61AF-D401-000000000102')).toBe(
      '{747f3d96-9acd-61af-d401-000000000102}',
    );
    expect(normaliseGuid('not a guid')).toBeUndefined();
  });

  it('compares GUIDs with or without braces in any case', () => {
    expect(
      isSameGuid('{747F3D96-9ACD-61AF-D401-000000000102}', '747f3d96-9acd-61af-d401-000000000102'),
    ).toBe(true);
    expect(
      isSameGuid(
        '{747F3D96-9ACD-61AF-D401-000000000102}',
        '{747f3d96-9acd-61af-d501-000000000102}',
      ),
    ).toBe(false);
  });

  it('compares logon ids as numbers', () => {
    expect(normaliseHexId('0x00000000016e3db3')).toBe('0x16e3db3');
    expect(normaliseHexId('0x16E3DB3')).toBe('0x16e3db3');
  });
});
