// An 8-hour grant under the time-skipping test server: approved "for 8 hours" at hour 0, an
// identical request at 7:59 runs on the grant without a card, and one after hour 8 asks again
// because the grant's durable timer has ended its workflow.
//
// Time moves only in env.sleep: workflows are started and awaited through a plain client on the
// test connection (env.client unlocks time skipping while it awaits a result, and the server then
// races ahead to the grant's 8-hour timer as soon as the parent run is done). And the test server
// leaks a time-skipping lock when an abandoned child completes after its parent closed
// (temporalio/sdk-java#2392), so once the grant has expired time only runs in real time: the last
// sleep ends one second past the deadline and nothing after it waits on a timer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { createDeps } from '../../src/deps.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { workflowsPath } from '../../src/temporal/worker.ts';
import type { grantWorkflow } from '../../workflows/grant/workflow.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { actionFixture, decide, people, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { timeSkippingHooks } from '../helpers/temporal.ts';

const HOUR = 3_600_000;
let client: Client;
let fx: ActionFixture;
const days = timeSkippingHooks(async (env, ts) => {
  // Not env.client: its result() would let the server skip time on its own.
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  fx = await actionFixture((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 8h\n',
    ),
  );
  ts.cleanup(() => fx.close());
});

// Same agent, capability, method, rule and grant key field (currency); a new order each time.
const refund = (): ActionRequest =>
  refundRequest({ amount: 90, currency: 'EUR', order: `G-${randomUUID()}` });
const carded = (workflowId: string) =>
  fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`);

/** Poll until the request waits with its card out (time skipping locked: real speed). */
async function pendingWithCard(workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(statusQuery);
    if (s.state === 'pending' && carded(workflowId)) return s.requestHash;
    if (s.state !== 'deciding' && s.state !== 'pending') assert.fail(`${workflowId}: ${s.state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return assert.fail(`${workflowId}: no card`);
}

test('a grant for 8 hours stops applying at hour 8', async () => {
  const taskQueue = `grant-timers-${randomUUID()}`;
  const worker = await Worker.create({
    connection: days.env.nativeConnection,
    taskQueue,
    workflowsPath,
    // The grant lookup reads grantWorkflow runs on the test server, not the dev server.
    activities: createActivities(
      createDeps(fx.config, fx.cards, { grants: temporalGrants(client) }),
    ),
  });
  const config = { TEMPORAL_TASK_QUEUE: taskQueue };
  const audit = new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string);
  await worker.runUntil(async () => {
    const t0 = Number(await days.env.currentTimeMs());
    const hours = async () => (Number(await days.env.currentTimeMs()) - t0) / HOUR;

    // Hour 0: Alice approves for 8 hours.
    const first = await requestAction(client, config, refund());
    const hash = await pendingWithCard(first.workflowId);
    await decide(first.handle, people.alice, hash, 'approve', { grant: { kind: 'duration' } });
    assert.equal((await first.handle.result()).outcome, 'executed');
    const granted = (await audit.read()).find(
      (r) => r.workflowId === first.workflowId && r.type === 'granted',
    );
    const grantId = String(granted?.detail?.['grantId']);
    const until = Date.parse(String(granted?.detail?.['until']));
    assert.ok(Math.abs(until - t0 - 8 * HOUR) < 60_000, `grant until ${until - t0} ms after t0`);
    const grant = client.workflow.getHandle<typeof grantWorkflow>(grantId);

    // 7:59: an identical request runs on the grant, without a card.
    await days.env.sleep(until - 60_000 - Number(await days.env.currentTimeMs()));
    const at759 = await hours();
    assert.ok(at759 > 7.98 && at759 < 8, `at ${at759} h`);
    const refunds = fx.api.refunds.length;
    const second = await requestAction(client, config, refund());
    assert.equal((await second.handle.result()).outcome, 'executed');
    assert.equal(fx.api.refunds.length, refunds + 1);
    assert.ok(!carded(second.workflowId), 'no card for a request covered by the grant');
    const allowed = (await audit.read()).find(
      (r) => r.workflowId === second.workflowId && r.type === 'allowed',
    );
    assert.equal(allowed?.detail?.['grant'], grantId);
    assert.equal((await grant.describe()).status.name, 'RUNNING');

    // One second past hour 8: the grant's timer has ended it; the same request asks again.
    await days.env.sleep(until + 1_000 - Number(await days.env.currentTimeMs()));
    assert.ok((await hours()) > 8);
    const ended = await grant.result();
    assert.equal(ended.endedBecause, 'expired');
    assert.equal(ended.active, false);
    assert.equal((await grant.describe()).status.name, 'COMPLETED');
    const third = await requestAction(client, config, refund());
    await pendingWithCard(third.workflowId);
    assert.equal((await third.handle.query(statusQuery)).state, 'pending');
    assert.equal(fx.api.refunds.length, refunds + 1, 'nothing ran without approval');
    await third.handle.terminate('test done');
  });
});
