/**
 * A local OpenSearch 2.19 node for exercising the Elasticsearch telemetry source against a real
 * search engine. The node is the Maven project in tools/opensearch: `npm run setup` builds it
 * once (`buildNode`), and `startNode` runs it from the built jar and the classpath file without
 * Maven, so nothing is downloaded when tests run. scripts/opensearch-data.ts creates the ECS
 * index templates and bulk-loads documents into the indices that the telemetry source searches.
 *
 * Usage: tsx scripts/opensearch.ts build
 *        tsx scripts/opensearch.ts start [--port N] [--load]
 *   `start` runs a node until Ctrl-C; `--load` loads the bundled telemetry and alerts first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createTemplates,
  loadDocuments,
  readBundledAlerts,
  readBundledTelemetry,
} from './opensearch-data';

export const NODE_PROJECT_DIR = path.resolve(__dirname, '..', 'tools', 'opensearch');
const NODE_JAR = path.join(NODE_PROJECT_DIR, 'target', 'loopback-node.jar');
const CLASSPATH_FILE = path.join(NODE_PROJECT_DIR, 'target', 'classpath.txt');
const MAIN_CLASS = 'responder.opensearch.LoopbackNode';

/** The command that builds the node; setup runs it, and error messages quote it. */
export const BUILD_COMMAND = 'mvn -B -q -f tools/opensearch/pom.xml package';

/**
 * JVM options. The heap stays small because the node contains about a hundred documents, and the
 * serial collector keeps GC threads from competing with the rest of the suite on two cores.
 */
const JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC'];

/** @default 90_000, the time a cold JVM needs on two busy cores with some room to spare. */
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export class OpenSearchNodeError extends Error {}

/**
 * True when the jar and the classpath file exist, are newer than the project's sources, and
 * every jar on the classpath is still in the local Maven repository.
 */
export function isNodeBuilt(): boolean {
  if (!existsSync(NODE_JAR) || !existsSync(CLASSPATH_FILE)) return false;
  const builtAtMs = Math.min(statSync(NODE_JAR).mtimeMs, statSync(CLASSPATH_FILE).mtimeMs);
  const sources = [path.join(NODE_PROJECT_DIR, 'pom.xml'), ...javaSources()];
  if (sources.some((file) => statSync(file).mtimeMs > builtAtMs)) return false;
  return readClasspath().every((entry) => existsSync(entry));
}

function javaSources(): string[] {
  const root = path.join(NODE_PROJECT_DIR, 'src', 'main', 'java');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.java'))
    .map((name) => path.join(root, name));
}

function readClasspath(): string[] {
  return readFileSync(CLASSPATH_FILE, 'utf8')
    .trim()
    .split(path.delimiter)
    .filter((entry) => entry !== '');
}

/**
 * Builds the node with Maven, which downloads OpenSearch and its dependencies from Maven
 * Central into the local repository (~/.m2) on the first run. Throws `OpenSearchNodeError`
 * when Maven is missing or the build fails.
 */
export function buildNode(): void {
  const pom = path.join(NODE_PROJECT_DIR, 'pom.xml');
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', pom, 'package'];
  const result = spawnSync('mvn', args, { stdio: 'inherit' });
  if (result.error !== undefined || result.status !== 0) {
    const cause = result.error?.message ?? `mvn exited with code ${result.status}`;
    throw new OpenSearchNodeError(
      `building the OpenSearch node failed (${cause}). It needs Java 17 and Maven 3.8 or later ` +
        `and access to Maven Central; run: ${BUILD_COMMAND}`,
    );
  }
  if (!isNodeBuilt()) {
    throw new OpenSearchNodeError(
      `Maven finished but ${NODE_JAR} or ${CLASSPATH_FILE} is missing. Run: ${BUILD_COMMAND}`,
    );
  }
}

/** A node started by `startNode`. */
export interface RunningNode {
  /** Base URL of the HTTP API, `http://127.0.0.1:PORT`. */
  url: string;
  pid: number;
  /** Stops the node and deletes its data folder; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** HTTP port; 0 lets the operating system pick a free one. @default 0 */
  port?: number;
  /** @default DEFAULT_START_TIMEOUT_MS */
  startTimeoutMs?: number;
}

