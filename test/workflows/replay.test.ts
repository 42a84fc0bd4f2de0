/**
 * Replays the histories under test/fixtures/histories, which scripts/record-histories.ts recorded
 * with the product itself, against the current workflow code. A change that alters the commands a
 * recorded run issued, without `patched()`, fails here before it can break runs in flight.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { quietTemporalRuntime } from '../support/quiet-runtime';

quietTemporalRuntime();

const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');
/** Recorded by the workflow code from before the search-attribute upserts, started with AlertId. */
const PRE_UPSERT_HISTORY = path.join(HISTORIES_DIR, 'before-upserts-with-start-attributes', 'positive-contain.json');
const UNPATCHED_HELPER = path.resolve(__dirname, '..', 'fixtures', 'workflows', 'unpatched-search-attributes.ts');
const SEARCH_ATTRIBUTES_HELPER = path.resolve(__dirname, '..', '..', 'workflows', 'search-attributes.ts');

function historyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return historyFiles(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

function loadHistory(file: string): ReturnType<typeof historyFromJSON> {
  return historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
}

describe('recorded histories', () => {
  let workflowBundle: WorkflowBundle;

  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  });

  const files = historyFiles(HISTORIES_DIR);

  it('include the three recorded scenarios and the pre-upsert runs', () => {
    const names = files.map((file) => path.relative(HISTORIES_DIR, file)).sort();

    expect(names).toContain('positive-contain.json');
    expect(names).toContain('positive-deadline.json');
    expect(names).toContain('missing-telemetry-preserve.json');
    expect(names).toContain(path.join('before-search-attributes', 'positive-contain.json'));
    expect(names).toContain(path.join('before-upserts-with-start-attributes', 'positive-contain.json'));
  });

  it.each(files.map((file) => [path.relative(HISTORIES_DIR, file), file]))(
    'replays %s deterministically',
    async (_name, file) => {
      const replay = Worker.runReplayHistory({ workflowBundle }, loadHistory(file), path.basename(file, '.json'));

      await expect(replay).resolves.toBeUndefined();
    },
  );
});

describe('search-attribute patch', () => {
  it('keeps a run recorded before the upserts replayable', async () => {
    const history = loadHistory(PRE_UPSERT_HISTORY);

    const replay = Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, 'pre-upsert');

    await expect(replay).resolves.toBeUndefined();
  });

  it('is needed: the same history fails without patched()', async () => {
    const unpatched = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => {
        // The SDK's own aliases (payload converter, failure converter) stay in place.
        const alias = { ...(config.resolve?.alias as Record<string, string>), [SEARCH_ATTRIBUTES_HELPER]: UNPATCHED_HELPER };
        config.resolve = { ...config.resolve, alias };
        return config;
      },
    });

    const replay = Worker.runReplayHistory({ workflowBundle: unpatched }, loadHistory(PRE_UPSERT_HISTORY), 'pre-upsert');

    await expect(replay).rejects.toThrow(/[Nn]ondeterminism/);
  });
});
