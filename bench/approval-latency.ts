// Click-to-execution latency: an Approve click entering the webhook server (through the Agents
// Playground's submit API) until the refunds API receives the request, versus a bare Temporal
// baseline on the same server: a signal to a waiting workflow until its activity has run (no chat,
// policy or vault). Both sides run interleaved in one process against the shared dev server.
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { requestAction } from '../src/actions/request.ts';
import { createLogger } from '../src/log.ts';
import { createDeps } from '../src/deps.ts';
import { noChatSurface } from '../src/chat/none.ts';
import { createWorker } from '../src/temporal/worker.ts';
import { releaseSignal } from '../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../workflows/index.ts';
import { buttons, cardPosted, GROUP_CHAT, startStack } from '../test/helpers/stack.ts';
import { testConfig } from '../test/helpers/temporal.ts';
import { machine, ms, percentile } from './stats.ts';

const rounds = Number(process.argv[2] ?? 30);
const stack = await startStack();
await stack.worker();
const baseConfig = testConfig();
const baseWorker: Worker = await createWorker({
  config: baseConfig,
  logger: createLogger({ level: 'warn' }),
  deps: createDeps(baseConfig, noChatSurface),
});
const baseRunning = baseWorker.run();

const ours: number[] = [];
const bare: number[] = [];
for (let i = 0; i < rounds + 3; i++) {
  // Ours: a pending refund, its card in the Playground, then Approve → refunds API hit.
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 100 + i, order: `BENCH-${randomUUID()}` },
  });
  const card = await cardPosted(stack.pg, workflowId);
  const before = stack.fx.api.refunds.length;
  const t0 = Date.now();
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: buttons(card)[0]?.data ?? {},
    fromId: 'user-bob',
  });
  while (stack.fx.api.refunds.length === before) await new Promise((r) => setTimeout(r, 1));
  const t1 = Date.parse(stack.fx.api.refunds.at(-1)?.at ?? '');
  await handle.result();

  // Baseline: signal a parked workflow; its activity runs; measured to the activity's result.
  const h = await stack.fx.client.workflow.start(durableWaitWorkflow, {
    taskQueue: baseConfig.TEMPORAL_TASK_QUEUE,
    workflowId: `bench-${randomUUID()}`,
    args: [{ purpose: 'bench' }],
  });
  await new Promise((r) => setTimeout(r, 200)); // let it park on the signal
  const b0 = performance.now();
  await h.signal(releaseSignal, { token: 'go' });
  await h.result();
  const b1 = performance.now();
  if (i >= 3) {
    ours.push(t1 - t0);
    bare.push(b1 - b0);
  }
}
baseWorker.shutdown();
await baseRunning;
await stack.close();

const p50o = percentile(ours, 50);
const p50b = percentile(bare, 50);
console.log(
  `### Click-to-execution (${rounds} interleaved rounds, 3 warm-up)\n\nMachine: ${machine()}\n`,
);
console.log('| path | p50 | p99 | max |\n| --- | --- | --- | --- |');
console.log(
  `| Approve click → Playground → webhook (verify, keep the signed decision, signal) → workflow (tally, audit, card update) → vault → refunds API | ${ms(p50o)} | ${ms(percentile(ours, 99))} | ${ms(Math.max(...ours))} |`,
);
console.log(
  `| bare Temporal: signal → workflow task → activity → result | ${ms(p50b)} | ${ms(percentile(bare, 99))} | ${ms(Math.max(...bare))} |`,
);
console.log(`\nRatio (p50 ours / p50 bare): **${(p50o / p50b).toFixed(2)}x** (goal ≤ 1.5x)`);
process.exit(0);
