// A lone approving click costs one local activity in all: the signature check appends the
// decision's audit record itself and then makes the first attempt at the execution (both in
// execute.ts), in the click's workflow task. A run recorded before the record joined the check
// (two local activities: check, then append) is refused since that patch was retired.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { workflowsPath } from '../../src/temporal/worker.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { actionWorkerHooks, click, people, signed, untilRefused } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { localActivityType } from '../helpers/replay.ts';

const T = proto.temporal.api.enums.v1.EventType;

let fx: ActionFixture;
actionWorkerHooks((f) => (fx = f));

async function pendingRefund() {
  const { workflowId } = await requestAction(fx.client, fx.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 300, order: `R-${process.pid}-${Date.now()}` },
  });
  const handle = fx.client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
  for (let i = 0; i < 100; i++) {
    // Parked: the wait loop's timer started (the cards are posted and audited).
    const events = (await handle.fetchHistory()).events ?? [];
    const status = await handle.query(statusQuery);
    if (events.some((e) => e.eventType === T.EVENT_TYPE_TIMER_STARTED) && status.requestHash)
      return { handle, hash: status.requestHash };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never became pending`);
}

test('a lone signed approval: one local activity checks the signature, records the decision and executes, in the workflow task of the click; the decision is audited (signer included) before it executes', async () => {
  const { handle, hash } = await pendingRefund();
  const wf = handle.workflowId;
  const good = signed(wf, click(people.bob, 'approve', hash));
  await handle.signal(approvalDecisionSignal, good);
  assert.equal((await handle.result()).outcome, 'executed');

  const events = (await handle.fetchHistory()).events ?? [];
  const signaled = events.findIndex(
    (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  );
  const afterClick = events.slice(signaled);
  assert.ok(
    !afterClick.some(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeAction',
    ),
    'the execution is not queued through the server',
  );
  const completed = afterClick.findIndex(
    (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  );
  const local = afterClick.slice(completed).map(localActivityType).filter(Boolean);
  assert.deepEqual(local.slice(0, 2), ['checkRecordAndExecute', 'recordAudit']);

  const records = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === wf,
  );
  const types = records.map((r) => r.type);
  assert.ok(
    types.indexOf('decision') >= 0 && types.indexOf('decision') < types.indexOf('executed'),
  );
  const decision = records.find((r) => r.type === 'decision');
  assert.equal(decision?.approver?.userId, 'bob');
  assert.equal(decision?.detail?.['signedBy'], good.signature?.keyId);
  assert.equal(decision?.detail?.['decisionId'], good.decisionId);
  assert.equal(new Set(records.map((r) => r.id)).size, records.length, 'event ids stay unique');
});

test('a lone forged approval is refused and leaves no decision record; nothing executes until a signed one', async () => {
  const { handle, hash } = await pendingRefund();
  const wf = handle.workflowId;
  await handle.signal(approvalDecisionSignal, click(people.bob, 'approve', hash)); // unsigned
  const s = await untilRefused(handle, 1);
  assert.equal(s.state, 'pending');
  assert.equal(s.rejectedClicks[0]?.why, 'decision not signed by the webhook');
  const read = async () =>
    (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
      (r) => r.workflowId === wf,
    );
  assert.deepEqual(
    (await read())
      .filter((r) => r.type === 'decision' || r.type === 'rejected-click')
      .map((r) => r.type),
    ['rejected-click'],
  );
  await handle.signal(approvalDecisionSignal, signed(wf, click(people.alice, 'approve', hash)));
  assert.equal((await handle.result()).outcome, 'executed');
  const decisions = (await read()).filter((r) => r.type === 'decision');
  assert.deepEqual(
    decisions.map((r) => r.approver?.userId),
    ['alice'],
  );
});

test('a run recorded with the earlier two local activities (check, then append) is refused since the patch was retired, naming the old activity', async () => {
  // Recorded from the code before the change (payloads unencrypted), encoded as History. No such
  // run is left (see recordWithCheck in execute.ts); the replayer refuses it, it does not re-run it.
  const history = proto.temporal.api.history.v1.History.decode(
    readFileSync(
      new URL('../fixtures/histories/approved-two-local-activities.bin', import.meta.url),
    ),
  );
  await assert.rejects(Worker.runReplayHistory({ workflowsPath }, history), (err) => {
    assert.equal((err as Error).name, 'DeterminismViolationError');
    assert.match((err as Error).message, /checkDecisionSignatures/);
    return true;
  });
});
