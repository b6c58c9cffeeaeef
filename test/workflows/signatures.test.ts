// Insider-proof approvals on the real dev server: a decision signalled from a plain Temporal client
// without the webhook's signature (or with another key's) is refused and audited and changes
// nothing; a click from a card of another policy version is refused; the requester cannot approve
// from another platform; a flood of refused clicks stays small in history and status; and the
// signed decision is a receipt `airlock receipts verify` accepts, and refuses once tampered with.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { generateDecisionKeyPair } from '../../src/receipts/keys.ts';
import { decisionSigner } from '../../src/receipts/signer.ts';
import {
  approvalDecisionSignal,
  statusQuery,
  type DecisionReceipt,
} from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import {
  actionWorkerHooks,
  assertOwnClickRefused,
  click,
  decide,
  people,
  refundRequest,
  signed,
  untilPending,
  untilRefused,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { envFor } from '../helpers/temporal.ts';

const aliceSlack = 'U0ALICE';
let fx: ActionFixture;
actionWorkerHooks(
  (f) => (fx = f),
  (yaml) =>
    yaml.replace(
      '    email: alice@example.com\n',
      `    email: alice@example.com\n    slackUserId: ${aliceSlack}\n`,
    ),
);

let n = 0;
const refund = (extra: Partial<ActionRequest> = {}): ActionRequest =>
  refundRequest({ amount: 300, order: `S-${process.pid}-${++n}-${Date.now()}` }, extra);

async function pending(request: ActionRequest) {
  const { workflowId } = await requestAction(fx.client, fx.config, request);
  return untilPending(fx.client, workflowId);
}

test('unsigned and forged decisions from a plain client are refused and audited; a signed one counts, and its receipt verifies offline', async () => {
  const { handle, status } = await pending(refund());
  const wf = handle.workflowId;
  const hash = status.requestHash;
  const forger = decisionSigner(generateDecisionKeyPair().privateKey);
  await handle.signal(approvalDecisionSignal, click(people.alice, 'approve', hash));
  await handle.signal(
    approvalDecisionSignal,
    forger.sign(wf, click(people.alice, 'approve', hash)),
  );
  // A real signature over another request's decision, replayed here.
  await handle.signal(
    approvalDecisionSignal,
    signed('action:another-request', click(people.bob, 'approve', hash)),
  );
  const s = await untilRefused(handle, 3);
  assert.equal(s.state, 'pending', 'nothing changed');
  assert.deepEqual(
    s.rejectedClicks.map((c) => c.why.replace(/ \(.*\)$/, '')),
    [
      'decision not signed by the webhook',
      'signature does not verify',
      'signature does not verify',
    ],
  );
  const audited = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === wf && r.type === 'rejected-click',
  );
  assert.equal(audited.length, 3);
  assert.equal(audited[0]?.detail?.['why'], 'decision not signed by the webhook');

  await decide(handle, people.alice, hash, 'approve', { policyHash: status.requestHash });
  const good = signed(wf, click(people.bob, 'approve', hash));
  await handle.signal(approvalDecisionSignal, good);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => d.approver.userId),
    ['bob'],
    'a click from a card under another policy does not count',
  );
  const refusedPolicy = (await handle.query(statusQuery)).rejectedClicks.at(-1);
  assert.equal(
    refusedPolicy?.why,
    'policy hash does not match the policy this request was decided under',
  );
  const decided = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).find(
    (r) => r.workflowId === wf && r.type === 'decision',
  );
  assert.equal(decided?.detail?.['signedBy'], good.signature?.keyId);

  // The receipt: printed by the CLI, verified offline, refused once one field is changed.
  const env = { ...envFor(fx.config) };
  let io = bufferIo();
  assert.equal(
    await main(['approvals', 'receipt', wf.replace(/^action:/, '')], io, env),
    0,
    io.err,
  );
  const receipts = JSON.parse(io.out) as DecisionReceipt[];
  assert.equal(receipts.length, 1);
  assert.deepEqual(receipts[0]?.decision, good);
  const dir = mkdtempSync(join(tmpdir(), 'airlock-receipt-'));
  try {
    const file = join(dir, 'receipt.json');
    writeFileSync(file, JSON.stringify(receipts[0]));
    io = bufferIo();
    assert.equal(await main(['receipts', 'verify', file], io, env), 0, io.out + io.err);
    assert.match(io.out, /^valid: Bob Approver \(teams user bob, tenant .*\) approved request /);
    const tampered = structuredClone(receipts[0]);
    tampered.decision.approver.displayName = 'Mallory Outsider';
    io = bufferIo(JSON.stringify(tampered));
    assert.equal(await main(['receipts', 'verify', '-'], io, env), 1);
    assert.match(io.out, /INVALID: signature does not verify/);
    io = bufferIo(JSON.stringify(receipts));
    const otherKey = generateDecisionKeyPair().publicKey;
    assert.equal(
      await main(['receipts', 'verify', '-', '--public-key', otherKey], io, env),
      1,
      'another public key does not vouch for it',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a plain decision from a client without the payload key is refused and audited, and jams nothing', async () => {
  assert.ok(fx.config.AIRLOCK_PAYLOAD_KEY, 'the fixture encrypts payloads');
  const { handle, status } = await pending(refund());
  const wf = handle.workflowId;
  const keyless = new Client({
    connection: await Connection.connect({ address: fx.config.TEMPORAL_ADDRESS }),
    namespace: fx.config.TEMPORAL_NAMESPACE,
  });
  try {
    // Even a correctly signed decision is refused when it arrives unencrypted: its content never
    // reaches the workflow.
    await keyless.workflow
      .getHandle(wf)
      .signal(
        approvalDecisionSignal,
        signed(wf, click(people.alice, 'approve', status.requestHash)),
      );
  } finally {
    await keyless.connection.close();
  }
  const s = await untilRefused(handle, 1);
  assert.equal(s.state, 'pending');
  assert.equal(s.rejectedClicks[0]?.why, 'malformed decision');
  const { events } = await handle.fetchHistory();
  assert.ok(
    !events?.some((e) => e.workflowTaskFailedEventAttributes),
    'no workflow task failed: the run is not stuck',
  );
  await decide(handle, people.bob, status.requestHash);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => d.approver.userId),
    ['bob'],
  );
});

