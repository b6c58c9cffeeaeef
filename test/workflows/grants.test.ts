// Grants on the real dev server: an approver approves "for 8 hours"; identical later requests (same
// agent, capability, method, rule and grant key field `currency`) run without a card, and the audit
// names the grant; another currency still asks; after `airlock grants revoke`, it asks again, and a
// grant revoked between the policy decision and execution is caught by the re-check. A grant
// started with a plain Temporal client (made up, or carrying a real signed approval) covers nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { createDeps } from '../../src/deps.ts';
import { grantIds, temporalGrants, type Grants } from '../../src/grants/grants.ts';
import { createLogger } from '../../src/log.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { grantStatusQuery, type GrantRecord } from '../../workflows/grant/messages.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { actionFixture, decide, people, refundRequest } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { envFor } from '../helpers/temporal.ts';

let fx: ActionFixture;
let worker: { stop(): Promise<void> };
before(async () => {
  fx = await actionFixture((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 8h\n',
    ),
  );
  worker = await fx.startWorker();
});
after(async () => {
  await worker?.stop();
  await fx?.close();
});

// Currencies of their own per run: grants live on in the shared dev server until they end.
const run = randomUUID().slice(0, 8);
const refund = (currency: string): ActionRequest =>
  refundRequest({ amount: 90, currency: `${currency}-${run}`, order: `G-${randomUUID()}` });
