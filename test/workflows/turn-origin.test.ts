// turnOrigin, the pure rule for what started a turn: people's messages, another agent's question or
// answer, an A2A client's message; every person once; a turn of outcomes only keeps what was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionSender } from '../../workflows/agent-session/messages.ts';
import { turnOrigin } from '../../workflows/agent-session/origin.ts';
import type { TurnItem } from '../../workflows/agent-session/types.ts';

const person = (userId: string): SessionSender => ({
  platform: 'teams',
  userId,
  displayName: userId,
  policyUserId: userId,
});
const agent = (userId: string): SessionSender => ({
  platform: 'agent',
  userId,
  displayName: userId,
  policyUserId: null,
});
const message = (from: SessionSender): TurnItem => ({
  kind: 'message',
  message: { messageId: `m-${from.userId}`, from, text: 'hi', receivedAt: '' },
});
const outcome: TurnItem = {
  kind: 'action-outcome',
  id: 'a',
  workflowId: 'action:a',
  outcome: 'executed',
  message: 'done',
};
const answer = (to: string): TurnItem => ({
  kind: 'exchange-result',
  id: 'q',
  workflowId: 'exchange:q',
  to,
  state: 'completed',
  answer: 'text',
  message: 'answered',
});

test('every person in the batch, once, in order; agents are an origin but no requester', () => {
  const o = turnOrigin(
    [message(person('alice')), message(person('riley')), message(person('alice'))],
    null,
    null,
  );
  assert.deepEqual(o?.origins, ['person']);
  assert.deepEqual(
    o?.senders.map((s) => s.userId),
    ['alice', 'riley'],
  );
  const mixed = turnOrigin(
    [message(agent('research-bot')), message(agent('a2a:partner'))],
    null,
    null,
  );
  assert.deepEqual(mixed, { origins: ['agent', 'a2a'], senders: [] });
});

test('an answer from another agent starts the turn too; the people who asked stay requesters', () => {
  const before = turnOrigin([message(person('riley'))], null, null);
  const o = turnOrigin([answer('research-bot'), outcome], before, person('riley'));
  assert.deepEqual(o?.origins, ['agent']);
  assert.deepEqual(
    o?.senders.map((s) => s.userId),
    ['riley'],
  );
  assert.deepEqual(turnOrigin([answer('a2a:partner')], before, null)?.origins, ['a2a']);
});

test('a turn of outcomes only keeps the origin before it, or infers it from the last sender', () => {
  const before = turnOrigin([message(agent('research-bot'))], null, null);
  assert.deepEqual(turnOrigin([outcome], before, agent('research-bot')), before);
  // A session carried over from before origins: its last sender says.
  assert.deepEqual(turnOrigin([outcome], null, agent('research-bot')), {
    origins: ['agent'],
    senders: [],
  });
  assert.equal(turnOrigin([outcome], null, null), null);
});
