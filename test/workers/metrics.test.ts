// A worker started with AIRLOCK_METRICS_BIND serves Prometheus metrics: the Temporal SDK's own
// and Airlock's (here: a refund the policy allows, counted by outcome, agent and rule, with its
// duration). Real worker process, real dev server, the demo refunds API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { loadConfig } from '../../src/config.ts';
import { actionFixture, type ActionFixture } from '../helpers/actions.ts';
import { envFor, freePort, killProcess, spawnWorker } from '../helpers/temporal.ts';

let fx: ActionFixture | undefined;
let worker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
let bind = '';

before(async () => {
  fx = await actionFixture();
  bind = `127.0.0.1:${await freePort()}`;
  worker = await spawnWorker(loadConfig({ ...envFor(fx.config), AIRLOCK_METRICS_BIND: bind }));
});
after(async () => {
  if (worker) await killProcess(worker, 'SIGTERM');
  await fx?.close();
});

test('the worker serves the SDK metrics and Airlock counts the action it ran', async () => {
  assert.ok(fx);
  const { handle } = await requestAction(fx.client, fx.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 20, currency: 'EUR', order: `M-${randomUUID()}` },
  });
  assert.equal((await handle.result()).outcome, 'executed');
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
