// Creating many pending approvals cheaply, on the real dev server: the cards are planned in the
// workflow task that decided to ask (a local activity, one workflow task and one activity fewer per
// request), and the worker keeps only AIRLOCK_WORKER_CACHED_WORKFLOWS runs in memory, so a pending
// approval evicted from its cache still executes exactly once when approved.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import proto from '@temporalio/proto';
import { requestAction } from '../../src/actions/request.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { actionFixture, decide, people, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';

const T = proto.temporal.api.enums.v1.EventType;
let fx: ActionFixture;
let worker: Awaited<ReturnType<ActionFixture['startWorker']>> | undefined;

before(async () => {
  fx = await actionFixture(undefined, { AIRLOCK_WORKER_CACHED_WORKFLOWS: '2' });
  worker = await fx.startWorker();
});
after(async () => {
  await worker?.stop();
  await fx?.close();
});

const refund = (order: string) => refundRequest({ amount: 99, order });

async function cardPosted(workflowId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no card for ${workflowId}`);
}

test('the history comparison and the card plan are local activities in the first workflow task, not activities', async () => {
  const { workflowId, handle } = await requestAction(
    fx.client,
    fx.config,
    refund(`plan-${process.pid}`),
  );
  try {
    await cardPosted(workflowId);
    const markers = (events: proto.temporal.api.history.v1.IHistoryEvent[]) =>
      events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
        .length;
    // The card is out; the workflow task that records it may still be running.
    let events = (await handle.fetchHistory()).events ?? [];
    for (let i = 0; i < 100 && markers(events) < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      events = (await handle.fetchHistory()).events ?? [];
    }
    const scheduled = events
      .filter((e) => e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    assert.deepEqual(scheduled, ['postApprovalCard']);
    const tasks = events.filter((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    assert.equal(tasks.length, 2, 'one task decides, plans and posts; one records the post');
    assert.equal(
      markers(events),
      5,
      'policy, audit "requested", history comparison, plan, audit "cards-posted"',
    );
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});

test('with a cache of 2 runs, an evicted pending approval is approved and executes once', async () => {
  assert.equal(worker?.worker.options.maxCachedWorkflows, 2);
  const started = [];
  for (let i = 0; i < 5; i++) {
    const s = await requestAction(fx.client, fx.config, refund(`evict-${process.pid}-${i}`));
    await cardPosted(s.workflowId);
    started.push(s);
  }
  try {
    // The first one's run left the cache when the later ones came in: the click replays it.
    const first = started[0] as (typeof started)[number];
    const hash = (await first.handle.query(statusQuery)).requestHash;
    const before = fx.api.refunds.length;
    await decide(first.handle, people.bob, hash);
    const outcome = await first.handle.result();
    assert.equal(outcome.outcome, 'executed');
    assert.equal(fx.api.refunds.length, before + 1);
  } finally {
    await Promise.all(started.map((s) => s.handle.terminate('test done').catch(() => undefined)));
  }
});
