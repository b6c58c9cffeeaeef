// Webhook acknowledgment time under 200 concurrent card clicks, in the production topology:
// workers/webhook.ts in a process of its own verifying real Bot Framework tokens (RS256, from a
// local key server), deciding, signing, keeping each decision in its inbox (fsync) and acking,
// then signalling Temporal (taken from the environment: TEMPORAL_ADDRESS and the rest of
// src/config.ts). Against, with the same clicks from the same generator process
// (bench/click-burst.ts): the same webhook with nothing behind its inbox, and a bare node:http
// server, each also in a process of its own. Rounds interleave the targets (the order rotates);
// each burst starts after the previous one's requests were executed.
// Usage: node bench/webhook-ack.ts [clicks=200] [rounds=5] [warm-up bursts=3]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requestAction } from '../src/actions/request.ts';
import { loadConfig } from '../src/config.ts';
import { statusQuery } from '../workflows/sensitive-action/messages.ts';
import type { sensitiveActionWorkflow } from '../workflows/sensitive-action/workflow.ts';
import { actionFixture, people } from '../test/helpers/actions.ts';
import { envFor, repoRoot, waitForLine } from '../test/helpers/temporal.ts';
import { startKeyServer } from '../test/src/chat/helpers.ts';
import { machine, ms, percentile } from './stats.ts';

const clicks = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const warmUps = Number(process.argv[4] ?? 3);
const pending = 20;
const loadAtStart = loadavg();
const fx = await actionFixture();
const worker = await fx.startWorker();
const config = loadConfig({ ...envFor(fx.config), NODE_ENV: 'test' });

