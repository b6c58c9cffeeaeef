// A conversation with an agent end to end through Microsoft's Agents Playground: Riley asks the
// support agent in the group chat for a refund; the webhook starts the session, a worker runs the
// turn in a real sandbox against the scripted stand-in model, the agent's request becomes an
// approval card with the conversation context, Riley cannot approve it herself, Bob does, the
// refund runs once, and the agent's replies land in the same chat, each exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startModelStandin, type ModelStandin } from '../../src/dev/model-standin.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import {
  agentIds,
  clickApprove,
  rileySays,
  closeAgentChat,
  groupSessionId,
  sessionRuns,
  startAgentChat,
  statusUntil,
} from '../helpers/agent-stack.ts';
import type { AgentChat } from '../helpers/agent-stack.ts';
import { CANARY } from '../helpers/gateway.ts';
import { refundCall } from '../helpers/sessions.ts';
import { buttons, cardText, cardUpdated, GROUP_CHAT, type Stack } from '../helpers/stack.ts';

const ids = agentIds();
const { suffix, support } = ids;
const ask = `I need a refund of 120 EUR for order A-1001, the parcel arrived damaged ${suffix}`;
const purpose = `Refund order A-1001 of 120 EUR because the parcel arrived damaged ${suffix}`;
const waiting = `Your 120 EUR refund ${suffix} waits for an approver.`;
const paid = `Good news: your 120 EUR refund ${suffix} was approved and paid.`;

let model: ModelStandin | undefined;
let chat: AgentChat | undefined;
let stack: Stack | undefined;

before(async () => {
  model = await startModelStandin({
    apiKey: CANARY,
    models: ['airlock-standin'],
    script: [
      {
        name: 'ask',
        afterUser: 'refund of 120',
        toolCalls: [
          refundCall(
            'r1',
            { order: 'A-1001', amount: 120, currency: 'EUR', reason: 'parcel damaged' },
            purpose,
          ),
        ],
      },
      { name: 'waiting', afterToolResult: 'r1', text: waiting },
      {
        name: 'outcome',
        when: (m) => JSON.stringify(m.at(-1)?.content ?? '').includes('Update on action'),
        text: paid,
      },
    ],
  });
  chat = await startAgentChat(ids, model.baseUrl, [support], (yaml) =>
    // Riley approves refunds too, so refusing her click is about self-approval alone.
    yaml.replace('members: [alice, bob]', 'members: [alice, bob, riley]'),
  );
  stack = chat.stack;
});

after(async () => {
  await closeAgentChat(
    chat,
    ids,
    (s) => sessionRuns(s, sessionId()),
    'agent-conversation test over',
  );
  await model?.close().catch(() => undefined);
});

/** The session of the support agent in the Playground's group chat. */
const sessionId = () => groupSessionId(stack as Stack, support);

/** The bot's text messages in the group chat that contain `text`. */
const botMessages = (text: string) =>
  stack!.pg.events.filter(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === GROUP_CHAT &&
      (e.message.text ?? '').includes(text),
  );

describe('a conversation with the support agent in the Playground', { timeout: 300_000 }, () => {
  test('Riley asks for a refund; Bob approves it on the card; the agent tells Riley, once each', async () => {
    assert.ok(stack);
    const refundsBefore = stack.fx.api.refunds.length;
    await rileySays(stack, `Support: ${ask}`);

    // The turn runs in the sandbox; the agent's reply comes back into the same group chat.
    await stack.pg.waitFor((e) => botMessages(waiting).includes(e), 120_000);
    const docker = new SandboxDriver(stack.config.DOCKER_HOST).docker;
    const [box] = await docker.listContainers({
      filters: { label: [`airlock.agent=${support}`, `airlock.workflow=${sessionId()}`] },
    });
    assert.equal(box?.State, 'running', 'the turn ran in the session’s sandbox');
    const status = await statusUntil(
      stack,
      sessionId(),
      (s) => s.pendingActions.length === 1,
      'the pending refund',
    );
    const action = status.pendingActions[0]!.workflowId;

    // The card for the refund shows who asked where, Riley's words and the agent's purpose.
    // (The rule offers a session grant too, so the card has three buttons.)
    const card = await stack.pg.waitFor(
      (e) =>
        e.action === 'createMessage' &&
        e.actionConversationId === GROUP_CHAT &&
        cardText(e).includes(action) &&
        buttons(e).some((b) => b.title === 'Approve'),
    );
    const text = cardText(card);
    for (const shown of [
      'Asked by Riley Requester in Teams group chat',
      `“${ask}”`,
      `Agent's purpose: ${purpose}`,
      support,
      '/refunds',
    ])
      assert.ok(text.includes(shown), `the card shows ${shown}: ${text}`);

    // Riley is an approver of refunds, but not of her own request.
    await clickApprove(stack, card, 'user-riley');
    const handle = stack.fx.client.workflow.getHandle(action);
    let refused: { why: string }[] = [];
    for (let i = 0; i < 200 && refused.length === 0; i++) {
      refused = (await handle.query(statusQuery)).rejectedClicks;
      if (refused.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(
      refused.map((r) => r.why),
      ['the requester may not approve their own request'],
    );
    assert.equal((await handle.query(statusQuery)).state, 'pending');
    assert.equal(stack.fx.api.refunds.length, refundsBefore, 'nothing ran on Riley’s click');

    await clickApprove(stack, card, 'user-bob');
    const outcome = (await handle.result()) as { outcome: string };
    assert.equal(outcome.outcome, 'executed');
    await cardUpdated(stack.pg, card.message.messageId, /Approved by Bob Approver at/);

    // The outcome reaches the agent as its next turn; its answer lands in the same chat.
    await stack.pg.waitFor((e) => botMessages(paid).includes(e), 120_000);
    await statusUntil(
      stack,
      sessionId(),
      (s) => s.state !== 'working' && s.pendingActions.length === 0,
      'idle',
    );
    // Anything posted twice would have arrived by now: the stream is ordered per conversation.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(stack.fx.api.refunds.length, refundsBefore + 1, 'the refund ran once');
    assert.equal(stack.fx.api.refunds.at(-1)?.idempotencyKey, action);
    assert.equal(botMessages(waiting).length, 1, 'the waiting reply was posted once');
    assert.equal(botMessages(paid).length, 1, 'the outcome was posted once');
    assert.equal(
      stack.pg.events.filter((e) => e.action === 'createMessage' && cardText(e).includes(action))
        .length,
      1,
      'one card for the refund in the chat',
    );
  });
});
