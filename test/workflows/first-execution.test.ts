// The approving click's local activity makes the first attempt at the execution (execute.ts).
// When that attempt throws (here: the API executes it, but its answer is cut on the way back), the
// workflow sends the request again through executeAction with the same idempotency
// key (the same run holds the execution ledger's claim); the API executes it once, because the key
// is the same, and the run ends executed with one decision and one execution audited. An API
// slower than the ordinary local activities' timeout is still sent once.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { decide, people, proxiedActionHooks, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { localActivityType } from '../helpers/replay.ts';

// In front of the demo API: the first POST is forwarded (the API executes it) and only its answer
// is cut; while `slowMs` is set, POSTs are held that long before they are forwarded instead.
let api = '';
let cut = 0;
let slowMs = 0;
const forwarded: string[] = [];

async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  if (req.method === 'POST' && slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
  const cutThis = req.method === 'POST' && slowMs === 0 && cut === 0;
  if (cutThis) cut++;
  forwarded.push(String(req.headers['idempotency-key'] ?? ''));
  const out = httpRequest(new URL(req.url ?? '/', api), {
    method: req.method,
    headers: req.headers,
  });
  out.on('response', (answer) => {
    if (cutThis) {
      // Executed at the API; the worker never hears back.
      answer.resume();
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.writeHead(502).end());
  out.end(body);
}

let fx: ActionFixture | undefined;
proxiedActionHooks(forward, (f, url) => {
  fx = f;
  api = url;
});

/** Request a refund, wait until it is pending, approve it with a signed click; its outcome. */
async function approveRefund(amount: number) {
  const f = fx as ActionFixture;
  assert.ok(api, 'the refunds capability goes through the proxy');
  const { workflowId } = await requestAction(
    f.client,
    f.config,
    refundRequest({ amount, order: `FIRST-${process.pid}-${Date.now()}` }),
  );
  const handle = f.client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
  let hash = '';
  for (let i = 0; i < 100 && !hash; i++) {
    const s = await handle.query(statusQuery);
    if (s.state === 'pending') hash = s.requestHash;
    else await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(hash, 'the request is pending');
  await decide(handle, people.bob, hash);
  return { f, workflowId, handle, outcome: await handle.result() };
}

test("the approving click's first attempt at the execution throws: the workflow sends it again with the same key, and it executes once", async () => {
  const { f, workflowId, handle, outcome } = await approveRefund(320);
  assert.equal(outcome.outcome, 'executed');
  assert.equal(cut, 1, "the first attempt's answer was cut");
  assert.deepEqual(
    forwarded,
    [workflowId, workflowId],
    'both attempts reached the API, with the same Idempotency-Key',
  );
  // The API executed the first attempt; only the same key keeps the second from paying again.
  assert.equal(f.api.refunds.length, 1, 'executed once');
  assert.equal(f.api.refunds.filter((r) => r.idempotencyKey === workflowId).length, 1);
  const events = (await handle.fetchHistory()).events ?? [];
  const local = events.map(localActivityType).filter(Boolean);
  const at = local.indexOf('checkRecordAndExecute');
  assert.ok(at >= 0, local.join(', '));
  assert.equal(
    local.slice(at).find((t) => t === 'executeAction'),
    'executeAction',
  );
  const records = (await new AuditLog(f.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === workflowId,
  );
  assert.equal(records.filter((r) => r.type === 'decision').length, 1);
  assert.equal(records.filter((r) => r.type === 'executed').length, 1);
});

test('an API slower than the local activities of a click (12 s) is sent once and executes once', async () => {
  slowMs = 12_000;
  try {
    const before = forwarded.length;
    const { f, workflowId, outcome } = await approveRefund(330);
    assert.equal(outcome.outcome, 'executed');
    assert.deepEqual(forwarded.slice(before), [workflowId], 'sent once');
    assert.equal(f.api.refunds.filter((r) => r.idempotencyKey === workflowId).length, 1);
  } finally {
    slowMs = 0;
  }
});