const keys = await startKeyServer();
const appId = 'airlock-bench-app';
const serviceUrl = 'http://localhost:56150/_connector';
// Bot Framework sends one token with every activity until it expires; so does the generator.
const authHeaders = {
  'content-type': 'application/json',
  authorization: `Bearer ${await keys.sign({ aud: appId, serviceurl: serviceUrl })}`,
};
const children: ChildProcess[] = [];
interface Served {
  url: string;
  pid: number;
}
async function serve(script: string, listening: RegExp, path = '/'): Promise<Served> {
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: {
      ...envFor(config),
      AIRLOCK_TEAMS_PLAYGROUND: '',
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'not-used-by-the-webhook',
      AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
      AIRLOCK_WEBHOOK_PORT: '0',
      AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-ack-inbox-')),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const { port } = JSON.parse(await waitForLine(child, listening)) as { port: number };
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `http://127.0.0.1:${port}${path}`, pid: child.pid ?? 0 };
}
const teamsPath = '/api/webhooks/teams';
const servers = {
  webhook: await serve('workers/webhook.ts', /"msg":"webhook server listening"/, teamsPath),
  noop: await serve('bench/webhook-noop.ts', /^\{"port":/, teamsPath),
  bare: await serve('bench/bare-http.ts', /^\{"port":/),
};
type Name = keyof typeof servers;
const generator = spawn(process.execPath, ['bench/click-burst.ts'], {
  cwd: repoRoot,
  stdio: ['pipe', 'pipe', 'inherit'],
});
children.push(generator);
const answers = createInterface({ input: generator.stdout })[Symbol.asyncIterator]();

/** CPU time (user + system, ms) a process has used so far (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Target {
  workflowId: string;
  hash: string;
}
interface Burst {
  acks: number[];
  /** Epoch ms when the generator began the burst. */
  start: number;
  /** CPU the server and the generator used during the burst (ms). */
  serverCpu: number;
  generatorCpu: number;
}

/** A burst of `clicks` POSTs sent at once by the generator process to `name`. */
async function burst(name: Name, targets: Target[]): Promise<Burst> {
  const bodies = Array.from({ length: clicks }, (_, i) => body(targets, i));
  const { pid } = servers[name];
  const before = [cpuMs(pid), cpuMs(generator.pid ?? 0)];
  generator.stdin?.write(
    `${JSON.stringify({ url: servers[name].url, headers: authHeaders, bodies })}\n`,
  );
  const { value } = await answers.next();
  const { start, times } = JSON.parse(String(value)) as { start: number; times: number[] };
  return {
    acks: times,
    start,
    serverCpu: cpuMs(pid) - (before[0] ?? 0),
    generatorCpu: cpuMs(generator.pid ?? 0) - (before[1] ?? 0),
  };
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
/** Click `i` of a burst: an Action.Submit on one of `targets`' cards, as Teams sends it. */
const body = (targets: Target[], i: number): string => {
  const t = targets[i % pending] as Target;
  const from = who[i % who.length] ?? people.alice;
  return JSON.stringify({
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `user-${from.userId}`, name: from.displayName, aadObjectId: from.aadObjectId },
    conversation: {
      isGroup: true,
      conversationType: 'groupChat',
      tenantId: from.tenantId,
      id: 'airlock-approvals-chat',
    },
    recipient: { id: `28:${appId}`, name: 'Airlock' },
    channelData: { tenant: { id: from.tenantId } },
    replyToId: '1',
    value: {
      actionId: 'approval:approve',
      value: JSON.stringify({ workflowId: t.workflowId, requestHash: t.hash }),
    },
  });
};

const executedOnce = (targets: Target[]) =>
  targets.every(
    (t) => fx.api.refunds.filter((r) => r.idempotencyKey === t.workflowId).length === 1,
  );
const settle = () => new Promise((r) => setTimeout(r, 250));

// Warm-up: each target a few bursts (JIT, connections); their clicks name no running workflow,
// so the signals behind them are refused as unknown and dropped.
const nobody: Target[] = Array.from({ length: pending }, () => ({
  workflowId: `action:warm-up-${randomUUID()}`,
  hash: 'x',
}));
for (let i = 0; i < warmUps; i++) {
  for (const name of Object.keys(servers) as Name[]) await burst(name, nobody);
}
await settle();

const results: Record<Name, Burst[]> = { webhook: [], noop: [], bare: [] };
const allExecuted: number[] = [];
let correct = true;
const order: Name[] = ['bare', 'webhook', 'noop'];
for (let round = 0; round < rounds; round++) {
  const targets = await pendingRequests();
  await settle();
  for (let k = 0; k < order.length; k++) {
    const name = order[(round + k) % order.length] as Name;
    if (name !== 'webhook') {
      results[name].push(await burst(name, nobody));
    } else {
      const b = await burst(name, targets);
      results.webhook.push(b);
      // The next burst starts once every request was decided and executed.
      const done = await Promise.all(
        targets.map((t) =>
          fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(t.workflowId).result(),
        ),
      );
      allExecuted.push(Date.now() - b.start);
      correct &&= done.every((o) => o.decidedBy.length === 1) && executedOnce(targets);
    }
    await settle();
  }
}
const loadAtEnd = loadavg();

const p99 = (b: Burst) => percentile(b.acks, 99);
const ratio = (name: Name) =>
  percentile(
    results[name].flatMap((b) => b.acks),
    99,
  ) /
  percentile(
    results.bare.flatMap((b) => b.acks),
    99,
  );
const perRound = (name: Name) =>
  results[name].map((b, i) => `${(p99(b) / p99(results.bare[i] as Burst)).toFixed(2)}`).join(', ');
const row = (label: string, name: Name) => {
  const v = results[name].flatMap((b) => b.acks);
  const cpu = results[name].map((b) => b.serverCpu);
  const gen = results[name].map((b) => b.generatorCpu);
  const median = (xs: number[]) => percentile(xs, 50).toFixed(0);
  return `| ${label} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 99))} | ${ms(Math.max(...v))} | ${results[name].map((b) => p99(b).toFixed(0)).join(', ')} | ${name === 'bare' ? '1' : ratio(name).toFixed(2)} (${name === 'bare' ? '–' : perRound(name)}) | ${median(cpu)} / ${median(gen)} |`;
};
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
console.log(
  `### Webhook acknowledgment under ${clicks} concurrent clicks, production topology (${pending} pending requests, ${rounds} interleaved rounds, ${warmUps} warm-up bursts per target)\n\nMachine: ${machine()}; load average ${load(loadAtStart)} at the start, ${load(loadAtEnd)} at the end. Temporal: ${config.TEMPORAL_ADDRESS}.\n`,
);
console.log(
  `| target (each in its own process) | ack p50 | ack p99 | ack max | p99 per round (ms) | p99 ÷ bare p99, all (per round) | CPU per burst, server / generator (ms, median) |\n| --- | --- | --- | --- | --- | --- | --- |`,
);
console.log(
  row('workers/webhook.ts: verify JWT, decide, sign, keep (fsync), ack; then signal', 'webhook'),
);
console.log(row('the same webhook, nothing behind the inbox', 'noop'));
console.log(row('bare node:http server (read body, 200)', 'bare'));
const webhookP99 = percentile(
  results.webhook.flatMap((b) => b.acks),
  99,
);
// Same-round ratios: each round's targets ran back to back, under about the same load.
const roundRatios = results.webhook.map((b, i) => p99(b) / p99(results.bare[i] as Burst));
const medianRatio = percentile(roundRatios, 50);
const medianP99 = percentile(results.webhook.map(p99), 50);
console.log(
  `\nMedian over rounds: webhook p99 ${ms(medianP99)}, bare p99 ${ms(percentile(results.bare.map(p99), 50))}, same-round ratio ${medianRatio.toFixed(2)}.`,
);
console.log(
  `\nBurst start → all ${pending} requests executed: ${allExecuted.map((t) => t.toFixed(0)).join(', ')} ms. Every request decided once and executed exactly once: ${correct}.\nGoal (ack p99 ≤ 100 ms and ≤ 1.5× bare), on all clicks pooled: p99 ${ms(webhookP99)}, ${ratio('webhook').toFixed(2)}× bare — ${webhookP99 <= 100 && ratio('webhook') <= 1.5 ? 'met' : 'not met'}.`,
);
await worker.stop();
for (const child of children) child.kill('SIGTERM');
await keys.close();
await fx.close();
process.exit(0);
