// The thin real slice: a workflow on the real dev server runs Node in a hardened sandbox through
// dockerode, returns the output, and leaves no container behind.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Worker } from '@temporalio/worker';
import { createLogger } from '../../src/log.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import { createDeps } from '../../src/deps.ts';
import { noChatSurface } from '../../src/chat/none.ts';
import { createClient } from '../../src/temporal/client.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { sandboxRunWorkflow } from '../../workflows/index.ts';
import { testConfig } from '../helpers/temporal.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
let worker: Worker;
let running: Promise<void>;

before(async () => {
  worker = await createWorker({
    config,
    logger: createLogger({ level: 'warn' }),
    activities: createActivities({ ...createDeps(config, noChatSurface), driver }),
  });
  running = worker.run();
});
after(async () => {
  worker.shutdown();
  await running;
});

// Runs inside the sandbox and reports what the box allows.
const probe = `
const fs = require('node:fs');
const os = require('node:os');
const status = fs.readFileSync('/proc/self/status', 'utf8');
const field = (n) => (status.match(new RegExp('^' + n + ':\\\\s*(\\\\S+)', 'm')) || [])[1];
let rootWritable = true;
try { fs.writeFileSync('/probe', 'x'); } catch { rootWritable = false; }
const read = (f) => { try { return fs.readFileSync(f, 'utf8').trim(); } catch { return null; } };
console.log(JSON.stringify({
  node: process.version, uid: process.getuid(), interfaces: Object.keys(os.networkInterfaces()),
  rootWritable, capEff: field('CapEff'), noNewPrivs: field('NoNewPrivs'),
  memoryMax: read('/sys/fs/cgroup/memory.max') ?? read('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
  pidsMax: read('/sys/fs/cgroup/pids.max') ?? read('/sys/fs/cgroup/pids/pids.max'),
}));`;

test('runs Node in a hardened, network-less sandbox and removes the container', async () => {
  const client = await createClient(config);
  const workflowId = `sandbox-test-${randomUUID()}`;
  const result = await client.workflow.execute(sandboxRunWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ script: probe }],
  });
  assert.equal(result.exitCode, 0, result.stderr);
  const seen = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.match(String(seen.node), /^v2[2-9]\./);
  assert.equal(seen.uid, 1000);
  assert.deepEqual(seen.interfaces, ['lo']);
  assert.equal(seen.rootWritable, false);
  assert.equal(seen.capEff, '0000000000000000');
  assert.equal(seen.noNewPrivs, '1');
  assert.equal(Number(seen.memoryMax), config.AIRLOCK_SANDBOX_MEMORY_MB * 1024 * 1024);
  assert.equal(Number(seen.pidsMax), config.AIRLOCK_SANDBOX_PIDS);
  const left = await driver.docker.listContainers({
    all: true,
    filters: { label: [`airlock.run=${workflowId}`] },
  });
  assert.deepEqual(left, []);
  await client.connection.close();
});

test('a failing script reports its exit code and stderr', async () => {
  const client = await createClient(config);
  const result = await client.workflow.execute(sandboxRunWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `sandbox-test-${randomUUID()}`,
    args: [{ script: 'console.error("boom"); process.exit(3)' }],
  });
  assert.equal(result.exitCode, 3);
  assert.equal(result.stderr.trim(), 'boom');
  await client.connection.close();
});

test('the sandbox cannot reach the network', async () => {
  const client = await createClient(config);
  const script = `require('node:net').connect(53, '1.1.1.1').on('error', (e) => { console.log(e.code); process.exit(0); }).on('connect', () => { console.log('connected'); process.exit(1); });`;
  const result = await client.workflow.execute(sandboxRunWorkflow, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `sandbox-test-${randomUUID()}`,
    args: [{ script }],
  });
  assert.equal(result.exitCode, 0);
  assert.match(result.stdout.trim(), /^(ENETUNREACH|EHOSTUNREACH|EACCES)$/);
  await client.connection.close();
});
