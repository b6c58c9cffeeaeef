// The production profile end to end (scripts/production.sh: the Temporal server v1.31.2 as four
// processes on PostgreSQL, mutual TLS to the frontend, audit log and vault in PostgreSQL), with
// Microsoft's Agents Playground as Teams: an approval through the Playground; the history service
// SIGKILLed while an approval is pending and started again; one of two workers SIGKILLed
// mid-workflow; a webhook replica restarted with a click in its inbox. Each executes exactly once.
// And the frontend refuses a client without a certificate.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { requestAction } from '../../src/actions/request.ts';
import { openAuditLog } from '../../src/audit/open.ts';
import { settingNames, type Config } from '../../src/config.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { playgroundApproveClick, refundRequest } from '../helpers/actions.ts';
import {
  productionEnv,
  productionPid,
  productionService,
  productionStateDb,
  startTcpProxy,
} from '../helpers/production.ts';
import { approveInPlayground, startStack, type Stack } from '../helpers/stack.ts';
import { envFor, killProcess, repoRoot, waitForLine } from '../helpers/temporal.ts';

let stack: Stack | undefined;
let state: Awaited<ReturnType<typeof productionStateDb>> | undefined;
const children: ChildProcess[] = [];

before(async () => {
  state = await productionStateDb();
  const env = Object.fromEntries(
    Object.entries(productionEnv()).filter(([k]) => settingNames.includes(k)),
  );
  stack = await startStack(undefined, { ...env, AIRLOCK_STATE_DB_URL: state.url });
});
after(async () => {
  for (const c of children) await killProcess(c, 'SIGKILL');
  // A failed test must not leave the history service down for the files after this one.
  productionService('start', 'history');
  await stack?.close();
  await state?.drop();
});

test('mutual TLS: a client without a certificate from the CA is refused by the frontend', async () => {
  const env = productionEnv();
  const tls = {
    serverNameOverride: env['TEMPORAL_TLS_SERVER_NAME'] as string,
    serverRootCACertificate: readFileSync(env['TEMPORAL_TLS_CA_FILE'] as string),
  };
  const address = env['TEMPORAL_ADDRESS'] as string;
  // The same server, trusted, but no client certificate: the handshake is refused.
  await assert.rejects(Connection.connect({ address, tls, connectTimeout: 5000 }));
  // With Airlock's certificate it answers.
  const ok = await Connection.connect({
    address,
    connectTimeout: 10_000,
    tls: {
      ...tls,
      clientCertPair: {
        crt: readFileSync(env['TEMPORAL_TLS_CERT_FILE'] as string),
        key: readFileSync(env['TEMPORAL_TLS_KEY_FILE'] as string),
      },
    },
  });
  try {
    const info = await ok.workflowService.getSystemInfo({});
    assert.ok(info.capabilities, 'the frontend answers a client with a certificate');
  } finally {
    await ok.close();
  }
});

