// The execution is a local activity in the click's workflow task: a worker SIGKILLed after the
// approved request reached the API, before its answer came back, leaves the task to the next
// worker, which sends the request again with the same Idempotency-Key; the API executes it once
// (the dead worker's claim in the execution ledger names the same run, so the retry may send) and
// the run ends executed, audited once. The click came from the card's real button, which named
// the run; the webhook's signed decision carries it. A proxy in front of the demo refunds API
// forwards the first request and keeps its answer from the worker (the production code path runs
// unchanged: only the capability's base URL differs).
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import proto from '@temporalio/proto';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { approveInPlayground, startStack } from '../helpers/stack.ts';
import { refundRequest } from '../helpers/requests.ts';
import { killProcess } from '../helpers/temporal.ts';

const T = proto.temporal.api.enums.v1.EventType;

interface Seen {
  key: string;
  status: number;
  body: string;
}

/** Forwards to `target()`; the first POST's answer is swallowed (`held` resolves instead). */
async function holdingProxy(target: () => string) {
  const seen: Seen[] = [];
  const swallowed: ServerResponse[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const to = new URL(req.url ?? '/', target());
      const out = httpRequest(to, { method: req.method, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          const key = String(req.headers['idempotency-key'] ?? '');
          seen.push({ key, status: answer.statusCode ?? 0, body });
          if (req.method === 'POST' && swallowed.length === 0) {
            swallowed.push(res); // executed at the API; the worker never hears back
            release();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    held,
    close: () => {
      for (const r of swallowed) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('a worker SIGKILLed with the approved request in flight: the next worker sends it again with the same key, and it executes once', async () => {
  let api = '';
  const proxy = await holdingProxy(() => api);
  const stack = await startStack((yaml) =>
    yaml.replace(/baseUrl: (http:\/\/127\.0\.0\.1:\d+)/, (_, url: string) => {
      api = url;
      return `baseUrl: ${proxy.url}`;
    }),
  );
  try {
    assert.ok(api, 'the refunds capability goes through the proxy');
    const first = await stack.worker();
    const { workflowId, handle } = await requestAction(
      stack.fx.client,
      stack.config,
      refundRequest({ amount: 210, order: `KILL-${process.pid}` }),
    );
    await approveInPlayground(stack.pg, workflowId);
    await proxy.held; // the API executed it; the worker waits for an answer that never comes
    await killProcess(first, 'SIGKILL');
    await stack.worker();
    const outcome = await handle.result();

    assert.equal(outcome.outcome, 'executed');
    const mine = proxy.seen.filter((s) => s.key === workflowId);
    assert.equal(mine.length, 2, 'sent twice, with the same Idempotency-Key');
    assert.equal(mine[0]?.status, 201);
    assert.match(mine[1]?.body ?? '', /"replayed":true/);
    const executed = stack.fx.api.refunds.filter((r) => r.idempotencyKey === workflowId);
    assert.equal(executed.length, 1, 'the API executed it once');
    const audit = (await new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
      (r) => r.workflowId === workflowId,
    );
    assert.equal(audit.filter((r) => r.type === 'executed').length, 1);
    assert.equal(audit.filter((r) => r.type === 'decision').length, 1);
    // The killed worker's claim in the execution ledger names this run: the retry may send.
    const { runId } = await handle.describe();
    const claims = audit.filter((r) => r.type === 'execution-claimed');
    assert.deepEqual(
      claims.map((r) => r.detail?.['runId']),
      [runId],
    );
    // The card's button named this run; the webhook signed it into the decision.
    assert.equal(outcome.decidedBy[0]?.receipt?.decision.runId, runId);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(
      events.some((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT),
      "the killed worker's workflow task timed out and went to the next worker",
    );
  } finally {
    await stack.close();
    await proxy.close();
  }
});
