// Webhook acknowledgment time under 200 concurrent card clicks: Agents Playground-shaped click
// activities (as recorded from the Playground) posted at once to the real webhook server, which
// verifies each, and acknowledges after Temporal accepted the signal. Baseline in the same run: the
// same 200 concurrent POSTs to a bare node:http server that reads the body and answers 200, and
// 200 bare Temporal signals at once (the part of the work the webhook cannot skip).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestAction } from '../src/actions/request.ts';
import { createChatServer } from '../src/chat/server.ts';
import { signalDecision } from '../src/chat/signal.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { statusQuery } from '../workflows/sensitive-action/messages.ts';
import { releaseSignal } from '../workflows/durable-wait/messages.ts';
import { durableWaitWorkflow } from '../workflows/index.ts';
import type { sensitiveActionWorkflow } from '../workflows/sensitive-action/workflow.ts';
import { actionFixture, people } from '../test/helpers/actions.ts';
import { envFor } from '../test/helpers/temporal.ts';
import { machine, ms, percentile } from './stats.ts';

const clicks = Number(process.argv[2] ?? 200);
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
const webhook = await createChatServer({
  config,
  logger,
  onDecision: signalDecision(fx.client, logger),
});
const webhookUrl = `http://127.0.0.1:${await webhook.listen()}/api/webhooks/teams`;

// Pending requests to click on.
const targets: { workflowId: string; hash: string }[] = [];
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

const who = [people.alice, people.bob, people.mallory];
const body = (i: number): string => {
  const t = targets[i % pending] as { workflowId: string; hash: string };
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

async function burst(url: string): Promise<number[]> {
  const bodies = Array.from({ length: clicks }, (_, i) => body(i));
  return Promise.all(
    bodies.map(async (b) => {
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        body: b,
        headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      });
      await res.text();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return performance.now() - t0;
    }),
  );
}

const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

await burst(bareUrl); // warm-up of the client side
const baseline = await burst(bareUrl);
const ours = await burst(webhookUrl);
// Second baseline: the same number of bare Temporal signals at once (to parked workflows).
const parked = await Promise.all(
  Array.from({ length: pending }, () =>
    fx.client.workflow.start(durableWaitWorkflow, {
      taskQueue: `ack-bench-${randomUUID()}`,
      workflowId: `ack-${randomUUID()}`,
      args: [{ purpose: 'bench' }],
    }),
  ),
);
const signals = await Promise.all(
  Array.from({ length: clicks }, async (_, i) => {
    const t0 = performance.now();
    await parked[i % pending]?.signal(releaseSignal, { token: String(i) });
    return performance.now() - t0;
  }),
);
await Promise.all(parked.map((h) => h.terminate('bench done')));
const outcomes = await Promise.all(
  targets.map((t) =>
    fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(t.workflowId).result(),
  ),
);
const executedOnce = targets.every(
  (t) => fx.api.refunds.filter((r) => r.idempotencyKey === t.workflowId).length === 1,
);

console.log(
  `### Webhook acknowledgment under ${clicks} concurrent clicks (${pending} pending requests)\n\nMachine: ${machine()}\n`,
);
console.log('| target | p50 | p99 | max |\n| --- | --- | --- | --- |');
console.log(
  `| webhook server (verify, parse, signal Temporal, ack) | ${ms(percentile(ours, 50))} | ${ms(percentile(ours, 99))} | ${ms(Math.max(...ours))} |`,
);
console.log(
  `| bare Temporal signals, ${clicks} at once from one client | ${ms(percentile(signals, 50))} | ${ms(percentile(signals, 99))} | ${ms(Math.max(...signals))} |`,
);
console.log(
  `| bare node:http server (read body, 200) | ${ms(percentile(baseline, 50))} | ${ms(percentile(baseline, 99))} | ${ms(Math.max(...baseline))} |`,
);
console.log(
  `\nGoal p99 < 200 ms. Every request decided once: ${outcomes.every((o) => o.decidedBy.length === 1)}; each executed exactly once: ${executedOnce}.`,
);
await worker.stop();
await webhook.close();
bare.close();
await fx.close();
process.exit(0);