/**
 * Starts a single-node cluster bound to 127.0.0.1, with its data in a new temporary folder, and
 * resolves once the cluster health is at least yellow. The node exits when this process closes
 * its stdin, so it does not outlive a parent that dies. Throws `OpenSearchNodeError` when the
 * node is not built, exits early or is not ready in time; the message ends with the node's
 * last output lines.
 */
export async function startNode(options: StartOptions = {}): Promise<RunningNode> {
  if (!isNodeBuilt()) {
    throw new OpenSearchNodeError(`the OpenSearch node is not built. Run: npm run setup`);
  }
  const home = mkdtempSync(path.join(tmpdir(), 'opensearch-node-'));
  const classpath = [NODE_JAR, ...readClasspath()].join(path.delimiter);
  const args = [
    ...JVM_OPTIONS,
    `-Djava.io.tmpdir=${home}`,
    '-cp',
    classpath,
    MAIN_CLASS,
    path.join(home, 'node'),
    String(options.port ?? 0),
  ];
  const child = spawn(javaExecutable(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const stop = onceOnly(() => stopChild(child, home));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const url = await waitForListening(child, output, startTimeoutMs);
    await waitForYellow(url);
    return {
      url,
      pid: child.pid ?? -1,
      stop: async () => {
        process.removeListener('exit', killOnExit);
        await stop();
      },
    };
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new OpenSearchNodeError(`${message}\n${output.tail()}`, { cause: error });
  }
}

function javaExecutable(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome === undefined || javaHome === '' ? 'java' : path.join(javaHome, 'bin', 'java');
}

interface NodeOutput {
  lines: string[];
  tail(): string;
}

/** Keeps the last lines of the node's stdout and stderr for error messages. */
function collectOutput(child: ChildProcess): NodeOutput {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    lines,
    tail: () => `last node output:\n${lines.slice(-30).join('\n') || '(none)'}`,
  };
}

async function waitForListening(
  child: ChildProcess,
  output: NodeOutput,
  timeoutMs: number,
): Promise<string> {
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = output.lines.find((candidate) => candidate.startsWith('listening http://'));
    if (line !== undefined) return line.slice('listening '.length).trim();
    if (spawnError !== undefined) {
      throw new OpenSearchNodeError(`starting ${javaExecutable()} failed: ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new OpenSearchNodeError(
        `the OpenSearch node exited during start-up (${child.exitCode ?? child.signalCode})`,
      );
    }
    if (Date.now() > deadline) {
      throw new OpenSearchNodeError(`the OpenSearch node did not start within ${timeoutMs} ms`);
    }
    await delay(100);
  }
}

async function waitForYellow(url: string): Promise<void> {
  const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=30s`, {
    signal: AbortSignal.timeout(35_000),
  });
  const body = (await response.json()) as { status?: string; timed_out?: boolean };
  if (!response.ok || body.timed_out === true) {
    throw new OpenSearchNodeError(
      `cluster health did not reach yellow in 30 s ` +
        `(HTTP ${response.status}, status ${body.status})`,
    );
  }
}

/** Closes the node's stdin, waits for it to exit, and kills it if it does not in time. */
async function stopChild(child: ChildProcess, home: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.stdin?.end();
    await exited;
    clearTimeout(killTimer);
  }
  rmSync(home, { recursive: true, force: true });
}

function onceOnly(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'build') {
    buildNode();
    return;
  }
  if (command !== 'start') {
    throw new OpenSearchNodeError(
      'usage: tsx scripts/opensearch.ts build | start [--port N] [--load]',
    );
  }
  const portIndex = rest.indexOf('--port');
  const port = portIndex >= 0 ? Number(rest[portIndex + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    const portText = rest[portIndex + 1];
    throw new OpenSearchNodeError(`--port must be an integer from 0 to 65535, got ${portText}`);
  }
  const node = await startNode({ port });
  if (rest.includes('--load')) {
    await createTemplates(node.url);
    await loadDocuments(node.url, [...readBundledTelemetry(), ...readBundledAlerts()]);
  }
  process.stdout.write(`opensearch: ${node.url} (pid ${node.pid}); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await node.stop();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`opensearch failed: ${message}\n`);
    process.exitCode = 1;
  });
}
