// End to end through Microsoft's Agents Playground: a refund that needs approval posts a card to
// the Teams group chat; clicks go Playground → webhook server → Temporal signal → worker; the
// approved refund executes once through the vault and every card shows who approved it. Also: the
// worker SIGKILLed while pending with the click arriving while no worker runs, and rejections whose
// typed reason reaches the requester.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { cardOf } from '../../src/dev/playground-client.ts';
import { reasonMaxLength } from '../../workflows/sensitive-action/messages.ts';
import { startFlakyProxy } from '../helpers/flaky-proxy.ts';
import { killProcess } from '../helpers/temporal.ts';
import {
  buttons,
  cardPosted,
  cardText,
  cardUpdated,
  GROUP_CHAT,
  startStack,
  type Stack,
} from '../helpers/stack.ts';
import { refundRequest } from '../helpers/actions.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.close();
});

let n = 0;
const refund = (amount: number) =>
  refundRequest(
    { amount, order: `E2E-${process.pid}-${++n}`, reason: 'Damaged on arrival' },
    {
      requester: {
        platform: 'teams',
        aadObjectId: '00000000-0000-0000-0000-0000000000cc',
        displayName: 'Riley Requester',
      },
    },
  );

test('approve in Teams: Mallory is refused, Bob approves, the refund runs once, every card says so', async () => {
  const worker = await stack.worker();
  const before = stack.fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(120));
  const card = await cardPosted(stack.pg, workflowId);
  const text = cardText(card);
  for (const shown of [
    'support-bot',
    'POST 127.0.0.1',
    '/refunds',
    'Riley Requester',
    'refunds-large',
    '120',
    'Damaged on arrival',
  ]) {
    assert.ok(text.includes(shown), `card shows ${shown}`);
  }
  const [approve] = buttons(card);
  assert.equal(approve?.title, 'Approve');
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: approve?.data ?? {},
    fromId: 'user-mallory',
  });
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: approve?.data ?? {},
    fromId: 'user-bob',
  });
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.decidedBy[0]?.approver.displayName, 'Bob Approver');
  assert.equal(outcome.decidedBy[0]?.approver.aadObjectId, '00000000-0000-0000-0000-000000000b0b');
  assert.equal(stack.fx.api.refunds.length, before + 1);
  const final = await cardUpdated(stack.pg, card.message.messageId, /Approved by Bob Approver at/);
  assert.equal(buttons(final).length, 0);
  const audit = (await new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === workflowId,
  );
  const refused = audit.find((r) => r.type === 'rejected-click');
  assert.equal(refused?.approver?.displayName, 'Mallory Outsider');
  assert.equal(
    audit.find((r) => r.type === 'decision')?.approver?.aadObjectId,
    '00000000-0000-0000-0000-000000000b0b',
  );
  await killProcess(worker, 'SIGTERM');
});

test('worker killed while pending: the click arrives with no worker running, the next worker executes once', async () => {
  const first = await stack.worker();
  const before = stack.fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(250));
  const card = await cardPosted(stack.pg, workflowId);
  // "Pending" means the workflow has recorded its cards; kill the worker then.
  const audit = new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string);
  for (let i = 0; i < 100; i++) {
    if ((await audit.read()).some((r) => r.workflowId === workflowId && r.type === 'cards-posted'))
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await killProcess(first, 'SIGKILL');
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: buttons(card)[0]?.data ?? {},
    fromId: 'user-alice',
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(stack.fx.api.refunds.length, before, 'nothing executes while no worker runs');
  const second = await stack.worker();
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(stack.fx.api.refunds.length, before + 1);
  assert.equal(stack.fx.api.refunds.at(-1)?.idempotencyKey, workflowId);
  await cardUpdated(stack.pg, card.message.messageId, /Approved by Alice Approver at/);
  await killProcess(second, 'SIGTERM');
});

