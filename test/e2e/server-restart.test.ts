// The Temporal server is restarted (SIGKILL, same SQLite file) while an approval is pending; the
// worker and webhook server reconnect, the Approve click in the Playground is accepted, and the
// refund executes exactly once. Uses a private dev server so the shared one keeps running.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { buttons, cardPosted, cardUpdated, GROUP_CHAT, startStack } from '../helpers/stack.ts';
import { refundRequest } from '../helpers/requests.ts';
import { killProcess, startDevServer } from '../helpers/temporal.ts';

test('dev server restarted while pending: the approval still works and executes once', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'airlock-restart-')), 'temporal.db');
  let server = await startDevServer(db);
  const stack = await startStack(undefined, { TEMPORAL_ADDRESS: server.address });
  try {
    await stack.worker();
    const { workflowId, handle } = await requestAction(
      stack.fx.client,
      stack.config,
      refundRequest({ amount: 180, order: `RESTART-${process.pid}` }),
    );
    const card = await cardPosted(stack.pg, workflowId);
    const audit = new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string);
    for (let i = 0; i < 100 && !(await audit.read()).some((r) => r.type === 'cards-posted'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await killProcess(server.child, 'SIGKILL');
    server = await startDevServer(db, server.port);
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    await stack.pg.submit({
      conversationId: GROUP_CHAT,
      replyToId: card.message.messageId,
      value: buttons(card)[0]?.data ?? {},
      fromId: 'user-alice',
    });
    const outcome = await handle.result();
    assert.equal(outcome.outcome, 'executed');
    assert.equal(stack.fx.api.refunds.filter((r) => r.idempotencyKey === workflowId).length, 1);
    await cardUpdated(stack.pg, card.message.messageId, /Approved by Alice Approver at/);
  } finally {
    await stack.close();
    await killProcess(server.child, 'SIGTERM');
  }
});
