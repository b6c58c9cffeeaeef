// The Java SDK's time-skipping test server (installed by bootstrap) starts through
// @temporalio/testing, and a three-day durable wait passes in moments.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { noChatSurface } from '../../src/chat/none.ts';
import { createLogger } from '../../src/log.ts';
import { installRuntimeLogger, workflowsPath } from '../../src/temporal/worker.ts';
import { releaseSignal } from '../../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../../workflows/index.ts';

const config = loadConfig();
let env: TestWorkflowEnvironment;

before(async () => {
  installRuntimeLogger(createLogger({ level: 'warn' }));
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: config.AIRLOCK_TEST_SERVER_BIN } },
  });
});
after(async () => {
  await env?.teardown();
});

async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `ts-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createActivities(createDeps(config, noChatSurface)),
  });
  return worker.runUntil(fn(taskQueue));
}

test('a three-day wait expires after three (skipped) days', async () => {
  const started = await env.currentTimeMs();
  const result = await withWorker((taskQueue) =>
    env.client.workflow.execute(durableWaitWorkflow, {
      taskQueue,
      workflowId: `ts-${randomUUID()}`,
      args: [{ purpose: 'expiry', timeout: '3 days' }],
    }),
  );
  assert.deepEqual(result, { expired: true });
  const elapsedDays = (Number(await env.currentTimeMs()) - Number(started)) / 86_400_000;
  assert.ok(elapsedDays >= 3 && elapsedDays < 3.1, `elapsed ${elapsedDays} days`);
});

test('a release on day two completes the wait before its deadline', async () => {
  const result = await withWorker(async (taskQueue) => {
    const handle = await env.client.workflow.start(durableWaitWorkflow, {
      taskQueue,
      workflowId: `ts-${randomUUID()}`,
      args: [{ purpose: 'release', timeout: '3 days' }],
    });
    await env.sleep('2 days');
    await handle.signal(releaseSignal, { token: 'day-two' });
    return handle.result();
  });
  assert.equal(result.expired, false);
  assert.equal((result as { token: string }).token, 'day-two');
});
