// A worker started with AIRLOCK_METRICS_BIND serves Prometheus metrics: the Temporal SDK's own
// and Airlock's (here: a refund the policy allows, counted by outcome, agent and rule, with its
// duration); with AIRLOCK_HEALTH_BIND it answers /healthz and /readyz, and readiness says what is
// missing when the Docker engine is not there; its JSON log lines about a run carry the workflow id. Real worker processes, real dev server, the demo
// refunds API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { loadConfig } from '../../src/config.ts';
import { actionFixture, type ActionFixture } from '../helpers/actions.ts';
import { envFor, freePort, killProcess, spawnWorker } from '../helpers/temporal.ts';

let fx: ActionFixture | undefined;
let worker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
let noDocker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
let bind = '';
let health = '';

before(async () => {
  fx = await actionFixture();
  bind = `127.0.0.1:${await freePort()}`;
  health = `127.0.0.1:${await freePort()}`;
  worker = await spawnWorker(
    loadConfig({ ...envFor(fx.config), AIRLOCK_METRICS_BIND: bind, AIRLOCK_HEALTH_BIND: health }),
  );
});
after(async () => {
  if (worker) await killProcess(worker, 'SIGTERM');
  if (noDocker) await killProcess(noDocker, 'SIGTERM');
  await fx?.close();
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('health: /healthz answers while the process serves, /readyz says what is missing', async () => {
  assert.ok(fx);
  assert.equal((await get(`http://${health}/healthz`)).status, 200);
  // The worker turns RUNNING a moment after it logs that it started: poll (bounded).
  let ready = await get(`http://${health}/readyz`);
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await get(`http://${health}/readyz`);
  }
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.deepEqual(ready.body, {
    status: 'ready',
    worker: 'RUNNING',
    temporal: 'reachable',
    docker: 'reachable',
  });
  // A worker whose Docker engine is not there runs workflows but is not ready for sandboxes.
  const other = `127.0.0.1:${await freePort()}`;
  noDocker = await spawnWorker(
    loadConfig({
      ...envFor(fx.config),
      TEMPORAL_TASK_QUEUE: `no-docker-${randomUUID()}`,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      AIRLOCK_HEALTH_BIND: other,
    }),
  );
  const notReady = await get(`http://${other}/readyz`);
  assert.equal(notReady.status, 503);
  assert.equal(notReady.body['docker'], 'unreachable');
  assert.equal(notReady.body['temporal'], 'reachable');
  assert.equal((await get(`http://${other}/healthz`)).status, 200);
});

test('the worker serves the SDK metrics and Airlock counts the action it ran', async () => {
  assert.ok(fx);
  const { handle, workflowId } = await requestAction(fx.client, fx.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 20, currency: 'EUR', order: `M-${randomUUID()}` },
  });
  assert.equal((await handle.result()).outcome, 'executed');
  // Structured logs: the worker's JSON lines about this run carry its workflow id.
  const lines = (worker?.output.join('') ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const mine = lines.filter((l) => l['workflowId'] === workflowId);
  assert.ok(
    mine.some((l) => l['msg'] === 'action executed' && l['activityType'] === 'executeAction'),
    `the execution's log line names ${workflowId}`,
  );
  // Metrics are exported on the exporter's own schedule: poll briefly.
  let text = '';
  for (let i = 0; i < 50; i++) {
    text = await (await fetch(`http://${bind}/metrics`)).text();
    if (/airlock_actions_finished\S*\{[^}]*outcome="executed"/.test(text)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(text, /airlock_actions_finished\S*\{[^}]*agent="support-bot"[^}]*\} [1-9]/);
  assert.match(text, /airlock_actions_finished\S*\{[^}]*rule="refunds-small"/);
  assert.match(text, /airlock_action_duration\S*_bucket\{/);
  assert.match(text, /temporal_\w+/, 'the SDK metrics are there too');
});
