// A grant given from the Teams card: the card offers "Approve for 8 hours"; Bob clicks it in the
// Agents Playground; the refund runs, and the next identical refund runs without a new card.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { buttons, cardText, GROUP_CHAT, startStack, type Stack } from '../helpers/stack.ts';
import { refundRequest } from '../helpers/requests.ts';

let stack: Stack;
before(async () => {
  stack = await startStack((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 8h\n',
    ),
  );
});
after(async () => {
  await stack?.close();
});

// A currency of its own per run: grants live on in the shared dev server until they end.
const currency = `EUR-${randomUUID().slice(0, 8)}`;
const refund = (order: string) => refundRequest({ amount: 75, currency, order });

test('"Approve for 8 hours" on the card grants: the next identical refund needs no card', async () => {
  await stack.worker();
  const first = await requestAction(stack.fx.client, stack.config, refund(`PG-${process.pid}-1`));
  const card = await stack.pg.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === GROUP_CHAT &&
      cardText(e).includes(first.workflowId),
  );
  assert.deepEqual(
    buttons(card).map((b) => b.title),
    ['Approve', 'Approve for 8 hours', 'Reject'],
  );
  const grantButton = buttons(card)[1];
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: grantButton?.data ?? {},
    fromId: 'user-bob',
  });
  assert.equal((await first.handle.result()).outcome, 'executed');

  const before = stack.fx.api.refunds.length;
  const second = await requestAction(stack.fx.client, stack.config, refund(`PG-${process.pid}-2`));
  const outcome = await second.handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(stack.fx.api.refunds.length, before + 1);
  // A card would have been posted before execution; none was.
  assert.ok(!stack.pg.events.some((e) => cardText(e).includes(second.workflowId)));
});
