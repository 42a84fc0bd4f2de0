/**
 * Builds the bundled dataset: converts every record of the public telemetry folder to ECS,
 * replaces personal details, and writes data/telemetry/<dataset>.ndjson plus the derived alerts
 * under data/alerts/. Usage: `npm run build:dataset [-- <public-telemetry-dir>]`; the default
 * folder is ../shared/data/public relative to the repository root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isRecord, type JsonRecord } from '../src/alert/fields';
import { toEcs, type EcsDocument } from '../src/ecs';
import {
  buildDerivedAccessEvent,
  buildMissingTelemetryAlert,
  buildPositiveAlert,
} from './dataset/derived-alerts';

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_SOURCE_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'public');

/** Output folders, relative to the repository root. */
export const DATASET_PATHS = {
  telemetryDir: path.join('data', 'telemetry'),
  alertsDir: path.join('data', 'alerts'),
  positiveAlert: path.join('data', 'alerts', 'positive-malseclogon.json'),
  nearMissEvent: path.join('data', 'alerts', 'near-miss-seclogon.json'),
  missingTelemetryAlert: path.join('data', 'alerts', 'missing-telemetry.json'),
} as const;

/** One source file of the public folder and the dataset name it is written under. */
interface SourceFile {
  relativePath: string;
  dataset: string;
}

const SOURCE_FILES: SourceFile[] = [
  ['evtx-attack-samples/tutto_malseclogon.ndjson', 'tutto_malseclogon'],
  [
    'otrf-security-datasets/empire_mimikatz_opth.winlogbeat-6.5.4.subset.ndjson',
    'empire_mimikatz_opth',
  ],
  [
    'otrf-security-datasets/empire_invoke_runas.winlogbeat-6.7.0.subset.ndjson',
    'empire_invoke_runas',
  ],
  [
    'otrf-security-datasets/empire_shell_rubeus_asktgt_createnetonly.mordor-flat.subset.ndjson',
    'empire_shell_rubeus_asktgt_createnetonly',
  ],
  [
    'otrf-security-datasets/LSASS_campaign_01_seclogon_nearmiss.mordor-flat.subset.ndjson',
    'lsass_campaign_01_seclogon_nearmiss',
  ],
  [
    'otrf-security-datasets/psh_lsass_memory_dump_comsvcs.mordor-flat.subset.ndjson',
    'psh_lsass_memory_dump_comsvcs',
  ],
  [
    'otrf-security-datasets/cmd_lsass_memory_dumpert_syscalls.mordor-flat.subset.ndjson',
    'cmd_lsass_memory_dumpert_syscalls',
  ],
  [
    'otrf-security-datasets/rdp_interactive_taskmanager_lsass_dump.mordor-nxlog.subset.ndjson',
    'rdp_interactive_taskmanager_lsass_dump',
  ],
  [
    'otrf-security-datasets/LSASS_campaign_02_procdump.mordor-flat.subset.ndjson',
    'lsass_campaign_02_procdump',
  ],
  [
    'otrf-security-datasets/LSASS_campaign_07_nanodump.mordor-flat.subset.ndjson',
    'lsass_campaign_07_nanodump',
  ],
  [
    'evtx-to-mitre-attack/ID4688-4648-4624-Runas_execution_with_different_user.ndjson',
    'runas_execution_with_different_user',
  ],
  ['evtx-to-mitre-attack/ID4648-4624-RunAsCS_login.ndjson', 'runascs_login'],
  [
    'elastic-ecs-shapes/integrations.windows.sysmon_operational.sample_event.json',
    'elastic_agent_sysmon_sample_event',
  ],
  [
    'elastic-ecs-shapes/beats.winlogbeat.security.4624-interactive.record-1542.json',
    'winlogbeat_security_4624_interactive',
  ],
].map(([relativePath, dataset]) => ({
  relativePath: String(relativePath),
  dataset: String(dataset),
}));

/**
 * Personal and identifying values of the public recordings and their replacements, matched
 * case-insensitively in every string written. Longer originals come first so that no shorter
 * one matches inside them. A test reads this list to check that no original survives in data/.
 */
export const PSEUDONYMS: readonly { original: string; replacement: string }[] = [
  // The researcher's Windows profile and VirtualBox share folder in the MalSecLogon image paths.
  { original: 'bouss', replacement: 'analyst' },
  // Lab account names.
  { original: 'pedro.gustavo', replacement: 'lab.user1' },
  { original: 'stevie.marie', replacement: 'lab.user2' },
  { original: 'nora.quemona', replacement: 'lab.user3' },
  { original: 'pgustavo', replacement: 'labuser1' },
  { original: 'nmartha', replacement: 'labuser4' },
  { original: 'sbeavers', replacement: 'labuser5' },
  { original: 'wardog', replacement: 'labadmin' },
  { original: 'Mmidge', replacement: 'labuser6' },
  { original: 'admmig', replacement: 'labadmin2' },
  { original: 'hack1', replacement: 'labuser7' },
  { original: 'test10', replacement: 'labuser8' },
  // Lab AD domains that are also registered Internet domains (one a real company's).
  { original: 'shire.com', replacement: 'shire.example' },
  { original: 'pandalab.com', replacement: 'pandalab.example' },
  // NT hash of a lab account in the Rubeus command line; the placeholder keeps its 32 characters.
  { original: '81d310fa34e6a56a31145445891bb7b8', replacement: '0'.repeat(32) },
  // Public IPv4 address of the RDP source; 203.0.113.0/24 is reserved for documentation.
  { original: '1.2.3.4', replacement: '203.0.113.4' },
];