test('the requester cannot approve from another platform: Alice asked on Slack, clicks on Teams', async () => {
  for (const requester of [
    { platform: 'slack', userId: aliceSlack, displayName: 'alice' },
    { platform: 'cli', userId: 'Alice@Example.com', displayName: 'alice' },
  ]) {
    const { handle, status } = await pending(refund({ requester }));
    await decide(handle, people.alice, status.requestHash);
    await decide(handle, people.bob, status.requestHash);
    const outcome = await handle.result();
    assert.equal(outcome.outcome, 'executed');
    await assertOwnClickRefused(handle, outcome.decidedBy, ['bob'], requester.platform);
  }
});

test('200 refused clicks from one identity: the workflow keeps running, history stays small, the status counts them', async () => {
  const { handle, status } = await pending(refund());
  const wf = handle.workflowId;
  // Temporal records each signal and a workflow task to take it in; what the workflow records
  // itself (audit markers, timers) must not grow with the flood.
  const { EventType } = proto.temporal.api.enums.v1;
  const temporals = new Set<unknown>([
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  ]);
  const own = async () =>
    ((await handle.fetchHistory()).events ?? []).filter((e) => !temporals.has(e.eventType)).length;
  const ownBefore = await own();
  for (let i = 0; i < 200; i++) await decide(handle, people.mallory, status.requestHash);
  let s = await handle.query(statusQuery);
  for (let i = 0; i < 200 && (s.unlistedRefusals?.[0]?.count ?? 0) < 195; i++) {
    await new Promise((r) => setTimeout(r, 50));
    s = await handle.query(statusQuery);
  }
  assert.equal(s.state, 'pending');
  assert.equal(s.rejectedClicks.length, 5);
  assert.deepEqual(s.unlistedRefusals, [{ approver: 'Mallory Outsider', count: 195 }]);
  // The five listed refusals' audit markers and the status upkeep, nothing per click.
  const added = (await own()) - ownBefore;
  assert.ok(added <= 10, `the workflow recorded ${added} events of its own for 200 clicks`);
  const audited = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === wf && r.type === 'rejected-click',
  );
  assert.equal(audited.length, 5);
  await decide(handle, people.bob, status.requestHash);
  assert.equal((await handle.result()).outcome, 'executed');
  const summary = (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).find(
    (r) => r.workflowId === wf && r.type === 'rejected-click' && r.detail?.['unlisted'],
  );
  assert.deepEqual(summary?.detail?.['unlisted'], [{ approver: 'Mallory Outsider', count: 195 }]);
});
