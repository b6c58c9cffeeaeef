// Click-to-execution latency: an Approve click entering the webhook (startWebhook, through the
// Agents Playground's submit API) until the refunds API receives the request, versus a bare
// Temporal baseline on the same server: a signal to a parked durableWaitWorkflow until its
// activity's request reaches an HTTP server (bench/bare-worker.ts), the activity queued through the
// server (the baseline the goal is stated against) and, as a second baseline, run as a local
// activity inside the signal's workflow task, as Airlock's execution is. The workers are processes
// of their own; every end is timed the same way (performance.now() in this process, at the HTTP
// server that receives the request); rounds interleave and rotate which side goes first. Each
// round's workflow history splits the time into stages (the server's event times).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { WorkflowHandle } from '@temporalio/client';
import { requestAction } from '../src/actions/request.ts';
import { releaseSignal } from '../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../workflows/index.ts';
import { buttons, cardPosted, GROUP_CHAT, startStack } from '../test/helpers/stack.ts';
import { envFor, killProcess, repoRoot, waitForLine } from '../test/helpers/temporal.ts';
import { machine, ms, percentile } from './stats.ts';
import { stages, type Stages } from './history-stages.ts';

const rounds = Number(process.argv[2] ?? 30);
const warmup = 3;
const settleMs = 200; // let the workflow park (its workflow task completed) before the click

const stack = await startStack();
await stack.worker();

// The bare worker's activity POSTs here; the time it arrives ends a bare round.
const arrived = new Map<string, (at: number) => void>();
const hits = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token: string };
    arrived.get(token)?.(at);
    res.end('{}');
  });
});
await new Promise<void>((r) => hits.listen(0, '127.0.0.1', r));
const hitUrl = `http://127.0.0.1:${(hits.address() as { port: number }).port}/`;
const bareQueue = `bench-bare-${randomUUID()}`;
const bareWorker: ChildProcess = spawn(process.execPath, ['bench/bare-worker.ts', hitUrl], {
  cwd: repoRoot,
  env: envFor({ ...stack.config, TEMPORAL_TASK_QUEUE: bareQueue }),
  stdio: ['ignore', 'pipe', 'pipe'],
});
bareWorker.stderr?.on('data', (c: Buffer) => process.stderr.write(c));
await waitForLine(bareWorker, /bare worker ready/);

// Ours ends when the refunds API records the refund (same process, same clock).
const refunds = stack.fx.api.refunds;
let refundAt: ((at: number) => void) | undefined;
const push = refunds.push.bind(refunds);
refunds.push = (...items) => {
  const at = performance.now();
  const n = push(...items);
  refundAt?.(at);
  return n;
};

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const wall = (t: number) => performance.timeOrigin + t;

interface Sample {
  total: number;
  stages: Stages;
}

async function oursRound(i: number): Promise<Sample> {
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 100 + i, order: `BENCH-${randomUUID()}` },
  });
  const card = await cardPosted(stack.pg, workflowId);
  await sleep(settleMs);
  const hit = new Promise<number>((r) => (refundAt = r));
  const t0 = performance.now();
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: buttons(card)[0]?.data ?? {},
    fromId: 'user-bob',
  });
  const t1 = await hit;
  refundAt = undefined;
  await handle.result();
  return { total: t1 - t0, stages: await stages(handle, wall(t0), wall(t1), 'executeAction') };
}

async function bareRound(localActivity: boolean): Promise<Sample> {
  const token = randomUUID();
  const h: WorkflowHandle<typeof durableWaitWorkflow> = await stack.fx.client.workflow.start(
    durableWaitWorkflow,
    {
      taskQueue: bareQueue,
      workflowId: `bench-${token}`,
      args: [{ purpose: 'bench', localActivity }],
    },
  );
  await sleep(settleMs);
  const hit = new Promise<number>((r) => arrived.set(token, r));
  const t0 = performance.now();
  await h.signal(releaseSignal, { token });
  const t1 = await hit;
  arrived.delete(token);
  await h.result();
  return { total: t1 - t0, stages: await stages(h, wall(t0), wall(t1), 'stampRelease') };
}

const ours: Sample[] = [];
const bare: Sample[] = [];
const bareLocal: Sample[] = [];
const sides = [
  { samples: ours, round: (i: number) => oursRound(i) },
  { samples: bare, round: () => bareRound(false) },
  { samples: bareLocal, round: () => bareRound(true) },
];
for (let i = 0; i < rounds + warmup; i++) {
  // Rotate which side goes first, so none always follows another's cleanup.
  for (let k = 0; k < sides.length; k++) {
    const side = sides[(i + k) % sides.length] as (typeof sides)[number];
    const sample = await side.round(i);
    if (i >= warmup) side.samples.push(sample);
  }
}
await killProcess(bareWorker, 'SIGTERM');
hits.close();
await stack.close();

const totals = (s: Sample[]) => s.map((x) => x.total);
const p50o = percentile(totals(ours), 50);
const p50b = percentile(totals(bare), 50);
const p99o = percentile(totals(ours), 99);
const p99b = percentile(totals(bare), 99);
const p50l = percentile(totals(bareLocal), 50);
const p99l = percentile(totals(bareLocal), 99);
console.log(
  `### Click-to-execution (${rounds} interleaved rounds, ${warmup} warm-up)\n\nMachine: ${machine()}\n`,
);
console.log('| path | N | p50 | p99 | max |\n| --- | --- | --- | --- | --- |');
console.log(
  `| ours: Approve click → Playground → webhook (verify, sign, inbox fsync, signal) → workflow (signature check, tally, audit) → vault → refunds API | ${ours.length} | ${ms(p50o)} | ${ms(p99o)} | ${ms(Math.max(...totals(ours)))} |`,
);
console.log(
  `| bare: signal → workflow task → activity → its HTTP request arrives | ${bare.length} | ${ms(p50b)} | ${ms(p99b)} | ${ms(Math.max(...totals(bare)))} |`,
);
console.log(
  `| bare, local activity: signal → workflow task → local activity's HTTP request arrives | ${bareLocal.length} | ${ms(p50l)} | ${ms(p99l)} | ${ms(Math.max(...totals(bareLocal)))} |`,
);
console.log(
  `\nRatio ours / bare: p50 **${(p50o / p50b).toFixed(2)}x**, p99 ${(p99o / p99b).toFixed(2)}x (goal ≤ 1.2x at p50); ours / bare local activity: p50 ${(p50o / p50l).toFixed(2)}x, p99 ${(p99o / p99l).toFixed(2)}x\n`,
);
console.log('Where the time goes (medians per stage; the server event times of each history):\n');
console.log('| stage | ours | bare | bare, local activity |\n| --- | --- | --- | --- |');
const keys = new Set([...ours, ...bare, ...bareLocal].flatMap((x) => Object.keys(x.stages)));
for (const k of keys) {
  const med = (s: Sample[]) => {
    const values = s.map((x) => x.stages[k]).filter((v): v is number => v !== undefined);
    return values.length ? ms(percentile(values, 50)) : '–';
  };
  console.log(`| ${k} | ${med(ours)} | ${med(bare)} | ${med(bareLocal)} |`);
}
process.exit(0);
