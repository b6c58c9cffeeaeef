// The history comparison in sensitiveActionWorkflow on the real dev server, with the real audit log
// holding a crafted history: a refund 12× the agent's median is flagged on the posted card (Teams
// and Slack), pinned in the workflow's history as the activity's result, kept in the audit, and
// shown by `airlock approvals show`; a usual refund's card has no flag; and when the comparison
// fails, the card goes out anyway, without findings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { historyFields } from '../../src/actions/unusual/fields.ts';
import { openAuditLog } from '../../src/audit/open.ts';
import { cardModel } from '../../src/chat/card-model.ts';
import { slackApprovalBlocks, teamsApprovalCard } from '../../src/chat/platform-cards.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/log.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { decodedActivityOutcome } from '../../src/temporal/history-results.ts';
import { actionFixture, decide, people, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { envFor } from '../helpers/temporal.ts';

let fx: ActionFixture;
let worker: { stop(): Promise<void> } | undefined;
const tag = `${process.pid}-${Date.now()}`;
let n = 0;
const refund = (amount: number): ActionRequest =>
  refundRequest({ amount, currency: 'EUR', order: `U-${tag}-${++n}`, reason: 'parcel lost' });

before(async () => {
  fx = await actionFixture();
  // Five earlier refunds under refunds-large, a day apart, median 400 EUR, as the workflow audits them.
  const audit = openAuditLog(fx.config);
  for (const [i, amount] of [380, 390, 400, 410, 420].entries()) {
    const workflowId = `action:past-${tag}-${i}`;
    await audit.append({
      id: `${workflowId}#1`,
      type: 'requested',
      at: new Date(Date.now() - (i + 1) * 86_400_000).toISOString(),
      workflowId,
      agent: 'support-bot',
      capability: 'refunds-api',
      requestHash: 'h',
      policyRule: 'refunds-large',
      policyHash: 'p',
      detail: { method: 'POST', path: '/refunds', fields: historyFields(refund(amount).body) },
    });
  }
  worker = await fx.startWorker();
});
after(async () => {
  await worker?.stop();
  await fx?.close();
});

/** The run's handle once its first card is posted. */
async function posted(workflowId: string) {
  for (let i = 0; i < 100; i++) {
    if (fx.cards.inputs.has(`card-${workflowId}`))
      return fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never posted a card`);
}

/** How the run's compareWithHistory (a local activity in new runs) ended. */
async function comparison(workflowId: string) {
  const { events } = await fx.client.workflow.getHandle(workflowId).fetchHistory();
  // The failure's message is encrypted in the history; the client's codec reads it.
  return decodedActivityOutcome(
    fx.client.options.loadedDataConverter,
    events ?? [],
    'compareWithHistory',
  );
}

test('a refund 12× the median: flagged on the card, pinned in history, audited, shown by the CLI', async () => {
  const { workflowId } = await requestAction(fx.client, fx.config, refund(4800));
  const handle = await posted(workflowId);
  const input = fx.cards.inputs.get(`card-${workflowId}`);
  const flag = "amount 4,800 EUR — 12× this agent's median (400 EUR)";
  assert.deepEqual(
    input?.findings?.map((f) => f.text),
    [flag],
  );
  // The card as each platform gets it (escaped for its markup).
  const model = cardModel(
    workflowId,
    input.request,
    input.decision,
    input.deadline,
    { state: 'pending' },
    input.findings,
  );
  const teams = JSON.stringify(teamsApprovalCard(model));
  assert.ok(
    teams.includes(`⚠ Unusual: amount 4,800 EUR — 12× this agent's median \\\\(400 EUR\\\\)`),
    teams,
  );
  const slack = JSON.stringify(slackApprovalBlocks(model).blocks);
  assert.ok(slack.includes(`⚠ Unusual: ${flag}`), slack);

  // Pinned: the comparison completed before the card was planned, its result in the history.
  const pinned = await comparison(workflowId);
  assert.ok(pinned.completed, 'the comparison completed');
  assert.ok(pinned.result?.length, 'its result is in the history');

  let io = bufferIo();
  assert.equal(await main(['approvals', 'show', workflowId], io, envFor(fx.config)), 0, io.err);
  assert.match(io.out, /unusual: amount 4,800 EUR — 12× this agent's median \(400 EUR\)/);
  io = bufferIo();
  assert.equal(await main(['approvals', 'show', workflowId, '--json'], io, envFor(fx.config)), 0);
  const shown = JSON.parse(io.out) as { unusual: { kind: string; baseline: number }[] };
  assert.deepEqual(
    shown.unusual.map((f) => [f.kind, f.baseline]),
    [['ratio', 400]],
  );

  const hash = (await handle.query(statusQuery)).requestHash;
  await decide(handle, people.alice, hash);
  assert.equal((await handle.result()).outcome, 'executed');
  // The final card keeps the flag, and the audit says what the cards showed.
  const final = fx.cards.updates.find(
    (u) => u.cards.some((c) => c.messageId === `card-${workflowId}`) && u.view.state !== 'pending',
  );
  assert.deepEqual(
    final?.findings?.map((f) => f.text),
    [flag],
  );
  const posts = (await openAuditLog(fx.config).read()).filter(
    (r) => r.workflowId === workflowId && r.type === 'cards-posted',
  );
  assert.deepEqual(posts[0]?.detail?.['unusual'], [flag]);
});

test('a usual refund: no findings on the card', async () => {
  const { workflowId } = await requestAction(fx.client, fx.config, refund(405));
  const handle = await posted(workflowId);
  assert.equal(fx.cards.inputs.get(`card-${workflowId}`)?.findings, undefined);
  assert.ok((await comparison(workflowId)).completed);
  const io = bufferIo();
  assert.equal(await main(['approvals', 'show', workflowId], io, envFor(fx.config)), 0, io.err);
  assert.doesNotMatch(io.out, /unusual/);
  await handle.terminate('test done');
});

test('when the comparison fails, the card goes out without findings and the approval goes on', async () => {
  // A worker of its own whose audit log cannot be read back (appends still work).
  const config = { ...fx.config, TEMPORAL_TASK_QUEUE: `test-unusual-${tag}` };
  const real = openAuditLog(config);
  const audit = {
    where: real.where,
    append: real.append.bind(real),
    read: real.read.bind(real),
    verify: real.verify.bind(real),
    readAfter: () => Promise.reject(new Error('audit log unreadable (test)')),
  };
  const failing = await createWorker({
    config,
    logger: createLogger({ level: 'error' }),
    activities: createActivities(createDeps(config, fx.cards, { audit })),
  });
  const running = failing.run();
  try {
    const { workflowId } = await requestAction(fx.client, config, refund(9000));
    const handle = await posted(workflowId);
    assert.equal(fx.cards.inputs.get(`card-${workflowId}`)?.findings, undefined);
    const tried = await comparison(workflowId);
    assert.equal(tried.ran && !tried.completed, true, 'tried once, and it failed');
    assert.match(tried.failure ?? '', /audit log unreadable/);
    const hash = (await handle.query(statusQuery)).requestHash;
    await decide(handle, people.alice, hash);
    assert.equal((await handle.result()).outcome, 'executed');
  } finally {
    failing.shutdown();
    await running;
  }
});
