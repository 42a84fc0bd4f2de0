import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type ReplayHistoriesIterable } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { connectClient } from '../temporal/connect';
import { runsQuery } from '../temporal/visibility-query';
import { WORKFLOWS_PATH, installRuntimeLogger } from '../temporal/worker';
import { printJsonLine, UsageError } from './io';
import { findAlertWorkflow } from './workflow-lookup';

async function withClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(loadConfig());
  try {
    return await run(client);
  } finally {
    await client.connection.close();
  }
}

/**
 * `soar export`: writes the history of one alert's run, or of every run a visibility query
 * matches, to `<out>/<workflowId>.json` in the SDK's `historyToJSON` form. Reports progress on
 * standard error and one JSON line per file on standard output.
 */
export async function runExport(
  target: { alert?: string; query?: string },
  outDir: string | undefined,
): Promise<number> {
  if (outDir === undefined) throw new UsageError('missing option --out <dir>');
  if ((target.alert === undefined) === (target.query === undefined)) {
    throw new UsageError('give either an alert id or --query <visibility query>, not both');
  }
  await mkdir(outDir, { recursive: true });
  return withClient(async (client) => {
    if (target.alert !== undefined) {
      const handle = await findAlertWorkflow(client, target.alert);
      await writeHistory(outDir, handle.workflowId, await handle.fetchHistory());
      return 0;
    }
    const query = target.query ?? runsQuery();
    const { count: total } = await client.workflow.count(query);
    let done = 0;
    for await (const { workflowId, history } of client.workflow.list({ query }).intoHistories()) {
      await writeHistory(outDir, workflowId, history);
      done += 1;
      process.stderr.write(`exported ${done}/${total} ${workflowId}\n`);
    }
    return 0;
  });
}

type History = Parameters<typeof historyToJSON>[0];

// The SDK types `intoHistories()` items as `History | unknown`; they are fetched `History` objects.
async function writeHistory(outDir: string, workflowId: string, history: unknown): Promise<void> {
  const events = (history as History).events ?? [];
  const file = path.join(outDir, `${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  await writeFile(file, `${historyToJSON(history as History)}\n`);
  printJsonLine({ workflowId, file, events: events.length });
}

/**
 * `soar replay`: replays histories against the current workflow code and prints one JSON line per
 * run with `deterministic` true or false. Reads JSON files when given, else the runs a visibility
 * query matches on the server (every run of the response workflow without `--query`). Returns 1
 * when any run fails to replay.
 */
export async function runReplay(files: string[], query: string | undefined): Promise<number> {
  if (files.length > 0 && query !== undefined) {
    throw new UsageError('give either history files or --query <visibility query>, not both');
  }
  installRuntimeLogger(createLogger('warn'));
  if (files.length > 0) return replayAll(historiesFromFiles(files));
  return withClient((client) => replayAll(client.workflow.list({ query: query ?? runsQuery() }).intoHistories()));
}

async function* historiesFromFiles(files: string[]): ReplayHistoriesIterable {
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(await readFile(file, 'utf8')));
    yield { workflowId: path.basename(file, '.json'), history };
  }
}

async function replayAll(histories: ReplayHistoriesIterable): Promise<number> {
  let failures = 0;
  let total = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
    total += 1;
    if (result.error !== undefined) failures += 1;
    printJsonLine({
      workflowId: result.workflowId,
      runId: result.runId,
      deterministic: result.error === undefined,
      ...(result.error ? { error: `${result.error.name}: ${result.error.message}` } : {}),
    });
  }
  process.stderr.write(`replayed ${total} runs: ${total - failures} deterministic, ${failures} non-deterministic\n`);
  return failures === 0 ? 0 : 1;
}
