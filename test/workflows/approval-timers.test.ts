// Days-long approvals under the time-skipping test server: a reminder after 1 day, escalation
// after 2 (the escalation approver gets a card and may decide), expiry after 3 days with the
// requester told; and a request approved on day 364 of a 365-day wait that executes exactly once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { createDeps } from '../../src/deps.ts';
import { workflowsPath } from '../../src/temporal/worker.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { sensitiveActionWorkflow } from '../../workflows/index.ts';
import { actionFixture, decide, people, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { timeSkippingHooks } from '../helpers/temporal.ts';

const days = timeSkippingHooks();

/** A fixture whose refunds-large rule gets `approval` lines added (timers, escalation). */
async function fixture(approval: string): Promise<ActionFixture> {
  const fx = await actionFixture((yaml) =>
    yaml.replace(
      '      approvers: { groups: [refund-approvers] }\n      quorum: 1\n',
      `      approvers: { groups: [refund-approvers] }\n      quorum: 1\n${approval}`,
    ),
  );
  days.cleanup(() => fx.close());
  return fx;
}

const refund = (amount: number): ActionRequest =>
  refundRequest({ amount, order: `T-${randomUUID()}` });

/** Start a refund of `amount` on the time-skipping server, on `taskQueue`. */
async function startRefund(taskQueue: string, amount: number) {
  const workflowId = `action:${randomUUID()}`;
  const handle = await days.env.client.workflow.start(sensitiveActionWorkflow, {
    taskQueue,
    workflowId,
    args: [{ request: refund(amount) }],
  });
  return { workflowId, handle };
}

async function withWorker<T>(fx: ActionFixture, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `timers-${randomUUID()}`;
  const worker = await Worker.create({
    connection: days.env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createActivities(createDeps(fx.config, fx.cards)),
  });
  return worker.runUntil(fn(taskQueue));
}

test('reminder after 1 day, escalation after 2 (the new approver may decide), approved then', async () => {
  const fx = await fixture(
    '      remindEvery: 1d\n      escalation: [{ after: 2d, approvers: { users: [mallory] } }]\n      expiry: { after: 3d, outcome: deny }\n',
  );
  const outcome = await withWorker(fx, async (taskQueue) => {
    const { workflowId, handle } = await startRefund(taskQueue, 400);
    await days.env.sleep('1 day');
    await days.env.sleep('1 hour');
    const afterOneDay = fx.cards.updates
      .filter((u) => u.cards[0]?.messageId === `card-${workflowId}`)
      .map((u) => u.view.notes ?? []);
    assert.deepEqual(afterOneDay.at(-1), ['Reminder 1: still waiting for a decision']);
    // Before escalation Mallory is not an approver.
    const hash = (await handle.query(statusQuery)).requestHash;
    await decide(handle, people.mallory, hash);
    await days.env.sleep('1 day');
    const notes =
      fx.cards.updates.filter((u) => u.cards[0]?.messageId === `card-${workflowId}`).at(-1)?.view
        .notes ?? [];
    assert.ok(notes.includes('Escalated to Mallory Outsider'), JSON.stringify(notes));
    await decide(handle, people.mallory, hash);
    const result = await handle.result();
    assert.deepEqual(
      (await handle.query(statusQuery)).rejectedClicks.map((r) => r.why),
      ['not an authorized approver for this request'],
    );
    return result;
  });
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.decidedBy[0]?.approver.displayName, 'Mallory Outsider');
});

test('approved on day 364 of a 365-day wait: executes exactly once', async () => {
  const fx = await fixture(
    '      remindEvery: 30d\n      expiry: { after: 365d, outcome: deny }\n',
  );
  const before = fx.api.refunds.length;
  const outcome = await withWorker(fx, async (taskQueue) => {
    const { handle } = await startRefund(taskQueue, 999);
    await days.env.sleep('364 days');
    assert.equal((await handle.query(statusQuery)).state, 'pending');
    await decide(handle, people.bob, (await handle.query(statusQuery)).requestHash);
    return handle.result();
  });
  assert.equal(outcome.outcome, 'executed');
  assert.equal(fx.api.refunds.length, before + 1);
});

test('nobody decides for three days: expiry denies, the card and the requester are told', async () => {
  const fx = await fixture('      remindEvery: 1d\n      expiry: { after: 3d, outcome: deny }\n');
  const outcome = await withWorker(fx, (taskQueue) =>
    days.env.client.workflow.execute(sensitiveActionWorkflow, {
      taskQueue,
      workflowId: `action:${randomUUID()}`,
      args: [{ request: refund(77) }],
    }),
  );
  assert.equal(outcome.outcome, 'expired');
  assert.equal(outcome.message, 'Expired after 3 days — denied');
  const views = fx.cards.updates.map((u) => u.view);
  assert.deepEqual(
    views.map((v) => v.notes?.[0] ?? v.outcomeText),
    [
      'Reminder 1: still waiting for a decision',
      'Reminder 2: still waiting for a decision',
      'Expired after 3 days — denied',
    ],
  );
});
