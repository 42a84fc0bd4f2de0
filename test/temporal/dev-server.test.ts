import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/constants';
import { createLogger } from '../../src/logging';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { findFreePort } from '../../src/net';

async function withClient<T>(server: DevServer, use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await use(new Client({ connection, namespace: 'default' }));
  } finally {
    await connection.close();
  }
}

describe('startDevServer', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'soar-dev-server-'));
  const logger = createLogger('warn');
  let server: DevServer | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a workflow across a restart', async () => {
    const options = {
      dataDir,
      port: await findFreePort(),
      uiPort: await findFreePort(),
      namespace: 'default',
      logger,
    };
    const workflowId = 'malseclogon-restart-check';

    server = await startDevServer(options);
    const started = await withClient(server, (client) =>
      // No worker polls this queue, so the run stays open across the restart.
      client.workflow.start(WORKFLOW_TYPE, { taskQueue: 'no-worker', workflowId, args: [] }),
    );
    await server.stop();
    server = await startDevServer(options);
    const description = await withClient(server, (client) =>
      client.workflow.getHandle(workflowId).describe(),
    );

    expect(server.dbFile).toBe(path.join(dataDir, 'temporal.sqlite'));
    expect(description.runId).toBe(started.firstExecutionRunId);
    expect(description.status.name).toBe('RUNNING');
  });

  it('rejects a port that is already in use, naming the port', async () => {
    const running = server;
    if (running === undefined) throw new Error('the restart test did not leave a server running');
    const port = Number(running.address.split(':')[1]);

    const attempt = startDevServer({
      dataDir,
      port,
      uiPort: await findFreePort(),
      namespace: 'default',
      logger,
    });

    await expect(attempt).rejects.toThrow(new RegExp(`port ${port} .* already in use`));
  });
});
