// workers/webhook.ts end to end on the real dev server: a Playground-shaped Approve click is
// acknowledged once it is in the process's inbox (default <AIRLOCK_DATA_DIR>/inbox), forwarded as
// a signal to a real sensitive-action workflow, and executed once, even when the platform delivers
// it twice; SIGTERM closes the inbox with everything delivered and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { actionFixture, playgroundApproveClick } from '../helpers/actions.ts';
import { envFor, killProcess, repoRoot, waitForLine } from '../helpers/temporal.ts';

test('a click is acknowledged from the inbox, signalled to its workflow and executed once; SIGTERM drains', async () => {
  // This webhook process does not sign its decisions yet: the worker runs without public keys
  // (development mode, unsigned decisions accepted with a warning in the audit).
  const fx = await actionFixture(undefined, { AIRLOCK_DECISION_PUBLIC_KEYS: '' });
  const worker = await fx.startWorker();
  const child = spawn(process.execPath, ['workers/webhook.ts'], {
    cwd: repoRoot,
    env: {
      ...envFor(fx.config),
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
    assert.match(log, /"msg":"decision inbox closed"/);
    assert.match(log, /"msg":"webhook server stopped"/);
    const closed = log.split('\n').find((l) => l.includes('"decision inbox closed"')) ?? '{}';
    assert.equal((JSON.parse(closed) as { undelivered?: number }).undelivered, 0);
    assert.equal(readFileSync(join(fx.dir, 'inbox', 'inbox.jsonl'), 'utf8'), '');
  } finally {
    await killProcess(child, 'SIGKILL');
    await worker.stop();
    await fx.close();
  }
});
