// Cards for approvers who arrive late, on the real dev server: an approver who may decide gets a
// copy of the pending card in the conversation they opened, which is finalized with the others;
// someone who may not decide, a connector the request does not use, a repeat of the same arrival
// and an arrival after the decision post nothing. The webhook finds requests by ApproverKeys.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { createShowPending } from '../../src/chat/pending.ts';
import { createLogger } from '../../src/log.ts';
import {
  approvalDecisionSignal,
  showCardSignal,
  statusQuery,
  type ApproverIdentity,
  type ShowCardRequest,
} from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import {
  actionWorkerHooks,
  click,
  people,
  recordingConnector,
  refundRequest,
  signed,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';

let fx: ActionFixture | undefined;
actionWorkerHooks((f) => (fx = f));

const ready = (): ActionFixture => {
  assert.ok(fx, 'setup finished');
  return fx;
};

const refund = (): ActionRequest =>
  refundRequest({ amount: 500, order: `S-${randomUUID().slice(0, 8)}` });

const arrival = (
  person: ApproverIdentity,
  over: Partial<ShowCardRequest> = {},
): ShowCardRequest => ({
  requestId: randomUUID(),
  person,
  target: {
    platform: 'teams',
    conversationId: `personal-${person.userId}`,
    serviceUrl: recordingConnector,
    conversationType: 'personal',
  },
  again: true,
  ...over,
});

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function pendingRequest(f: ActionFixture) {
  const { workflowId, handle } = await requestAction(f.client, f.config, refund());
  await until('the first card', () =>
    f.cards.posted.find((c) => c.messageId === `card-${workflowId}`),
  );
  return { workflowId, handle };
}

const copiesOf = (f: ActionFixture, workflowId: string) =>
  f.cards.posted.filter((c) => c.messageId.startsWith(`card-${workflowId}-`));

test('an approver who arrives gets a working copy, finalized with the other cards', async () => {
  const f = ready();
  const { workflowId, handle } = await pendingRequest(f);
  const alice = arrival(people.alice);
  await handle.signal(showCardSignal, alice);
  const copy = await until('the copy', () => copiesOf(f, workflowId)[0]);
  assert.equal(copy.conversationId, 'personal-alice');
  assert.equal(copy.serviceUrl, recordingConnector);
  assert.equal(copy.audience, 'shown:alice');
  // The same arrival delivered twice shows nothing more.
  await handle.signal(showCardSignal, alice);
  const hash = (await handle.query(statusQuery)).requestHash;
  await handle.signal(
    approvalDecisionSignal,
    signed(workflowId, click(people.alice, 'approve', hash)),
  );
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(copiesOf(f, workflowId).length, 1, 'one copy for one arrival');
  const final = f.cards.updates.findLast((u) =>
    u.cards.some((c) => c.messageId === copy.messageId),
  );
  assert.ok(final, 'the copy was updated');
  assert.equal(final.view.state, 'approved');
  assert.ok(
    final.cards.some((c) => c.messageId === `card-${workflowId}`),
    'with the first card',
  );
});

test('nobody else gets a card: an outsider, a connector the request does not use, a repeat', async () => {
  const f = ready();
  const { workflowId, handle } = await pendingRequest(f);
  await handle.signal(showCardSignal, arrival(people.mallory));
  const foreign = arrival(people.alice);
  foreign.target.serviceUrl = 'https://attacker.example/_connector';
  await handle.signal(showCardSignal, foreign);
  // Not asked again, and the conversation already has the card: nothing new either.
  await handle.signal(
    showCardSignal,
    arrival(people.alice, {
      again: false,
      target: { platform: 'teams', conversationId: 'test', serviceUrl: recordingConnector },
    }),
  );
  // Signals are handled in order: once Bob's copy is there, the three above were judged.
  await handle.signal(showCardSignal, arrival(people.bob));
  await until("Bob's copy", () => copiesOf(f, workflowId).find((c) => c.audience === 'shown:bob'));
  assert.deepEqual(
    copiesOf(f, workflowId).map((c) => c.audience),
    ['shown:bob'],
    'only the approver who may decide got a copy',
  );
  const hash = (await handle.query(statusQuery)).requestHash;
  await handle.signal(
    approvalDecisionSignal,
    signed(workflowId, click(people.alice, 'approve', hash)),
  );
  await handle.result();
});

test('the webhook finds what an approver may decide by search attribute and shows it', async () => {
  const f = ready();
  const { workflowId } = await pendingRequest(f);
  const show = createShowPending({
    client: () => f.client,
    logger: createLogger({ level: 'warn' }),
  });
  const target = arrival(people.bob).target;
  // Visibility is eventually consistent: retry until the request is found.
  const shown = await until('the request in visibility', async () => {
    await show({ id: randomUUID(), person: people.bob, target, again: true });
    return copiesOf(f, workflowId).find((c) => c.audience === 'shown:bob');
  });
  assert.equal(shown.conversationId, 'personal-bob');
  const none = await show({ id: randomUUID(), person: people.mallory, target, again: true });
  assert.equal(none.shown, 0, 'an outsider is shown nothing');
});