test('a button value tampered to point at another request is refused by that request', async () => {
  const worker = await stack.worker();
  const a = await requestAction(stack.fx.client, stack.config, refund(101));
  const b = await requestAction(stack.fx.client, stack.config, refund(102));
  const cardA = await cardPosted(stack.pg, a.workflowId);
  await cardPosted(stack.pg, b.workflowId);
  const value = JSON.parse(String(buttons(cardA)[0]?.data['value'])) as {
    workflowId: string;
    requestHash: string;
  };
  const tampered = {
    ...buttons(cardA)[0]?.data,
    value: JSON.stringify({ ...value, workflowId: b.workflowId }),
  };
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: cardA.message.messageId,
    value: tampered,
    fromId: 'user-alice',
  });
  const other = {
    ...buttons(cardA)[0]?.data,
    value: JSON.stringify({ ...value, workflowId: 'session:support-bot:x' }),
  };
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: cardA.message.messageId,
    value: other,
    fromId: 'user-alice',
  });
  const { statusQuery } = await import('../../workflows/sensitive-action/messages.ts');
  let refused: { why: string }[] = [];
  for (let i = 0; i < 100 && refused.length === 0; i++) {
    refused = (await b.handle.query(statusQuery)).rejectedClicks;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(
    refused.map((r) => r.why),
    ['request hash does not match this request'],
  );
  assert.equal((await a.handle.query(statusQuery)).state, 'pending');
  await a.handle.terminate('test done');
  await b.handle.terminate('test done');
  await killProcess(worker, 'SIGTERM');
});

test('the connector fails card updates a few times; the activity retries and every card is updated', async () => {
  const proxy = await startFlakyProxy(stack.playground.url, 'PUT', 3);
  const worker = await stack.worker({ AIRLOCK_TEAMS_SERVICE_URL: `${proxy.url}/_connector` });
  try {
    const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(130));
    const card = await cardPosted(stack.pg, workflowId);
    await stack.pg.submit({
      conversationId: GROUP_CHAT,
      replyToId: card.message.messageId,
      value: buttons(card)[0]?.data ?? {},
      fromId: 'user-bob',
    });
    assert.equal((await handle.result()).outcome, 'executed');
    await cardUpdated(stack.pg, card.message.messageId, /Approved by Bob Approver at/);
    assert.equal(proxy.failed, 3);
  } finally {
    await killProcess(worker, 'SIGTERM');
    await proxy.close();
  }
});

test('reject with a reason in Teams: the requester gets the words verbatim, nothing runs, the card shows them', async () => {
  const worker = await stack.worker();
  const before = stack.fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(130));
  const card = await cardPosted(stack.pg, workflowId);
  const box = (cardOf(card)?.['body'] as { type: string; id?: string }[]).find(
    (e) => e.type === 'Input.Text',
  );
  assert.equal(box?.id, 'reason', 'the pending card has a reason box');
  const reject = buttons(card).find((b) => b.title === 'Reject');
  const typed =
    'Order E2E was already refunded on 3 Nov — see ticket #4411.\nPlease check "refund-ledger" first.';
  // What the Teams client sends for Action.Submit: the button's data plus the card's inputs.
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: { ...reject?.data, reason: typed },
    fromId: 'user-bob',
  });
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'rejected');
  assert.equal(outcome.reason, typed);
  assert.ok(outcome.message.endsWith(`: ${typed}`), outcome.message);
  assert.equal(outcome.decidedBy[0]?.reason, typed);
  assert.equal(stack.fx.api.refunds.length, before, 'nothing executed');
  const final = await cardUpdated(stack.pg, card.message.messageId, /Rejected by Bob Approver at/);
  assert.ok(cardText(final).includes('already refunded on 3 Nov'), 'the card shows the reason');
  assert.equal(buttons(final).length, 0);
  const audit = (await new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === workflowId && r.type === 'decision',
  );
  assert.equal((audit[0]?.detail as { reason?: string } | undefined)?.reason, typed);
  await killProcess(worker, 'SIGTERM');
});

test('a hostile reason is capped and stripped of control characters before the requester gets it', async () => {
  const worker = await stack.worker();
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(140));
  const card = await cardPosted(stack.pg, workflowId);
  const reject = buttons(card).find((b) => b.title === 'Reject');
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: { ...reject?.data, reason: `No\u0007 way\u001b[31m ${'x'.repeat(5000)}` },
    fromId: 'user-bob',
  });
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'rejected');
  assert.equal(outcome.reason?.length, reasonMaxLength);
  assert.ok(outcome.reason?.startsWith('No way[31m xxx'), outcome.reason?.slice(0, 20));
  assert.ok(outcome.reason?.endsWith('x…'));
  const final = await cardUpdated(stack.pg, card.message.messageId, /Rejected by Bob Approver/);
  assert.match(cardText(final), /shortened for this card/, 'the card says the long reason was cut');
  await killProcess(worker, 'SIGTERM');
});