const PSEUDONYM_PATTERNS = PSEUDONYMS.map(({ original, replacement }) => {
  const escaped = escapeRegExp(original);
  // Digits and dots around an IP address make it a different address, so they bound one.
  const isAddress = /^[0-9.]+$/.test(original);
  const source = isAddress ? `(?<![0-9.])${escaped}(?![0-9])` : escaped;
  return { pattern: new RegExp(source, 'gi'), replacement };
});

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Replaces every PSEUDONYMS original in every string of a JSON value, keys included. Pure. */
export function pseudonymise(value: unknown): unknown {
  if (typeof value === 'string') {
    return PSEUDONYM_PATTERNS.reduce(
      (text, { pattern, replacement }) => text.replace(pattern, replacement),
      value,
    );
  }
  if (Array.isArray(value)) return value.map(pseudonymise);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [String(pseudonymise(key)), pseudonymise(item)]),
  );
}

function readRecords(file: string): JsonRecord[] {
  const text = fs.readFileSync(file, 'utf8');
  const values: unknown[] = file.endsWith('.ndjson')
    ? text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line): unknown => JSON.parse(line))
    : [JSON.parse(text)];
  return values.map((value, index) => {
    if (!isRecord(value)) throw new Error(`${file}: record ${index + 1} is not a JSON object`);
    return value;
  });
}

function convertFile(records: JsonRecord[], dataset: string): EcsDocument[] {
  return records.map((record, index) => {
    const ecs = toEcs(record, { dataset });
    const labels = isRecord(ecs.labels) ? ecs.labels : {};
    // Some Mordor files carry no record number; the line keeps each record addressable.
    ecs.labels = { ...labels, source_line: index + 1 };
    return ecs;
  });
}

function writeJson(relativePath: string, value: unknown): void {
  fs.writeFileSync(
    path.join(REPO_ROOT, relativePath),
    `${JSON.stringify(pseudonymise(value), null, 2)}\n`,
  );
}

function writeNdjson(relativePath: string, documents: unknown[]): void {
  const lines = documents.map((doc) => JSON.stringify(pseudonymise(doc)));
  fs.writeFileSync(path.join(REPO_ROOT, relativePath), `${lines.join('\n')}\n`);
}

/** Inserts the derived event after record 619517, so the file stays in time order. */
function withDerivedEvent(documents: EcsDocument[], derived: EcsDocument): EcsDocument[] {
  const at = documents.findIndex(
    (doc) => isRecord(doc.winlog) && doc.winlog.record_id === '619517',
  );
  if (at < 0) throw new Error('tutto_malseclogon record 619517 not found');
  return [...documents.slice(0, at + 1), derived, ...documents.slice(at + 1)];
}

/** Builds every output file. Throws when a source file is missing or a record fits no shape. */
export function buildDataset(sourceDir: string): void {
  fs.mkdirSync(path.join(REPO_ROOT, DATASET_PATHS.telemetryDir), { recursive: true });
  fs.mkdirSync(path.join(REPO_ROOT, DATASET_PATHS.alertsDir), { recursive: true });
  let derived: EcsDocument | undefined;
  let nearMiss: EcsDocument | undefined;

  for (const source of SOURCE_FILES) {
    const records = readRecords(path.join(sourceDir, source.relativePath));
    let documents = convertFile(records, source.dataset);
    if (source.dataset === 'tutto_malseclogon') {
      derived = buildDerivedAccessEvent(records, source.dataset);
      documents = withDerivedEvent(documents, derived);
    }
    if (source.dataset === 'empire_mimikatz_opth') {
      nearMiss = documents.find(
        (doc) => isRecord(doc.winlog) && doc.winlog.record_id === '3325364',
      );
    }
    writeNdjson(path.join(DATASET_PATHS.telemetryDir, `${source.dataset}.ndjson`), documents);
  }

  if (derived === undefined || nearMiss === undefined)
    throw new Error('derived or near-miss source missing');
  writeJson(DATASET_PATHS.positiveAlert, buildPositiveAlert(derived));
  writeJson(DATASET_PATHS.nearMissEvent, nearMiss);
  writeJson(DATASET_PATHS.missingTelemetryAlert, buildMissingTelemetryAlert());
}

if (require.main === module) {
  const sourceDir = path.resolve(process.argv[2] ?? DEFAULT_SOURCE_DIR);
  try {
    buildDataset(sourceDir);
    process.stdout.write(`dataset written to data/ from ${sourceDir}\n`);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
