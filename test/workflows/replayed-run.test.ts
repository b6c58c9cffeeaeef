// A run that is replayed executes nothing (issue 19, item 1), on the real dev server: a reset of an
// executed, an approved and a granted action, and a fresh start of a closed id with its copied
// (encrypted) input. The execution ledger in the audit log refuses a second run of the same request
// id (`replay-refused`, audited); a click signed for an earlier run is refused and audited; a grant
// from an earlier run of the same request covers nothing; every run's records are kept. A proxy in
// front of the demo API counts every POST per Idempotency-Key: no second request ever reaches it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog, type AuditRecord } from '../../src/audit/log.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { CardInput } from '../../workflows/sensitive-action/types.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import {
  click,
  decide,
  people,
  proxiedActionHooks,
  refundRequest,
  signed,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { resetToFirstTask as resetRun } from '../helpers/temporal.ts';

// Every POST that reaches the API, by Idempotency-Key.
let api = '';
const posts = new Map<string, number>();
function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const key = String(req.headers['idempotency-key'] ?? '');
  if (req.method === 'POST') posts.set(key, (posts.get(key) ?? 0) + 1);
  const out = httpRequest(new URL(req.url ?? '/', api), {
    method: req.method,
    headers: req.headers,
  });
  out.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.writeHead(502).end());
  out.end(body);
}
let fx: ActionFixture | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
proxiedActionHooks(
  forward,
  (f, url) => {
    fx = f;
    api = url;
  },
  cleanups,
);

const f = () => fx as ActionFixture;
const run = randomUUID().slice(0, 8);
const refund = (amount: number, extra: Record<string, unknown> = {}): ActionRequest =>
  refundRequest({ amount, order: `REPLAY-${randomUUID()}`, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This workflow's audit records. */
async function records(workflowId: string): Promise<AuditRecord[]> {
  const all = await new AuditLog(f().config.AIRLOCK_AUDIT_FILE as string).read();
  return all.filter((r) => r.workflowId === workflowId);
}

/** Wait (bounded) until `workflowId` has an audit record that `match` accepts. */
async function recordOf(workflowId: string, match: (r: AuditRecord) => boolean) {
  for (let i = 0; i < 200; i++) {
    const found = (await records(workflowId)).find(match);
    if (found) return found;
    await sleep(100);
  }
  const types = (await records(workflowId)).map((r) => r.type).join(', ');
  throw new Error(`no such audit record for ${workflowId}; it has: ${types}`);
}

/** The first card posted for `workflowId` (bounded wait) and the short hash it shows. */
async function pendingCard(workflowId: string, runId?: string) {
  const handle = f().client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId, runId);
  for (let i = 0; i < 200; i++) {
    const input = [...f().cards.inputs.values()].find(
      (c) => c.workflowId === workflowId && (!runId || c.runId === runId),
    );
    const status = await handle.query(statusQuery);
    if (input && status.state === 'pending') return { input, hash: status.requestHash };
    await sleep(100);
  }
  throw new Error(`${workflowId} never showed a card`);
}

/** A signed Approve click on `card`, bound to the run the card names (as the webhook builds it). */
const approveOn = (card: CardInput, hash: string, extra: Parameters<typeof click>[3] = {}) =>
  signed(
    card.workflowId,
    click(people.bob, 'approve', hash, { ...(card.runId ? { runId: card.runId } : {}), ...extra }),
  );

/** Reset `workflowId` to its first workflow task (as `temporal workflow reset --type FirstWorkflowTask`). */
const resetToFirstTask = (workflowId: string) => resetRun(f().client, workflowId);

/** The outcome of run `runId` of `workflowId`. */
const resultOf = (workflowId: string, runId: string) =>
  f().client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId, runId).result();

const terminate = (workflowId: string) => () =>
  f().client.workflow.getHandle(workflowId).terminate('replayed-run test cleanup');

test('a reset of an executed (allowed) action ends replay-refused, sends nothing, and audits why; both runs keep their records', async () => {
  const { workflowId, handle } = await requestAction(f().client, f().config, refund(20));
  assert.equal((await handle.result()).outcome, 'executed');
  assert.equal(posts.get(workflowId), 1);

  const second = await resetToFirstTask(workflowId);
  const outcome = await resultOf(workflowId, second);
  assert.equal(outcome.outcome, 'replay-refused', outcome.message);
  assert.equal(posts.get(workflowId), 1, 'the API received no second request');
  const refused = await recordOf(workflowId, (r) => r.type === 'replay-refused');
  assert.equal(refused.detail?.['runId'], second);
  const mine = await records(workflowId);
  assert.equal(mine.filter((r) => r.type === 'requested').length, 2, 'each run kept its records');
  assert.equal(mine.filter((r) => r.type === 'executed').length, 1);
  assert.equal(new Set(mine.map((r) => r.id)).size, mine.length);
});

