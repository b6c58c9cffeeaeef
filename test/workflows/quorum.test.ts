// Approvals with several approvers on the real dev server: quorum 2 of 3 with a duplicate and an
// unauthorized click in between (every card shows progress, the final card lists who decided), and
// 100 concurrent clicks from several approvers giving one decision and one execution.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import {
  actionFixture,
  click,
  decide,
  people,
  refundRequest,
  signed,
  TENANT,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';

const dana = {
  platform: 'teams' as const,
  tenantId: TENANT,
  userId: 'user-dana',
  aadObjectId: '00000000-0000-0000-0000-0000000000da',
  displayName: 'Dana Deputy',
};
const fixtures: { quorum2?: ActionFixture; quorum1?: ActionFixture } = {};
const workers: { stop(): Promise<void> }[] = [];

before(async () => {
  fixtures.quorum2 = await actionFixture((yaml) =>
    yaml
      .replace(
        'groups:\n',
        `  - { id: dana, displayName: Dana Deputy, tenantId: ${TENANT}, aadObjectId: ${dana.aadObjectId} }\n\ngroups:\n`,
      )
      .replace('members: [alice, bob]', 'members: [alice, bob, dana]')
      .replace('      quorum: 1\n', '      quorum: 2\n'),
  );
  fixtures.quorum1 = await actionFixture();
  for (const fx of Object.values(fixtures)) workers.push(await fx.startWorker());
});
after(async () => {
  for (const w of workers) await w?.stop();
  for (const fx of Object.values(fixtures)) await fx?.close();
});

const refund = (amount: number): ActionRequest =>
  refundRequest({ amount, order: `Q-${randomUUID()}` });

async function pendingHash(fx: ActionFixture, workflowId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const s = await fx.client.workflow.getHandle(workflowId).query(statusQuery);
    if (s.state === 'pending' && fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`))
      return s.requestHash;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never pending');
}

test('quorum 2 of 3: a duplicate and an outsider in between change nothing; two approvers execute once', async () => {
  const fx = fixtures.quorum2 as ActionFixture;
  const before = fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(fx.client, fx.config, refund(500));
  const hash = await pendingHash(fx, workflowId);
  const alice = signed(handle.workflowId, click(people.alice, 'approve', hash));
  await handle.signal(approvalDecisionSignal, alice);
  await handle.signal(approvalDecisionSignal, alice); // the same delivery again
  await decide(handle, people.alice, hash); // Alice clicks twice
  await decide(handle, people.mallory, hash);
  for (let i = 0; i < 100 && (await handle.query(statusQuery)).rejectedClicks.length < 2; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(
    (await handle.query(statusQuery)).state,
    'pending',
    'one approval of two is not enough',
  );
  await decide(handle, dana, hash);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.deepEqual(
    outcome.decidedBy.map((d) => d.approver.displayName),
    ['Alice Approver', 'Dana Deputy'],
  );
  assert.equal(fx.api.refunds.length, before + 1);
  assert.deepEqual(
    (await handle.query(statusQuery)).rejectedClicks.map((r) => r.why),
    ['this approver has already decided', 'not an authorized approver for this request'],
  );
  const views = fx.cards.updates
    .filter((u) => u.cards[0]?.messageId === `card-${workflowId}`)
    .map((u) => u.view);
  assert.deepEqual(
    views.map((v) => v.notes?.[0] ?? v.outcomeText?.replace(/\d\d:\d\d/, 'HH:MM')),
    ['1 of 2 approvals: Alice Approver', 'Approved by Alice Approver, Dana Deputy at HH:MM UTC'],
  );
});

test('100 concurrent clicks from several approvers: one decision, one execution', async () => {
  const fx = fixtures.quorum1 as ActionFixture;
  const before = fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(fx.client, fx.config, refund(300));
  const hash = await pendingHash(fx, workflowId);
  const clickers = [people.alice, people.bob, people.mallory];
  await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      handle.signal(
        approvalDecisionSignal,
        signed(
          handle.workflowId,
          click(clickers[i % 3] ?? people.alice, i % 7 === 0 ? 'reject' : 'approve', hash),
        ),
      ),
    ),
  );
  const outcome = await handle.result();
  assert.equal(outcome.decidedBy.length, 1, 'exactly one decision');
  assert.ok(['executed', 'rejected'].includes(outcome.outcome));
  assert.equal(fx.api.refunds.length, before + (outcome.outcome === 'executed' ? 1 : 0));
  assert.equal(
    fx.api.refunds.filter((r) => r.idempotencyKey === workflowId).length,
    outcome.outcome === 'executed' ? 1 : 0,
  );
});