const cardFor = (workflowId: string) =>
  fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`);

async function approveWithGrant(workflowId: string): Promise<void> {
  const handle = fx.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 100 && !cardFor(workflowId); i++) await new Promise((r) => setTimeout(r, 50));
  const hash = (await handle.query(statusQuery)).requestHash;
  await decide(handle, people.alice, hash, 'approve', { grant: { kind: 'duration' } });
}

test('approve for 8 hours: identical requests run without a card until revoked; others still ask', async () => {
  const first = await requestAction(fx.client, fx.config, refund('EUR'));
  await approveWithGrant(first.workflowId);
  assert.equal((await first.handle.result()).outcome, 'executed');

  const second = await requestAction(fx.client, fx.config, refund('EUR'));
  const outcome = await second.handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.ok(!cardFor(second.workflowId), 'no card for a request covered by the grant');
  const audit = await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read();
  const granted = audit.find((r) => r.workflowId === first.workflowId && r.type === 'granted');
  const grantId = String(granted?.detail?.['grantId']);
  assert.match(grantId, /^grant:[0-9a-f]{32}$/);
  assert.equal(granted?.approver?.displayName, 'Alice Approver');
  assert.equal(
    audit.find((r) => r.workflowId === second.workflowId && r.type === 'allowed')?.detail?.[
      'grant'
    ],
    grantId,
  );

  const dollars = await requestAction(fx.client, fx.config, refund('USD'));
  for (let i = 0; i < 100 && !cardFor(dollars.workflowId); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.ok(cardFor(dollars.workflowId), 'another currency is not covered');
  await dollars.handle.terminate('test done');

  const env = envFor(fx.config);
  let io = bufferIo();
  assert.equal(await main(['grants', 'list', '--json'], io, env), 0, io.err);
  assert.ok((JSON.parse(io.out) as { id: string }[]).some((g) => g.id === grantId));
  io = bufferIo();
  assert.equal(
    await main(['grants', 'revoke', grantId, '--by', 'Security Desk'], io, env),
    0,
    io.err,
  );
  assert.equal(io.out, `revoked ${grantId}\n`);
  io = bufferIo();
  assert.equal(await main(['grants', 'revoke', grantId], io, env), 1);

  const third = await requestAction(fx.client, fx.config, refund('EUR'));
  for (let i = 0; i < 100 && !cardFor(third.workflowId); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.ok(cardFor(third.workflowId), 'after revocation the same request asks again');
  await third.handle.terminate('test done');
});

test('a grant stops applying when its time is up (a durable timer ends it)', async () => {
  const short = await actionFixture((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 10s\n',
    ),
  );
  const w = await short.startWorker();
  try {
    const carded = (id: string) => short.cards.posted.some((c) => c.messageId === `card-${id}`);
    const first = await requestAction(short.client, short.config, refund('GBP'));
    // Generous waits: a busy machine may take seconds to post a card.
    for (let i = 0; i < 600 && !carded(first.workflowId); i++)
      await new Promise((r) => setTimeout(r, 50));
    const hash = (await first.handle.query(statusQuery)).requestHash;
    await decide(first.handle, people.bob, hash, 'approve', { grant: { kind: 'duration' } });
    assert.equal((await first.handle.result()).outcome, 'executed');
    const covered = await requestAction(short.client, short.config, refund('GBP'));
    assert.equal((await covered.handle.result()).outcome, 'executed');
    assert.ok(!carded(covered.workflowId));
    await new Promise((r) => setTimeout(r, 10_500));
    const later = await requestAction(short.client, short.config, refund('GBP'));
    for (let i = 0; i < 600 && !carded(later.workflowId); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(carded(later.workflowId), 'after 10 s the grant has ended and a card is posted');
    await later.handle.terminate('test done');
  } finally {
    await w.stop();
    await short.close();
  }
});

test('a grant revoked while a request is in flight: the request re-checks it before executing and asks instead', async () => {
  const first = await requestAction(fx.client, fx.config, refund('CHF'));
  await approveWithGrant(first.workflowId);
  assert.equal((await first.handle.result()).outcome, 'executed');

  // Failure injection at the grant store: the policy activity finds the grant active, and the
  // grant is revoked (for real) right after, before the workflow's re-check runs.
  await worker.stop();
  const real = temporalGrants(fx.client);
  let revoked: string | undefined;
  const racing: Grants = {
    ...real,
    async active(ids) {
      const found = await real.active(ids);
      if (found && !revoked) {
        revoked = found.grant.id;
        assert.ok(await real.revoke(revoked, 'Security Desk'));
        while (await real.active([revoked])) await new Promise((r) => setTimeout(r, 20));
      }
      return found;
    },
  };
  const racingWorker = await createWorker({
    config: fx.config,
    logger: createLogger({ level: 'warn' }),
    activities: createActivities(createDeps(fx.config, fx.cards, { grants: racing })),
  });
  const running = racingWorker.run();
  try {
    const second = await requestAction(fx.client, fx.config, refund('CHF'));
    for (let i = 0; i < 100 && !cardFor(second.workflowId); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(cardFor(second.workflowId), 'the request asks once its grant is gone');
    assert.equal((await second.handle.query(statusQuery)).state, 'pending');
    // The card is posted before its audit record is appended: wait for the record (bounded).
    const stepsOf = async () =>
      (await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
        (r) => r.workflowId === second.workflowId,
      );
    let steps = await stepsOf();
    for (let i = 0; i < 100 && !steps.some((r) => r.type === 'cards-posted'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      steps = await stepsOf();
    }
    assert.deepEqual(
      steps.map((r) => r.type),
      ['requested', 'grant-revoked', 'cards-posted'],
    );
    assert.equal(steps[0]?.detail?.['decision'], 'allow');
    assert.equal(steps[1]?.detail?.['grantId'], revoked);
    await second.handle.terminate('test done');
  } finally {
    racingWorker.shutdown();
    await running;
    worker = await fx.startWorker();
  }
});

test('a grantWorkflow started with a plain client covers nothing; the real grant does', async () => {
  const real = await requestAction(fx.client, fx.config, refund('CHF'));
  await approveWithGrant(real.workflowId);
  const outcome = await real.handle.result();
  assert.equal(outcome.outcome, 'executed');
  const audit = await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read();
  const grantId = String(
    audit.find((r) => r.workflowId === real.workflowId && r.type === 'granted')?.detail?.[
      'grantId'
    ],
  );
  const record = (await fx.client.workflow.getHandle(grantId).query(grantStatusQuery)).grant;
  assert.equal(
    record.approval?.decision.signature?.alg,
    'Ed25519',
    'the grant carries the approval',
  );

  // Forged: a made-up record, and one carrying the real signed approval, for other currencies.
  const forged: string[] = [];
  for (const [currency, approval] of [
    ['JPY', undefined],
    ['NOK', record.approval],
  ] as const) {
    const request = refund(currency);
    const id = grantIds(request, outcome.rule ?? '', ['currency']).duration;
    const grant: GrantRecord = {
      ...record,
      id,
      fields: { currency: `${currency}-${run}` },
      ...(approval ? { approval } : { approval: undefined }),
    };
    await fx.client.workflow.start('grantWorkflow', {
      taskQueue: fx.config.TEMPORAL_TASK_QUEUE,
      workflowId: id,
      args: [{ grant }],
    });
    forged.push(id);
    const asked = await requestAction(fx.client, fx.config, request);
    for (let i = 0; i < 100 && !cardFor(asked.workflowId); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(cardFor(asked.workflowId), `a forged ${currency} grant covers nothing`);
    await asked.handle.terminate('test done');
  }

  const covered = await requestAction(fx.client, fx.config, refund('CHF'));
  assert.equal((await covered.handle.result()).outcome, 'executed');
  assert.ok(!cardFor(covered.workflowId), 'the real grant covers an identical request');
  for (const id of [...forged, grantId]) await fx.client.workflow.getHandle(id).terminate('done');
});
