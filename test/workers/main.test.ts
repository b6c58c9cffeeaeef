// workers/main.ts drains on SIGTERM: an activity already running finishes and is recorded, and the
// process exits 0 after logging that it stopped; the next worker completes the workflow. Pre-bundled mode loads dist-style bundles.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createClient } from '../../src/temporal/client.ts';
import { sandboxRunWorkflow } from '../../workflows/index.ts';
import { repoRoot, spawnWorker, testConfig } from '../helpers/temporal.ts';

test('SIGTERM drains: the running sandbox activity completes and the worker exits 0', async () => {
  const config = testConfig();
  const worker = await spawnWorker(config);
  let log = '';
  worker.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  const client = await createClient(config);
  const handle = await client.workflow.start(sandboxRunWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `drain-${randomUUID()}`,
    args: [{ script: 'setTimeout(() => console.log("finished"), 1500)' }],
  });
  // Wait until the activity has started, then ask the worker to stop.
  for (let i = 0; i < 100; i++) {
    const { events } = await handle.fetchHistory();
    if (events?.some((e) => e.activityTaskStartedEventAttributes)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(log, /"msg":"worker stopped"/);
  const { events } = await handle.fetchHistory();
  assert.ok(
    events?.some((e) => e.activityTaskCompletedEventAttributes),
    'the activity running at SIGTERM completed before the worker exited',
  );
  // What the workflow does after that activity belongs to the next worker (the draining one may
  // have stopped polling for workflow tasks before the activity finished).
  const next = await spawnWorker(config);
  const result = await handle.result();
  assert.equal(result.stdout.trim(), 'finished');
  next.kill('SIGTERM');
  await client.connection.close();
});

test('a worker started with a pre-built bundle runs workflows', async () => {
  const bundle = join(mkdtempSync(join(tmpdir(), 'airlock-bundle-')), 'bundle.js');
  const built = spawnSync(process.execPath, ['scripts/bundle-workflows.ts', bundle], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const config = testConfig({ AIRLOCK_WORKFLOW_BUNDLE: bundle });
  const worker = await spawnWorker(config);
  assert.match(worker.startedLine, /"bundled":true/);
  const client = await createClient(config);
  const result = await client.workflow.execute(sandboxRunWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `bundled-${randomUUID()}`,
    args: [{ script: 'console.log(6 * 7)' }],
  });
  assert.equal(result.stdout.trim(), '42');
  worker.kill('SIGTERM');
  await client.connection.close();
});
