/**
 * `soar list` filters, `soar audit` formats and `--verify`, `soar export` and `soar replay`, run
 * as the CLI process against the embedded stack: a local dev server started with the workflow's
 * search attributes, the worker with the bundled telemetry and the embedded connector keeping
 * preserved evidence under a temporary data folder. The HTML timeline is loaded in headless
 * Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditTimeline } from '../../src/audit/timeline';
import { loadConfig, type Config } from '../../src/config';
import { processBatch } from '../../src/intake/batch';
import { createLogger } from '../../src/logging';
import { findFreePort } from '../../src/net';
import { startStack, type Stack } from '../../src/stack';
import { responseSettings } from '../../src/temporal/connect';
import { startOrAttach } from '../../src/temporal/start';
import { decideUpdate, decisionAttemptRejectedSignal, stateQuery } from '../../workflows/messages';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHROMIUM = '/usr/bin/chromium';
const ANALYST = 'audit-analyst';
/** A rejected attempt's reason with markup, to check that every renderer escapes it. */
const MARKUP_REASON = '<script>alert(1)</script> & "quoted"';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('soar audit, list, export and replay', () => {
  let dataDir: string;
  let outDir: string;
  let config: Config;
  let stack: Stack | undefined;
  const runs: Record<'positive' | 'missing', { workflowId: string; alertId: string; host: string; user: string }> =
    {} as never;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'soar-audit-'));
    outDir = await mkdtemp(path.join(os.tmpdir(), 'soar-audit-out-'));
    config = loadConfig({
      SOAR_DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(await findFreePort()),
      TEMPORAL_UI_PORT: String(await findFreePort()),
      SOAR_APPROVERS: ANALYST,
      SOAR_TELEMETRY_DIR: path.join(ROOT, 'data', 'telemetry'),
      SOAR_ASSET_INVENTORY: path.join(ROOT, 'data', 'asset-inventory.json'),
      LOG_LEVEL: 'error',
    });
    stack = await startStack({ config, logger: createLogger('error') });
    runs.positive = await runAlert('positive-malseclogon.json', 'contain');
    runs.missing = await runAlert('missing-telemetry.json', 'preserve');
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  /** Starts the alert's run, records one rejected attempt, decides and waits for the result. */
  async function runAlert(file: string, action: 'contain' | 'preserve'): Promise<(typeof runs)['positive']> {
    const client = stack!.client;
    const body = await readFile(path.join(ROOT, 'data', 'alerts', file), 'utf8');
    const outcome = await processBatch(body, 'application/json', (alert) =>
      startOrAttach(client, { alert, settings: responseSettings(config) }),
    );
    const accepted = outcome.results[0];
    if (accepted?.status !== 'accepted') throw new Error(`${file} was not accepted`);
    const handle = client.workflow.getHandle(accepted.workflowId);
    const started = await handle.describe();
    const host = started.typedSearchAttributes.get({ name: 'Host', type: 'KEYWORD' }) ?? '';
    const user = started.typedSearchAttributes.get({ name: 'User', type: 'KEYWORD' }) ?? '';

    await waitForPhase(accepted.workflowId, 'awaiting-decision');
    await handle.signal(decisionAttemptRejectedSignal, {
      approver: 'intruder',
      action: 'isolate',
      channel: 'cli',
      attemptedAt: new Date().toISOString(),
      reason: MARKUP_REASON,
    });
    await handle.executeUpdate(decideUpdate, {
      args: [{ action, approver: ANALYST, comment: `audit test ${action}`, channel: 'cli' }],
      updateId: `audit-test:${accepted.workflowId}`,
    });
    await handle.result();
    return { workflowId: accepted.workflowId, alertId: accepted.alertId, host, user };
  }

  async function waitForPhase(workflowId: string, phase: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const state = await stack!.client.workflow.getHandle(workflowId).query(stateQuery);
      if (state.phase === phase) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${workflowId} did not reach ${phase} within 30 s`);
  }

  async function soar(...args: string[]): Promise<CliResult> {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_DEV_PORT: String(config.TEMPORAL_DEV_PORT),
      SOAR_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
    };
    try {
      const { stdout, stderr } = await promisify(execFile)(TSX, [path.join(ROOT, 'src', 'cli.ts'), ...args], {
        cwd: ROOT,
        env,
        maxBuffer: 32 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  function jsonLines(stdout: string): Record<string, unknown>[] {
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('lists runs by search attributes', async () => {
    const { positive, missing } = runs;

    const all = await soar('list', '--verdict', 'escalate', '--host', positive.host, '--state', 'done', '--decision', 'contain', '--user', positive.user);
    const preserved = await soar('list', '--decision', 'preserve', '--state', 'done');
    const quoted = await soar('list', '--host', `${positive.host}' OR Host != '`);

    expect(all.code).toBe(0);
    expect(jsonLines(all.stdout).map((row) => row.workflowId)).toEqual([positive.workflowId]);
    expect(jsonLines(all.stdout)[0]).toMatchObject({ verdict: 'escalate', decision: 'contain', state: 'done' });
    expect(jsonLines(preserved.stdout).map((row) => row.workflowId)).toEqual([missing.workflowId]);
    expect(quoted.code).toBe(0);
    expect(jsonLines(quoted.stdout)).toEqual([]);
  });

  it('prints the timeline as text and JSON', async () => {
    const text = await soar('audit', runs.positive.alertId);
    const json = await soar('audit', runs.positive.alertId, '--format', 'json');

    expect(text.stdout).toContain(`ALERT ${runs.positive.alertId}`);
    expect(text.stdout).toMatch(/Q4 coverage \w+.*; \d+ findings, \d+ suspicious, \d+ records/);
    expect(text.stdout).toContain('VERDICT escalate');
    expect(text.stdout).toContain(`ATTEMPT REJECTED isolate by intruder via cli`);
    expect(text.stdout).toMatch(new RegExp(`DECISION contain by ${ANALYST} via cli at .*: "audit test contain"`));
    expect(text.stdout).toMatch(/STEP preserve-evidence done/);
    expect(text.stdout).toMatch(/ {4}alert {2}\S+\/alert\.json {2}[0-9a-f]{64}/);
    expect(text.stdout).toContain('OUTCOME completed');
    const timeline = JSON.parse(json.stdout) as AuditTimeline;
    const kinds = timeline.entries.map((entry) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['alert', 'answer', 'verdict', 'attempt-rejected', 'decision', 'step', 'outcome']));
    expect(kinds.indexOf('attempt-rejected')).toBeLessThan(kinds.indexOf('decision'));
  });

  it('prints the timeline as escaped Markdown', async () => {
    const markdown = await soar('audit', runs.positive.alertId, '--format', 'markdown');

    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/^# Audit timeline of /);
    expect(markdown.stdout).toContain('- **Verdict:** escalate');
    expect(markdown.stdout).toContain(`- **Decision:** contain by ${ANALYST.replace('-', '\\-')}`);
    expect(markdown.stdout).toContain('### STEP: preserve\\-evidence done');
    expect(markdown.stdout).toMatch(/\| alert \| \S+alert\.json \| [0-9a-f]{64} \|/);
    expect(markdown.stdout).toContain('\\<script\\>alert\\(1\\)\\</script\\>');
    expect(markdown.stdout).not.toContain('<script>');
  });

  it('renders a self-contained, escaped HTML page', async () => {
    const html = await soar('audit', runs.positive.alertId, '--format', 'html');

    expect(html.code).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(html.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;');
    expect(html.stdout).not.toContain('<script');
    expect(html.stdout).not.toMatch(/\b(src|href)=|url\(|@import/);
  });

  it('shows verdict, decision and steps in headless Chromium', async (context) => {
      if (!existsSync(CHROMIUM)) {
        context.skip(`${CHROMIUM} is missing; 'npm run setup' installs it as root, or run: apt-get install chromium`);
      }
      const html = await soar('audit', runs.positive.alertId, '--format', 'html');
      const page = path.join(outDir, 'timeline.html');
      const screenshot = path.join(outDir, 'timeline.png');
      await writeFile(page, html.stdout);
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const tab = await browser.newPage();
        const requests: string[] = [];
        tab.on('request', (request) => requests.push(request.url()));
        await tab.goto(pathToFileURL(page).href);

        expect(await tab.locator('dd[data-field="verdict"]').innerText()).toBe('escalate');
        expect(await tab.locator('dd[data-field="decision"]').innerText()).toBe(`contain by ${ANALYST}`);
        const text = await tab.locator('body').innerText();
        expect(text).toMatch(/DECISION\s*contain by audit-analyst via cli/);
        expect(text).toMatch(/STEP\s*preserve-evidence done/);
        expect(text).toMatch(/STEP\s*suspend-process/);
        expect(text).toContain(MARKUP_REASON);
        expect(requests).toEqual([pathToFileURL(page).href]);
        await tab.screenshot({ path: screenshot, fullPage: true });
      } finally {
        await browser.close();
      }

      expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
      const signature = (await readFile(screenshot)).subarray(0, 8);
      expect(signature.toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('exports histories and replays them', async () => {
    const single = path.join(outDir, 'single');
    const many = path.join(outDir, 'many');

    const one = await soar('export', runs.positive.alertId, '--out', single);
    const all = await soar('export', '--query', "WorkflowType = 'malSecLogonResponse'", '--out', many);
    const files = (await readdir(many)).map((name) => path.join(many, name));
    const fromFiles = await soar('replay', ...files);
    const fromServer = await soar('replay');

    expect(one.code).toBe(0);
    expect(await readdir(single)).toEqual([`${runs.positive.workflowId}.json`]);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('exported 2/2');
    expect(files).toHaveLength(2);
    expect(fromFiles.code).toBe(0);
    expect(jsonLines(fromFiles.stdout).map((line) => line.deterministic)).toEqual([true, true]);
    expect(fromServer.code).toBe(0);
    expect(jsonLines(fromServer.stdout).map((line) => line.workflowId).sort()).toEqual(
      [runs.positive.workflowId, runs.missing.workflowId].sort(),
    );
  });

  it('reports a modified history file as not replayable', async () => {
    const dir = path.join(outDir, 'tampered');
    await soar('export', runs.positive.alertId, '--out', dir);
    const file = path.join(dir, `${runs.positive.workflowId}.json`);
    const history = JSON.parse(await readFile(file, 'utf8')) as { events: { eventType: string }[] };
    const scheduled = history.events.filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    const first = scheduled[0] as unknown as { activityTaskScheduledEventAttributes: { activityType: { name: string } } };
    first.activityTaskScheduledEventAttributes.activityType.name = 'renamedActivity';
    await writeFile(file, JSON.stringify(history));

    const replay = await soar('replay', file);

    expect(replay.code).toBe(1);
    expect(jsonLines(replay.stdout)[0]).toMatchObject({ deterministic: false });
  });

  it('verifies preserved evidence and names a modified file', async () => {
    const untouched = await soar('audit', runs.positive.alertId, '--verify');
    const items = jsonLines(untouched.stdout);
    const alertItem = items.find((item) => item.name === 'alert');
    if (alertItem === undefined) throw new Error('no preserved alert item');
    await writeFile(String(alertItem.path), '{"tampered":true}');
    const modified = await soar('audit', runs.positive.alertId, '--verify');

    expect(untouched.code).toBe(0);
    expect(items.map((item) => item.name)).toEqual(expect.arrayContaining(['alert', 'answer-Q1', 'answer-Q4', 'request']));
    expect(items.every((item) => item.status === 'ok')).toBe(true);
    expect(modified.code).toBe(1);
    expect(modified.stderr).toContain(`mismatch: alert (${String(alertItem.path)})`);
    expect(jsonLines(modified.stdout).filter((item) => item.status !== 'ok').map((item) => item.name)).toEqual(['alert']);
  });
});
