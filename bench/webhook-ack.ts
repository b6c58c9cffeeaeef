// Webhook acknowledgment time under 200 concurrent card clicks: Agents Playground-shaped click
// activities (as recorded from the Playground) posted at once to the real webhook (startWebhook),
// which verifies each, keeps its signed decision in the local inbox (fsync) and acknowledges it;
// the inbox then signals Temporal. Baselines in the same run: 200 bare Temporal signals at once
// (what acknowledging after the signal would wait for), the same webhook with nothing behind the
// inbox, and the same POSTs to a bare node:http server. Each burst starts after the previous
// one's workflows ended.
// Usage: node bench/webhook-ack.ts [clicks=200] [rounds=3]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestAction } from '../src/actions/request.ts';
import { signalDecision } from '../src/chat/signal.ts';
import { startWebhook } from '../src/chat/webhook.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { statusQuery } from '../workflows/sensitive-action/messages.ts';
import { releaseSignal } from '../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../workflows/index.ts';
import type { sensitiveActionWorkflow } from '../workflows/sensitive-action/workflow.ts';
import { actionFixture, people } from '../test/helpers/actions.ts';
import { envFor, repoRoot, waitForLine } from '../test/helpers/temporal.ts';
import { startKeyServer } from '../test/src/chat/helpers.ts';
import { machine, ms, percentile } from './stats.ts';

const clicks = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const pending = 20;
const fx = await actionFixture();
const worker = await fx.startWorker();
const config = loadConfig({
  ...envFor(fx.config),
  AIRLOCK_TEAMS_PLAYGROUND: '1',
  AIRLOCK_WEBHOOK_PORT: '0',
  NODE_ENV: 'test',
});
const logger = createLogger({ level: 'silent' });
const signal = signalDecision(fx.client, logger);