test('a reset of an approved action: the old click, signed for the earlier run, is refused and audited; nothing is sent', async () => {
  const { workflowId, handle } = await requestAction(f().client, f().config, refund(300));
  const { input, hash } = await pendingCard(workflowId);
  assert.ok(input.runId, 'the card names the run it was posted by');
  await handle.signal(approvalDecisionSignal, approveOn(input, hash));
  assert.equal((await handle.result()).outcome, 'executed');

  const second = await resetToFirstTask(workflowId); // the click is reapplied to the new run
  cleanups.push(terminate(workflowId));
  const refused = await recordOf(workflowId, (r) => r.type === 'rejected-click');
  assert.match(String(refused.detail?.['why']), /another run/);
  const status = await f().client.workflow.getHandle(workflowId, second).query(statusQuery);
  assert.equal(
    status.state,
    'pending',
    'the new run still waits: the old click counts for nothing',
  );
  assert.equal(posts.get(workflowId), 1, 'the API received no second request');
});

test('a reset of an action approved on a card without a run binding: the execution ledger refuses it', async () => {
  const { workflowId, handle } = await requestAction(f().client, f().config, refund(310));
  const { hash } = await pendingCard(workflowId);
  // As a card posted before cards carried their run: the click names no run.
  await decide(handle, people.bob, hash);
  assert.equal((await handle.result()).outcome, 'executed');

  const second = await resetToFirstTask(workflowId);
  const outcome = await resultOf(workflowId, second);
  assert.equal(outcome.outcome, 'replay-refused', outcome.message);
  assert.equal(posts.get(workflowId), 1, 'the API received no second request');
  await recordOf(workflowId, (r) => r.type === 'replay-refused');
});

test('a reset of a granted action, and of the action that gave the grant: neither sends again', async () => {
  const currency = `RPL-${run}`;
  const sessionId = `replay-session-${run}`;
  const giver = await requestAction(f().client, f().config, {
    ...refund(90, { currency }),
    sessionId,
  });
  const { input, hash } = await pendingCard(giver.workflowId);
  await giver.handle.signal(
    approvalDecisionSignal,
    approveOn(input, hash, { grant: { kind: 'session' } }),
  );
  assert.equal((await giver.handle.result()).outcome, 'executed');
  const granted = await recordOf(giver.workflowId, (r) => r.type === 'granted');
  const grantId = String(granted.detail?.['grantId']);
  cleanups.push(() => f().client.workflow.getHandle(grantId).terminate('test cleanup'));

  const covered = await requestAction(f().client, f().config, {
    ...refund(95, { currency }),
    sessionId,
  });
  assert.equal((await covered.handle.result()).outcome, 'executed');
  await recordOf(
    covered.workflowId,
    (r) => r.type === 'allowed' && r.detail?.['grant'] === grantId,
  );

  const again = await resetToFirstTask(covered.workflowId);
  const outcome = await resultOf(covered.workflowId, again);
  assert.equal(outcome.outcome, 'replay-refused', outcome.message);
  await recordOf(covered.workflowId, (r) => r.type === 'replay-refused');

  // The giver's own grant, from its earlier run, does not let its replay through: it asks, and
  // the reapplied click (signed for the earlier run) is refused.
  const replayed = await resetToFirstTask(giver.workflowId);
  cleanups.push(terminate(giver.workflowId));
  const refused = await recordOf(giver.workflowId, (r) => r.type === 'rejected-click');
  assert.match(String(refused.detail?.['why']), /another run/);
  const status = await f().client.workflow.getHandle(giver.workflowId, replayed).query(statusQuery);
  assert.equal(status.state, 'pending', 'its own grant did not let it through: it asks');
  assert.equal(posts.get(giver.workflowId), 1);
  assert.equal(posts.get(covered.workflowId), 1);
});

test('a fresh start of a closed id with its copied encrypted input ends replay-refused and sends nothing', async () => {
  const { client, config } = f();
  const { workflowId, handle } = await requestAction(client, config, refund(25));
  assert.equal((await handle.result()).outcome, 'executed');
  const namespace = client.options.namespace;
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace,
    execution: { workflowId },
  });
  const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  assert.ok(started?.input, 'the started event carries the (encrypted) input');
  const { runId } = await client.workflowService.startWorkflowExecution({
    namespace,
    workflowId,
    workflowType: started.workflowType,
    taskQueue: started.taskQueue,
    input: started.input,
    requestId: randomUUID(),
    identity: 'replayed-run test',
  });
  const outcome = await resultOf(workflowId, runId);
  assert.equal(outcome.outcome, 'replay-refused', outcome.message);
  assert.equal(posts.get(workflowId), 1, 'the API received no second request');
  const refused = await recordOf(workflowId, (r) => r.type === 'replay-refused');
  assert.equal(refused.detail?.['runId'], runId);
});