let n = 0;
const refund = (amount: number) =>
  refundRequest({ amount, order: `PROD-${process.pid}-${++n}`, reason: 'Damaged on arrival' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = () => stack as Stack;
const executedFor = (workflowId: string) =>
  s().fx.api.refunds.filter((r) => r.idempotencyKey === workflowId).length;

const click = (workflowId: string) => approveInPlayground(s().pg, workflowId);

/** Wait until the workflow has recorded its posted cards (it is then waiting for a decision). */
async function pending(workflowId: string): Promise<void> {
  const audit = openAuditLog(s().config);
  for (let i = 0; i < 200; i++) {
    if ((await audit.read()).some((r) => r.workflowId === workflowId && r.type === 'cards-posted'))
      return;
    await sleep(50);
  }
  throw new Error(`${workflowId} never recorded its cards`);
}

test('production stack: approve through the Playground; the decision is in the PostgreSQL audit log', async () => {
  const worker = await s().worker();
  children.push(worker);
  const { workflowId, handle } = await requestAction(s().fx.client, s().config, refund(120));
  await click(workflowId);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.decidedBy[0]?.approver.displayName, 'Bob Approver');
  assert.equal(executedFor(workflowId), 1);
  const audit = openAuditLog(s().config);
  const mine = (await audit.read()).filter((r) => r.workflowId === workflowId);
  assert.equal(mine.find((r) => r.type === 'decision')?.approver?.displayName, 'Bob Approver');
  assert.equal((await audit.verify()).ok, true);
  await killProcess(worker, 'SIGTERM');
});

test('the history service is SIGKILLed while an approval is pending and started again: it executes once', async () => {
  const worker = await s().worker();
  children.push(worker);
  const { workflowId, handle } = await requestAction(s().fx.client, s().config, refund(250));
  await pending(workflowId);
  const killed = productionPid('history');
  productionService('kill', 'history');
  // The click arrives while history is down: the webhook keeps it and retries the signal.
  await click(workflowId);
  await sleep(1500);
  assert.equal(executedFor(workflowId), 0, 'nothing executes while history is down');
  productionService('start', 'history');
  assert.notEqual(productionPid('history'), killed, 'a new history process');
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  await sleep(1000);
  assert.equal(executedFor(workflowId), 1);
  await killProcess(worker, 'SIGTERM');
});

test('one of two workers is SIGKILLed mid-workflow: the other carries on and it executes once', async () => {
  const a = await s().worker();
  const b = await s().worker();
  children.push(a, b);
  const { workflowId, handle } = await requestAction(s().fx.client, s().config, refund(300));
  await pending(workflowId);
  // Kill the worker that ran the workflow's last task (its identity is pid@host).
  const history = await handle.fetchHistory();
  const identity =
    history.events?.filter((e) => e.workflowTaskCompletedEventAttributes).at(-1)
      ?.workflowTaskCompletedEventAttributes?.identity ?? '';
  const pid = Number(identity.split('@')[0]);
  const [victim, survivor] = a.pid === pid ? [a, b] : [b, a];
  assert.equal(victim.pid, pid, `the workflow ran on one of the two workers (${identity})`);
  await killProcess(victim, 'SIGKILL');
  await click(workflowId);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(executedFor(workflowId), 1);
  const last = (await handle.fetchHistory()).events
    ?.filter((e) => e.workflowTaskCompletedEventAttributes)
    .at(-1)?.workflowTaskCompletedEventAttributes?.identity;
  assert.equal(Number(last?.split('@')[0]), survivor.pid, 'the surviving worker finished it');
  await killProcess(survivor, 'SIGTERM');
});

/** workers/webhook.ts as a replica: its own data folder (click inbox), Playground mode. */
async function webhookReplica(config: Config, dataDir: string, temporal: string) {
  const child = spawn(process.execPath, ['workers/webhook.ts'], {
    cwd: repoRoot,
    env: {
      ...envFor(config),
      TEMPORAL_ADDRESS: temporal,
      AIRLOCK_DATA_DIR: dataDir,
      AIRLOCK_TEAMS_PLAYGROUND: '1',
      AIRLOCK_WEBHOOK_PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stderr.resume();
  const line = await waitForLine(child, /"msg":"webhook server listening"/, 30_000);
  const url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  const post = (body: unknown) =>
    fetch(`${url}/api/webhooks/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      body: JSON.stringify(body),
    });
  const health = async () =>
    (await (await fetch(`${url}/healthz`)).json()) as { inbox: { pending: number } };
  return { child, post, health };
}

test('a webhook replica restarted with a click in its inbox: the other replica serves meanwhile, and both execute once', async () => {
  const worker = await s().worker();
  children.push(worker);
  const proxy = await startTcpProxy(s().config.TEMPORAL_ADDRESS);
  const dirA = mkdtempSync(join(tmpdir(), 'airlock-replica-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'airlock-replica-b-'));
  try {
    const first = await requestAction(s().fx.client, s().config, refund(310));
    const second = await requestAction(s().fx.client, s().config, refund(320));
    const hashOf = async (h: typeof first.handle) => {
      for (;;) {
        const st = await h.query(statusQuery);
        if (st.state === 'pending' && st.requestHash) return st.requestHash;
        await sleep(50);
      }
    };
    // Replica A reaches Temporal through a proxy that is cut: the click it acknowledges stays
    // in its inbox. Then it is SIGKILLed.
    let a = await webhookReplica(s().config, dirA, proxy.address);
    proxy.cut();
    const res = await a.post(playgroundApproveClick(first.workflowId, await hashOf(first.handle)));
    assert.equal(res.status, 200);
    assert.equal((await a.health()).inbox.pending, 1);
    await killProcess(a.child, 'SIGKILL');
    // Replica B serves the other request meanwhile.
    const b = await webhookReplica(s().config, dirB, s().config.TEMPORAL_ADDRESS);
    assert.equal(
      (await b.post(playgroundApproveClick(second.workflowId, await hashOf(second.handle)))).status,
      200,
    );
    assert.equal((await second.handle.result()).outcome, 'executed');
    assert.equal(executedFor(first.workflowId), 0, 'the kept click has not reached Temporal');
    // Replica A comes back on the same data folder with Temporal reachable: the kept click goes.
    proxy.restore();
    a = await webhookReplica(s().config, dirA, proxy.address);
    assert.equal((await first.handle.result()).outcome, 'executed');
    await sleep(500);
    assert.equal(executedFor(first.workflowId), 1);
    assert.equal(executedFor(second.workflowId), 1);
    assert.equal((await a.health()).inbox.pending, 0);
  } finally {
    await proxy.close();
    await killProcess(worker, 'SIGTERM');
  }
});
