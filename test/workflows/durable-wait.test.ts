// A waiting workflow loses nothing when its worker is SIGKILLed (the signal arrives while no
// worker runs) or when the Temporal dev server itself is restarted (SQLite keeps the history).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { createClient } from '../../src/temporal/client.ts';
import { releaseSignal } from '../../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../../workflows/index.ts';
import { killProcess, spawnWorker, startDevServer, testConfig } from '../helpers/temporal.ts';

/** Wait until the workflow's first workflow task has completed (it is now parked on the signal). */
async function waitUntilParked(client: Client, workflowId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
    if (events?.some((e) => e.workflowTaskCompletedEventAttributes)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('workflow never completed its first task');
}

test('a SIGKILLed worker loses nothing: the signal sent while no worker runs is handled by the next', async () => {
  const config = testConfig();
  const client = await createClient(config);
  const first = await spawnWorker(config);
  const workflowId = `durable-kill-${randomUUID()}`;
  const handle = await client.workflow.start(durableWaitWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ purpose: 'worker kill test' }],
  });
  await waitUntilParked(client, workflowId);
  await killProcess(first, 'SIGKILL');
  await handle.signal(releaseSignal, { token: 'after-kill' });
  const second = await spawnWorker(config);
  const result = await handle.result();
  assert.deepEqual(result, { expired: false, token: 'after-kill', handledByPid: second.pid });
  await killProcess(second, 'SIGTERM');
  await client.connection.close();
});

test('a restarted dev server keeps the waiting workflow, which then completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-restart-'));
  const db = join(dir, 'temporal.db');
  let server = await startDevServer(db);
  const config = testConfig({ TEMPORAL_ADDRESS: server.address });
  const worker = await spawnWorker(config);
  let client = await createClient(config);
  const workflowId = `durable-restart-${randomUUID()}`;
  await client.workflow.start(durableWaitWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ purpose: 'server restart test' }],
  });
  await waitUntilParked(client, workflowId);

  // The worker stays up and reconnects; the server loses its process, not its SQLite file.
  await client.connection.close();
  await killProcess(server.child, 'SIGKILL');
  server = await startDevServer(db, server.port);
  client = await createClient(config);

  const handle = client.workflow.getHandle(workflowId);
  assert.equal((await handle.describe()).status.name, 'RUNNING');
  await handle.signal(releaseSignal, { token: 'after-restart' });
  const result = (await handle.result()) as { token: string; handledByPid: number };
  assert.equal(result.token, 'after-restart');
  assert.equal(result.handledByPid, worker.pid);

  await client.connection.close();
  await killProcess(worker, 'SIGTERM');
  await killProcess(server.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});
