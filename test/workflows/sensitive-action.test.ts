// sensitiveActionWorkflow on the real dev server with the real vault, policy, audit log and demo
// API: allow, deny, approve, reject with a reason, refused clicks (outsider, wrong hash, requester
// approving their own request), duplicate clicks, reminders and expiry, one workflow per request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHash } from '../../src/actions/request-hash.ts';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import {
  actionWorkerHooks,
  click,
  decide,
  people,
  refundRequest,
  signed,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';

let fx: ActionFixture;
actionWorkerHooks(
  (f) => (fx = f),
  (yaml) =>
    // Real seconds on a shared machine: wide enough that a busy worker still posts the card and
    // takes the click before the first reminder and the expiry.
    yaml.replace('remindEvery: 4h', 'remindEvery: 7s').replace('after: 3d', 'after: 20s'),
);

let n = 0;
const refund = (amount: number, extra: Partial<ActionRequest> = {}): ActionRequest =>
  refundRequest({ amount, order: `A-${process.pid}-${++n}` }, extra);

async function pending(workflowId: string) {
  const handle = fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
  for (let i = 0; i < 100; i++) {
    const status = await handle.query(statusQuery);
    if (
      status.state === 'pending' &&
      fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`)
    )
      return handle;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never became pending`);
}

const hashOf = async (workflowId: string) =>
  (
    await fx.client.workflow
      .getHandle<typeof sensitiveActionWorkflow>(workflowId)
      .query(statusQuery)
  ).requestHash;

test('a small refund is allowed by policy and executes once, with no card', async () => {
  const before = fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(fx.client, fx.config, refund(20));
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.rule, 'refunds-small');
  assert.equal(fx.api.refunds.length, before + 1);
  assert.equal(fx.api.refunds.at(-1)?.idempotencyKey, workflowId);
  assert.ok(!fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`));
});

test('a request no rule allows is denied with the reason, and nothing executes', async () => {
  const before = fx.api.refunds.length;
  const { handle } = await requestAction(
    fx.client,
    fx.config,
    refund(20, { agent: 'research-bot' }),
  );
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'denied');
  assert.match(outcome.message, /may not use capability "refunds-api"/);
  assert.equal(fx.api.refunds.length, before);
});

test('approval: outsider, wrong hash and duplicate clicks change nothing; the approver executes once', async () => {
  const before = fx.api.refunds.length;
  const { workflowId } = await requestAction(fx.client, fx.config, refund(120));
  const handle = await pending(workflowId);
  const hash = await hashOf(workflowId);
  await decide(handle, people.mallory, hash);
  await handle.signal(
    approvalDecisionSignal,
    signed(handle.workflowId, click(people.bob, 'approve', 'deadbeef0000')),
  );
  const alice = signed(handle.workflowId, click(people.alice, 'approve', hash));
  await handle.signal(approvalDecisionSignal, alice);
  await handle.signal(approvalDecisionSignal, alice);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => d.approver.aadObjectId),
    [people.alice.aadObjectId],
  );
  assert.equal(fx.api.refunds.length, before + 1);
  const status = await handle.query(statusQuery);
  assert.deepEqual(
    status.rejectedClicks.map((r) => r.why),
    ['not an authorized approver for this request', 'request hash does not match this request'],
  );
  const last = fx.cards.updates
    .filter((u) => u.cards[0]?.messageId === `card-${workflowId}`)
    .at(-1);
  assert.equal(last?.view.state, 'approved');
  assert.match(last?.view.outcomeText ?? '', /^Approved by Alice Approver at \d\d:\d\d UTC$/);
  const described = await handle.describe();
  assert.deepEqual(described.searchAttributes.Approver, ['Alice Approver']);
  assert.deepEqual(described.searchAttributes.ApprovalState, ['executed']);
  const records = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === workflowId,
  );
  assert.deepEqual(
    records.map((r) => r.type),
    [
      'requested',
      'cards-posted',
      'rejected-click',
      'rejected-click',
      'decision',
      'execution-claimed',
      'executed',
    ],
  );
  assert.equal(records[4]?.approver?.aadObjectId, people.alice.aadObjectId);
  assert.ok(
    records.every(
      (r) => r.policyHash === records[0]?.policyHash && r.requestHash?.startsWith(hash),
    ),
  );
  assert.equal((await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).verify()).ok, true);
});

test('out-of-order deliveries: clicks that arrive before the cards are posted count once, in the order Temporal accepted them', async () => {
  const before = fx.api.refunds.length;
  const request = refund(150);
  const { workflowId, handle } = await requestAction(fx.client, fx.config, request);
  // Sent at once, while the workflow is still deciding: Alice's approval, its redelivery, and
  // Bob's rejection stamped earlier than Alice's click but delivered after it.
  const hash = requestHash(request);
  const alice = signed(handle.workflowId, click(people.alice, 'approve', hash));
  const bob = signed(
    handle.workflowId,
    click(people.bob, 'reject', hash, {
      receivedAt: new Date(Date.now() - 60_000).toISOString(),
      reason: 'late',
    }),
  );
  await handle.signal(approvalDecisionSignal, alice);
  await handle.signal(approvalDecisionSignal, alice);
  await handle.signal(approvalDecisionSignal, bob);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => [d.approver.displayName, d.choice]),
    [['Alice Approver', 'approve']],
  );
  assert.equal(fx.api.refunds.length, before + 1);
  const status = await handle.query(statusQuery);
  assert.deepEqual(
    status.rejectedClicks.map((r) => [r.approver, r.why]),
    [['Bob Approver', 'request already approved']],
  );
  const types = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read())
    .filter((r) => r.workflowId === workflowId)
    .map((r) => r.type);
  assert.deepEqual(types, [
    'requested',
    'cards-posted',
    'decision',
    'rejected-click',
    'execution-claimed',
    'executed',
  ]);
});

test('a rejection ends the request with the reason, and nothing executes', async () => {
  const before = fx.api.refunds.length;
  const { workflowId } = await requestAction(fx.client, fx.config, refund(300));
  const handle = await pending(workflowId);
  await handle.signal(
    approvalDecisionSignal,
    signed(
      handle.workflowId,
      click(people.bob, 'reject', await hashOf(workflowId), { reason: 'Order already refunded' }),
    ),
  );
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'rejected');
  assert.match(
    outcome.message,
    /^Rejected by Bob Approver at \d\d:\d\d UTC: Order already refunded$/,
  );
  assert.equal(fx.api.refunds.length, before);
});

test('the requester may not approve their own request; another approver may', async () => {
  const { workflowId } = await requestAction(
    fx.client,
    fx.config,
    refund(75, {
      requester: {
        platform: 'teams',
        aadObjectId: people.alice.aadObjectId,
        displayName: 'Alice Approver',
      },
    }),
  );
  const handle = await pending(workflowId);
  const hash = await hashOf(workflowId);
  await decide(handle, people.alice, hash);
  await decide(handle, people.bob, hash);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => d.approver.displayName),
    ['Bob Approver'],
  );
  assert.deepEqual(
    (await handle.query(statusQuery)).rejectedClicks.map((r) => r.why),
    ['the requester may not approve their own request'],
  );
});

test('nobody answers: reminders, then expiry denies, the card says so, and nothing executes', async () => {
  const before = fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(fx.client, fx.config, refund(99));
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'expired');
  assert.equal(outcome.message, 'Expired after 20 seconds — denied');
  assert.equal(fx.api.refunds.length, before);
  const views = fx.cards.updates
    .filter((u) => u.cards[0]?.messageId === `card-${workflowId}`)
    .map((u) => u.view);
  // Real seconds: how many reminders fit before the expiry depends on when the busy worker posted
  // the card (the exact schedule is tested on the time-skipping server, approval-timers.test.ts).
  const seen = views.map((v) => v.notes?.[0] ?? v.outcomeText);
  assert.equal(seen.at(-1), 'Expired after 20 seconds — denied');
  assert.ok(seen.length >= 2, `at least one reminder before the expiry: ${seen.join(' | ')}`);
  assert.deepEqual(
    seen.slice(0, -1),
    seen.slice(0, -1).map((_, i) => `Reminder ${i + 1}: still waiting for a decision`),
  );
});

test('requesting the same request twice gives the same workflow, not a second one', async () => {
  const r = refund(20);
  const first = await requestAction(fx.client, fx.config, r);
  await first.handle.result();
  const second = await requestAction(fx.client, fx.config, r);
  assert.equal(second.workflowId, first.workflowId);
  assert.equal((await second.handle.describe()).runId, (await first.handle.describe()).runId);
});