// The webhook with nothing behind its inbox: verify, decide, sign, keep (fsync), acknowledge.
const noop = await startWebhook({
  config: { ...config, AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-ack-noop-')) },
  logger,
  deliver: () => Promise.resolve(),
});
const noopUrl = `${noop.url}/api/webhooks/teams`;

// The webhook as it runs: the inbox then signals Temporal. `delivered` times each signal Temporal
// accepted, so the bench sees when the last click of a burst got there.
const delivered: number[] = [];
const viaInbox = await startWebhook({
  config: { ...config, AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-ack-bench-')) },
  logger,
  deliver: async (workflowId, decision) => {
    await signal(workflowId, decision);
    delivered.push(performance.now());
  },
});
const inbox = viaInbox.inbox;
const inboxUrl = `${viaInbox.url}/api/webhooks/teams`;

// The production topology: workers/webhook.ts (inbox included) in a process of its own, verifying
// real Bot Framework tokens (signed by a local key server), and the clicks from a long-lived,
// warmed-up generator process (bench/click-burst.ts); and the webhook with nothing behind its
// inbox, likewise.
const keys = await startKeyServer();
const appId = 'airlock-bench-app';
const serviceUrl = 'http://localhost:56150/_connector';
const authHeaders = {
  'content-type': 'application/json',
  authorization: `Bearer ${await keys.sign({ aud: appId, serviceurl: serviceUrl })}`,
};
const children: ChildProcess[] = [];
async function serve(script: string, env: Record<string, string>, listening: RegExp) {
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: {
      ...envFor(config),
      AIRLOCK_TEAMS_PLAYGROUND: '',
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'not-used-by-the-webhook',
      AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const { port } = JSON.parse(await waitForLine(child, listening)) as { port: number };
  child.stdout?.resume();
  child.stderr?.resume();
  return `http://127.0.0.1:${port}/api/webhooks/teams`;
}
const ownInboxUrl = await serve(
  'workers/webhook.ts',
  { AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-ack-inbox-')) },
  /"msg":"webhook server listening"/,
);
const ownNoopUrl = await serve(
  'bench/webhook-noop.ts',
  { AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-ack-noop-')) },
  /^\{"port":/,
);
const generator = spawn(process.execPath, ['bench/click-burst.ts'], {
  cwd: repoRoot,
  stdio: ['pipe', 'pipe', 'inherit'],
});
children.push(generator);
const answers = createInterface({ input: generator.stdout })[Symbol.asyncIterator]();

/** A burst sent by the generator process: each click's time to its 200, and when it started. */
async function burstFrom(url: string, targets: Target[]): Promise<{ acks: number[]; t0: number }> {
  const bodies = Array.from({ length: clicks }, (_, i) => body(targets, i));
  generator.stdin?.write(`${JSON.stringify({ url, headers: authHeaders, bodies })}\n`);
  const { value } = await answers.next();
  const { start, times } = JSON.parse(String(value)) as { start: number; times: number[] };
  return { acks: times, t0: start };
}

interface Target {
  workflowId: string;
  hash: string;
}

/** `pending` requests waiting for approval, to click on. */
async function pendingRequests(): Promise<Target[]> {
  const targets: Target[] = [];
  for (let i = 0; i < pending; i++) {
    const { workflowId, handle } = await requestAction(fx.client, fx.config, {
      agent: 'support-bot',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      body: { amount: 60 + i, order: `ACK-${randomUUID()}` },
    });
    let hash = '';
    while (!hash || (await handle.query(statusQuery)).state !== 'pending') {
      hash = (await handle.query(statusQuery)).requestHash;
      await new Promise((r) => setTimeout(r, 10));
    }
    targets.push({ workflowId, hash });
  }
  return targets;
}

const who = [people.alice, people.bob, people.mallory];
const body = (targets: Target[], i: number): string => {
  const t = targets[i % pending] as Target;
  const from = who[i % who.length] ?? people.alice;
  return JSON.stringify({
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://localhost:56150/_connector',
    from: { id: `user-${from.userId}`, name: from.displayName, aadObjectId: from.aadObjectId },
    conversation: {
      isGroup: true,
      conversationType: 'groupChat',
      tenantId: from.tenantId,
      id: 'airlock-approvals-chat',
    },
    recipient: { id: config.AIRLOCK_TEAMS_PLAYGROUND_BOT_ID, name: 'Airlock' },
    channelData: { tenant: { id: from.tenantId } },
    replyToId: '1',
    value: {
      actionId: 'approval:approve',
      value: JSON.stringify({ workflowId: t.workflowId, requestHash: t.hash }),
    },
  });
};

/** POST `clicks` bodies at once; each one's time to its 200, and when the burst started. */
async function burst(url: string, targets: Target[]): Promise<{ acks: number[]; t0: number }> {
  const bodies = Array.from({ length: clicks }, (_, i) => body(targets, i));
  const t0 = performance.now();
  const acks = await Promise.all(
    bodies.map(async (b) => {
      const start = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        body: b,
        headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      });
      await res.text();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return performance.now() - start;
    }),
  );
  return { acks, t0 };
}

const outcomes = (targets: Target[]) =>
  Promise.all(
    targets.map((t) =>
      fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(t.workflowId).result(),
    ),
  );
const executedOnce = (targets: Target[]) =>
  targets.every(
    (t) => fx.api.refunds.filter((r) => r.idempotencyKey === t.workflowId).length === 1,
  );

const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
const nobody: Target[] = Array.from({ length: pending }, () => ({
  workflowId: `action:warm-up-${randomUUID()}`,
  hash: 'x',
}));
// Warm-up: the client side, and each webhook once (its clicks name no running workflow, so the
// signals behind them are refused as unknown and dropped).
await burst(bareUrl, nobody);
for (const url of [noopUrl, inboxUrl]) await burst(url, nobody);
for (const url of [ownNoopUrl, ownInboxUrl]) await burstFrom(url, nobody);
while (inbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 10));

/** Per target: each round's ack times, and when the last of its signals was accepted. */
const acks = {
  bare: [],
  noop: [],
  inbox: [],
  signals: [],
  ownInbox: [],
  ownNoop: [],
} as Record<'bare' | 'noop' | 'inbox' | 'signals' | 'ownInbox' | 'ownNoop', number[][]>;
/** Production topology: from the burst's start until all its requests executed (ms). */
const allExecuted: number[] = [];
const allIn = { inbox: [] as number[], signals: [] as number[] };
const syncs: number[] = [];
let correct = true;

async function runInbox(): Promise<void> {
  const targets = await pendingRequests();
  delivered.length = 0;
  const before = inbox.stats();
  const { acks: times, t0 } = await burst(inboxUrl, targets);
  acks.inbox.push(times);
  while (inbox.stats().delivered - before.delivered < clicks) {
    await new Promise((r) => setTimeout(r, 1));
  }
  allIn.inbox.push(Math.max(...delivered) - t0);
  syncs.push(inbox.stats().syncs - before.syncs);
  const done = await outcomes(targets);
  correct &&= done.every((o) => o.decidedBy.length === 1) && executedOnce(targets);
}

async function runOwnInbox(): Promise<void> {
  const targets = await pendingRequests();
  const { acks: times, t0 } = await burstFrom(ownInboxUrl, targets);
  acks.ownInbox.push(times);
  const done = await outcomes(targets);
  allExecuted.push(Date.now() - t0);
  correct &&= done.every((o) => o.decidedBy.length === 1) && executedOnce(targets);
}

async function runSignals(): Promise<void> {
  // The same number of bare Temporal signals at once (to parked workflows).
  const parked = await Promise.all(
    Array.from({ length: pending }, () =>
      fx.client.workflow.start(durableWaitWorkflow, {
        taskQueue: `ack-bench-${randomUUID()}`,
        workflowId: `ack-${randomUUID()}`,
        args: [{ purpose: 'bench' }],
      }),
    ),
  );
  const times = await Promise.all(
    Array.from({ length: clicks }, async (_, i) => {
      const t0 = performance.now();
      await parked[i % pending]?.signal(releaseSignal, { token: String(i) });
      return performance.now() - t0;
    }),
  );
  acks.signals.push(times);
  allIn.signals.push(Math.max(...times));
  await Promise.all(parked.map((h) => h.terminate('bench done')));
}

for (let round = 0; round < rounds; round++) {
  acks.bare.push((await burst(bareUrl, nobody)).acks);
  acks.noop.push((await burst(noopUrl, nobody)).acks);
  acks.ownNoop.push((await burstFrom(ownNoopUrl, nobody)).acks);
  await runOwnInbox();
  await runInbox();
  await runSignals();
}

const row = (name: string, perRound: number[][], all?: number[]) => {
  const v = perRound.flat();
  const p99s = perRound.map((r) => percentile(r, 99).toFixed(0)).join(', ');
  const last = all ? all.map((t) => t.toFixed(0)).join(', ') : '–';
  return `| ${name} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 99))} | ${ms(Math.max(...v))} | ${p99s} | ${last} |`;
};
console.log(
  `### Webhook acknowledgment under ${clicks} concurrent clicks (${pending} pending requests, ${rounds} rounds)\n\nMachine: ${machine()}\n`,
);
console.log(
  `| target | ack p50 | ack p99 | ack max | p99 per round (ms) | all ${clicks} signals accepted by Temporal, per round (ms) |\n| --- | --- | --- | --- | --- | --- |`,
);
console.log(
  row(
    'webhook (verify, decide, sign, keep the decision (fsync), ack; then signal)',
    acks.inbox,
    allIn.inbox,
  ),
);
console.log(
  row(`bare Temporal signals, ${clicks} at once from one client`, acks.signals, allIn.signals),
);
console.log(row('webhook, nothing behind the inbox', acks.noop));
console.log(
  row(
    'production topology: workers/webhook.ts (Bot Framework JWT, inbox), own process',
    acks.ownInbox,
  ),
);
console.log(row('production topology: nothing behind the inbox (JWT), own process', acks.ownNoop));
console.log(row('bare node:http server (read body, 200)', acks.bare));
console.log(
  `\nProduction topology, from the burst's start until all ${pending} requests executed: ${allExecuted.map((t) => t.toFixed(0)).join(', ')} ms.\nGoal: ack p99 < 200 ms. Inbox fsyncs per burst: ${syncs.join(', ')}. Every request decided once and executed exactly once: ${correct}.`,
);
await worker.stop();
await viaInbox.close();
await noop.close();
for (const child of children) child.kill('SIGTERM');
await keys.close();
bare.close();
await fx.close();
process.exit(0);
