import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EvidenceIntegrityError } from '../errors';
import { canonicalJson, sha256Hex } from './canonical';

/** One item to preserve: a name unique within the alert and a JSON value. */
export interface EvidenceItem {
  name: string;
  content: unknown;
}

/** Record of one preserved item, as the preservation step stores it in history. */
export interface PreservedItem {
  name: string;
  /** Path of the stored file relative to the evidence root, with `/` separators. */
  file: string;
  /** Lower-case hex SHA-256 of the file's bytes, which are the item's canonical JSON. */
  sha256: string;
  bytes: number;
}

export type VerificationStatus = 'ok' | 'mismatch' | 'missing';

export interface ItemVerification extends PreservedItem {
  status: VerificationStatus;
  /** SHA-256 of the file as it is now; absent when the file is missing. */
  actualSha256?: string;
}

/**
 * Preserved evidence on local disk, one folder per alert under `root`
 * (`<root>/<alertId>/<name>.json`). Each file is written once and never overwritten.
 */
export class EvidenceStore {
  constructor(readonly root: string) {}

  /**
   * Writes each item as canonical JSON and returns its hash. A file that already exists with the
   * same bytes (a retried step) is kept. Throws `EvidenceIntegrityError` when it exists with other
   * bytes, because preserved evidence must never be replaced.
   */
  async preserve(alertId: string, items: EvidenceItem[]): Promise<PreservedItem[]> {
    const folder = safeSegment(alertId);
    await mkdir(path.join(this.root, folder), { recursive: true });
    const preserved: PreservedItem[] = [];
    for (const item of items) {
      const file = `${folder}/${safeSegment(item.name)}.json`;
      const bytes = Buffer.from(canonicalJson(item.content), 'utf8');
      await this.writeOnce(file, bytes);
      preserved.push({ name: item.name, file, sha256: sha256Hex(bytes), bytes: bytes.length });
    }
    return preserved;
  }

  /** Recomputes each item's hash from its file and compares it with the recorded one. */
  async verify(items: PreservedItem[]): Promise<ItemVerification[]> {
    const results: ItemVerification[] = [];
    for (const item of items) {
      const bytes = await this.read(item.file);
      if (bytes === undefined) {
        results.push({ ...item, status: 'missing' });
        continue;
      }
      const actualSha256 = sha256Hex(bytes);
      results.push({ ...item, status: actualSha256 === item.sha256 ? 'ok' : 'mismatch', actualSha256 });
    }
    return results;
  }

  /** Absolute path of a recorded item's file. */
  pathOf(file: string): string {
    const resolved = path.resolve(this.root, ...file.split('/'));
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) {
      throw new EvidenceIntegrityError(`evidence file '${file}' points outside ${this.root}`);
    }
    return resolved;
  }

  private async writeOnce(file: string, bytes: Buffer): Promise<void> {
    try {
      await writeFile(this.pathOf(file), bytes, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await this.read(file);
      if (existing === undefined || !existing.equals(bytes)) {
        throw new EvidenceIntegrityError(
          `preserved evidence ${this.pathOf(file)} already exists with different content; it is ` +
            'never overwritten. Compare it with the run history (soar audit --verify).',
        );
      }
    }
  }

  private async read(file: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** Returns the absolute evidence folder of a data folder: `<SOAR_DATA_DIR>/evidence`. */
export function evidenceRoot(config: { SOAR_DATA_DIR: string }): string {
  return path.resolve(config.SOAR_DATA_DIR, 'evidence');
}

/** Keeps a name usable as one path segment: letters, digits, dot, dash and underscore. */
function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned;
}
