// A worker started with AIRLOCK_METRICS_BIND serves Prometheus metrics: the Temporal SDK's own
// and Airlock's (a refund the policy allows, counted by outcome, agent and rule; a refund that
// waits: its refused clicks by reason, its time to decision, the pending gauge rising and falling),
// and every metric the Grafana dashboard queries is one it serves. With AIRLOCK_HEALTH_BIND it
// answers /healthz and /readyz, and readiness says what is missing when the Docker engine is not
// there; its JSON log lines about a run carry the workflow id. Real worker processes, real dev
// server, the demo refunds API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { refundRequest } from '../helpers/requests.ts';
import { loadConfig } from '../../src/config.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../src/dev/slack-api-standin.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { actionFixture, click, people, signed, type ActionFixture } from '../helpers/actions.ts';
import { envFor, freePort, killProcess, repoRoot, spawnWorker } from '../helpers/temporal.ts';

let fx: ActionFixture | undefined;
let worker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
let noDocker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
let slack: SlackApiStandin | undefined;
let bind = '';
let health = '';

before(async () => {
  // Approval cards go to a Slack stand-in (the clicks below are signals, as the webhook sends).
  fx = await actionFixture((yaml) =>
    yaml.replace(
      'teams: { channel: { conversationId: airlock-approvals-chat } }',
      'slack: { channel: C0APPROVALS }',
    ),
  );
  slack = await startSlackApiStandin();
  bind = `127.0.0.1:${await freePort()}`;
  health = `127.0.0.1:${await freePort()}`;
  worker = await spawnWorker(
    loadConfig({
      ...envFor(fx.config),
      AIRLOCK_METRICS_BIND: bind,
      AIRLOCK_HEALTH_BIND: health,
      AIRLOCK_GAUGES_EVERY_SEC: '0.5',
      // A one-shot sandbox run fails on it (no such image): the activity-failure metric shows.
      AIRLOCK_SANDBOX_IMAGE: 'airlock-observability-missing:none',
      AIRLOCK_SLACK_SIGNING_SECRET: 'slack-signing-secret-observability',
      AIRLOCK_SLACK_BOT_TOKEN: 'xoxb-observability',
      AIRLOCK_SLACK_API_URL: slack.apiUrl,
    }),
  );
});
after(async () => {
  if (worker) await killProcess(worker, 'SIGTERM');
  if (noDocker) await killProcess(noDocker, 'SIGTERM');
  await fx?.close();
  await slack?.close();
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

/** Ask the worker under test for the demo policy's refund of `amount` EUR, order `<prefix>-<uuid>`. */
function requestRefund(amount: number, prefix: string) {
  assert.ok(fx);
  const body = { amount, currency: 'EUR', order: `${prefix}-${randomUUID()}` };
  return requestAction(fx.client, fx.config, refundRequest(body));
}

test('the worker serves the SDK metrics and Airlock counts the action it ran', async () => {
  assert.ok(fx);
  const { handle, workflowId } = await requestRefund(20, 'M');
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

/** Scrape /metrics until `pattern` shows (bounded); returns the last scrape. */
async function scrapeUntil(pattern: RegExp): Promise<string> {
  let text = '';
  for (let i = 0; i < 60; i++) {
    text = await (await fetch(`http://${bind}/metrics`)).text();
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(
    `${pattern} never showed in /metrics:\n${text
      .split('\n')
      .filter((l) => l.startsWith('airlock_'))
      .join('\n')}`,
  );
}

const series = (name: string, labels: Record<string, string>, value = '[0-9.e+]+') =>
  new RegExp(
    `^${name}\\{${Object.entries(labels)
      .map(([k, v]) => `(?=[^}]*${k}="${v}")`)
      .join('')}[^}]*\\} ${value}$`,
    'm',
  );

let scraped = '';

test('a waiting request: the pending gauge, refused clicks by reason, time to decision', async () => {
  assert.ok(fx);
  const { workflowId, handle } = await requestRefund(120, 'L');
  const labels = { agent: 'support-bot', rule: 'refunds-large' };
  await scrapeUntil(series('airlock_pending_approvals', labels, '1'));
  const hash = (await handle.query(statusQuery)).requestHash;
  // Refused: an outsider (signed), then an approver's click the webhook never signed.
  await handle.signal(
    approvalDecisionSignal,
    signed(workflowId, click(people.mallory, 'approve', hash)),
  );
  await handle.signal(approvalDecisionSignal, click(people.bob, 'approve', hash));
  await handle.signal(
    approvalDecisionSignal,
    signed(workflowId, click(people.alice, 'approve', hash)),
  );
  assert.equal((await handle.result()).outcome, 'executed');
  await scrapeUntil(series('airlock_pending_approvals', labels, '0'));
  const text = await scrapeUntil(
    series('airlock_time_to_decision_count', { ...labels, decision: 'approved' }),
  );
  assert.match(
    text,
    series('airlock_refused_clicks', { reason: 'unauthorized', agent: 'support-bot' }, '[1-9]\\d*'),
  );
  assert.match(
    text,
    series('airlock_refused_clicks', { reason: 'unsigned', agent: 'support-bot' }, '[1-9]\\d*'),
  );
  assert.match(
    text,
    series('airlock_time_to_decision_bucket', { ...labels, decision: 'approved' }),
  );
  assert.match(
    text,
    series('airlock_actions_finished', { outcome: 'executed', rule: 'refunds-large' }),
  );
  // No session runs on this test's task queue; the gauges say so. Sandboxes: this host's count.
  assert.match(text, series('airlock_sessions_running', { state: 'working' }, '0'));
  assert.match(text, series('airlock_sandboxes_running', { kind: 'agent-box' }));
  scraped = text;
});

test('every metric the Grafana dashboard queries is one the worker serves', async () => {
  assert.ok(fx && scraped, 'needs the scrape of the test before');
  // An activity that fails (the sandbox image is missing; three attempts, then the run fails).
  const run = fx.client.workflow.start('sandboxRunWorkflow', {
    taskQueue: fx.config.TEMPORAL_TASK_QUEUE,
    workflowId: `sandbox-fails-${randomUUID()}`,
    args: [{ script: 'process.exit(0)' }],
    workflowExecutionTimeout: '1 minute',
  });
  await assert.rejects((await run).result());
  const text = await scrapeUntil(/^temporal_activity_execution_failed\{/m);
  const dashboard = JSON.parse(
    readFileSync(join(repoRoot, 'deploy/grafana/airlock.json'), 'utf8'),
  ) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const names = new Set<string>();
  for (const panel of dashboard.panels)
    for (const { expr } of panel.targets ?? [])
      for (const [name] of expr.matchAll(/\b(?:airlock|temporal)_[a-z0-9_]+/g)) names.add(name);
  assert.ok(names.size >= 8, `the dashboard queries ${[...names].join(', ')}`);
  const served = new Set(`${scraped}\n${text}`.split('\n').map((l) => /^[a-z_0-9]+/.exec(l)?.[0]));
  const missing = [...names].filter((n) => !served.has(n));
  assert.deepEqual(missing, [], `queried but not served: ${missing.join(', ')}`);
});
