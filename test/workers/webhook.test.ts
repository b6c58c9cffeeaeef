// workers/webhook.ts end to end on the real dev server: a Playground-shaped Approve click is
// acknowledged once its decision is in the process's inbox (default <AIRLOCK_DATA_DIR>/inbox),
// forwarded as a signal to a real sensitive-action workflow, and executed once, even when the
// platform delivers it twice; SIGTERM closes the inbox with everything delivered and the process
// exits 0. And: the process starts while Temporal is unreachable, keeps the click, says so on
// /healthz, and hands the click over once a Temporal server comes up at that address.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { actionFixture, playgroundApproveClick } from '../helpers/actions.ts';
import type { Config } from '../../src/config.ts';
import { createClient } from '../../src/temporal/client.ts';
import {
  envFor,
  freePort,
  killProcess,
  repoRoot,
  startDevServer,
  testConfig,
  waitForLine,
} from '../helpers/temporal.ts';

/** workers/webhook.ts as a process in Playground mode on a free port; `log()` is all it printed. */
function spawnWebhook(config: Config): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, ['workers/webhook.ts'], {
    cwd: repoRoot,
    env: {
      ...envFor(config),
      AIRLOCK_TEAMS_PLAYGROUND: '1',
      AIRLOCK_WEBHOOK_PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  return { child, log: () => log };
}

test('a click is acknowledged from the inbox, signalled to its workflow and executed once; SIGTERM drains', async () => {
  // This webhook process does not sign its decisions yet: the worker runs without public keys
  // (development mode, unsigned decisions accepted with a warning in the audit).
  const fx = await actionFixture(undefined, { AIRLOCK_DECISION_PUBLIC_KEYS: '' });
  const worker = await fx.startWorker();
  const { child, log } = spawnWebhook(fx.config);
  try {
    const listening = await waitForLine(child, /"msg":"webhook server listening"/);
    const { port } = JSON.parse(listening) as { port: number };
    const { workflowId, handle } = await requestAction(fx.client, fx.config, {
      agent: 'support-bot',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      body: { amount: 75, order: `INBOX-${randomUUID()}` },
    });
    let status = await handle.query(statusQuery);
    while (status.state !== 'pending' || !status.requestHash) {
      await new Promise((r) => setTimeout(r, 20));
      status = await handle.query(statusQuery);
    }
    const body = JSON.stringify(playgroundApproveClick(workflowId, status.requestHash));
    const post = () =>
      fetch(`http://127.0.0.1:${port}/api/webhooks/teams`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
        body,
      });
    // The platform retries: the same activity twice is one decision (workflows dedupe by id).
    assert.equal((await post()).status, 200);
    assert.equal((await post()).status, 200);
    const outcome = await handle.result();
    assert.equal(outcome.outcome, 'executed');
    assert.equal(outcome.decidedBy.length, 1);
    assert.equal(fx.api.refunds.filter((r) => r.idempotencyKey === workflowId).length, 1);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(log(), /"msg":"decision inbox closed"/);
    assert.match(log(), /"msg":"webhook server stopped"/);
    const closed =
      log()
        .split('\n')
        .find((l) => l.includes('"decision inbox closed"')) ?? '{}';
    assert.equal((JSON.parse(closed) as { undelivered?: number }).undelivered, 0);
    assert.equal(readFileSync(join(fx.dir, 'inbox', 'inbox.jsonl'), 'utf8'), '');
  } finally {
    await killProcess(child, 'SIGKILL');
    await worker.stop();
    await fx.close();
  }
});

test('started while Temporal is unreachable: the click is kept, healthz says so, readyz is ready, and it is signalled once Temporal is up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-unreachable-'));
  const port = await freePort();
  const config = testConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, AIRLOCK_DATA_DIR: dir });
  const workflowId = `action:unreachable-${randomUUID()}`;
  // A workflow waiting on a server that then goes away (no worker needed to receive a signal).
  let server = await startDevServer(join(dir, 'temporal.db'), port);
  let client = await createClient(config);
  await client.workflow.start('sensitiveActionWorkflow', {
    taskQueue: `nobody-${randomUUID()}`,
    workflowId,
    args: [{}],
  });
  await client.connection.close();
  await killProcess(server.child, 'SIGKILL');

  const { child, log } = spawnWebhook(config);
  try {
    const listening = await waitForLine(child, /"msg":"webhook server listening"/, 30_000);
    const url = `http://127.0.0.1:${(JSON.parse(listening) as { port: number }).port}`;
    const res = await fetch(`${url}/api/webhooks/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      body: JSON.stringify(playgroundApproveClick(workflowId, 'abc123')),
    });
    assert.equal(res.status, 200);
    const health = async () =>
      (await (await fetch(`${url}/healthz`)).json()) as {
        ok: boolean;
        temporal: string;
        inbox: { pending: number; deadLetters: number };
      };
    let h = await health();
    for (let i = 0; i < 100 && h.temporal !== 'unreachable'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      h = await health();
    }
    assert.deepEqual(
      { ok: h.ok, temporal: h.temporal, inbox: h.inbox },
      { ok: true, temporal: 'unreachable', inbox: { pending: 1, deadLetters: 0 } },
    );
    // Ready all the same: the inbox keeps clicks until Temporal is back.
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      inbox: 'accepting',
      temporal: 'unreachable',
    });

    server = await startDevServer(join(dir, 'temporal.db'), port);
    client = await createClient(config);
    const signalled = async () =>
      (await client.workflow.getHandle(workflowId).fetchHistory()).events?.filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'approvalDecision',
      ).length ?? 0;
    const deadline = Date.now() + 60_000;
    while ((await signalled()) === 0) {
      assert.ok(Date.now() < deadline, `no signal within 60 s; webhook log:\n${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await signalled(), 1);
    for (let i = 0; i < 100 && (h = await health()).temporal !== 'reachable'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      { temporal: h.temporal, inbox: h.inbox },
      { temporal: 'reachable', inbox: { pending: 0, deadLetters: 0 } },
    );
    assert.doesNotMatch(log(), /Failed to connect before the deadline/);
  } finally {
    await killProcess(child, 'SIGKILL');
    await client.connection.close();
    await killProcess(server.child, 'SIGTERM');
  }
});
