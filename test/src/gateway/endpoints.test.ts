// The gateway's other endpoints over its real unix socket: actions (executed, pending, denied, the
// identity taken from the socket, not the body; a research agent refused), questions to other
// agents (pending, refused, the asker taken from the socket, bad shapes refused), the runner's
// settings, progress messages numbered per turn, and the turn protocol: the inbox long-poll (one
// batch per turn) and the runner's done report. The fetch endpoint's tests are in fetch.test.ts.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { call, gate, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const refund = {
  capability: 'refunds.create',
  method: 'POST',
  path: '/api/refunds',
  body: { order: 'A-1', amount: 20 },
  purpose: 'Riley says the parcel arrived damaged.',
};

/**
 * As the runner: poll the inbox (`query` after /v1/inbox), expect `batch`, report its turn done with
 * `reply`; the turn's promise then settles with that reply.
 */
async function takeAndFinish(
  socket: string,
  query: string,
  batch: { turn: string; items: unknown[] },
  reply: string,
  turn: Promise<unknown>,
): Promise<void> {
  const polled = await call(socket, 'GET', `/v1/inbox${query}`);
  assert.deepEqual(polled.json(), batch);
  await call(socket, 'POST', `/v1/turns/${batch.turn}/done`, { reply });
  assert.deepEqual(await turn, { reply });
}

test('actions: executed → 200 with the result, pending → 202 with the id, denied → 403', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  fx.nextOutcome = { status: 'executed', result: { status: 201, body: '{"refund":"r-1"}' } };
  const executed = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(executed.status, 200);
  assert.deepEqual(executed.json(), {
    status: 'executed',
    result: { status: 201, body: '{"refund":"r-1"}' },
  });
  fx.nextOutcome = { status: 'pending', id: 'action:abc' };
  const pending = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(pending.status, 202);
  assert.deepEqual(pending.json(), { status: 'pending', id: 'action:abc' });
  fx.nextOutcome = { status: 'denied', reason: 'refunds over 10 need a manager' };
  const denied = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.json(), { status: 'denied', reason: 'refunds over 10 need a manager' });
  assert.equal(fx.actions.length, 3);
  assert.deepEqual(fx.actions[0], {
    ...refund,
    agentId: 'support',
    sessionId: 'session:support:t1',
    turn: null,
  });
});

test('actions: the body cannot say who asks; bad shapes are refused before requestAction', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  for (const bad of [
    { ...refund, agentId: 'admin' },
    { ...refund, purpose: '  ' },
    { ...refund, method: 'TRACE' },
    { ...refund, path: 'api/refunds' },
    { capability: 'refunds.create' },
  ]) {
    const answer = await call(socket, 'POST', '/v1/actions', bad);
    assert.equal(answer.status, 400, JSON.stringify(bad));
    assert.equal((answer.json() as { error: { code: string } }).error.code, 'invalid_request');
  }
  assert.equal(fx.actions.length, 0);
  fx.nextOutcome = new Error('temporal unreachable');
  const failed = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(failed.status, 502);
  assert.equal((failed.json() as { error: { code: string } }).error.code, 'action_failed');
});

test('actions carry the turn in flight', async () => {
  fx = await startGatewayFixture();
  const turn = fx.inbox.startTurn('turn-7', [{ kind: 'message', text: 'refund' }]);
  assert.equal((await call(fx.gateway.socketPath, 'GET', '/v1/inbox')).status, 200);
  await call(fx.gateway.socketPath, 'POST', '/v1/actions', refund);
  assert.equal(fx.actions[0]?.turn, 'turn-7');
  fx.inbox.abandon('turn-7', new Error('test over'));
  await assert.rejects(turn, /test over/);
});

test('agent: the runner gets its settings, nothing secret', async () => {
  fx = await startGatewayFixture({ runner: { tools: ['shell', 'send_message'] } });
  const answer = await call(fx.gateway.socketPath, 'GET', '/v1/agent');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json(), {
    id: 'support',
    instructions: 'You help with parcels.',
    model: 'standin-1',
    sensitivity: 'action',
    maxSteps: 20,
    firstStepToolChoice: 'auto',
    capabilityTools: [],
    sessionId: 'session:support:t1',
    tools: ['shell', 'send_message'],
    mayAsk: [],
  });
  assert.doesNotMatch(answer.text, /sk-|model-key/);
  assert.equal((await call(fx.gateway.socketPath, 'POST', '/v1/agent', {})).status, 405);
});

test('messages go to sendMessage with the socket identity, numbered within the turn', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const send = (text: string) => call(socket, 'POST', '/v1/messages', { text });
  assert.equal((await send('Before any turn')).status, 200);
  const turn = fx.inbox.startTurn('turn-1', [{ kind: 'message', text: 'hi' }]);
  await call(socket, 'GET', '/v1/inbox');
  await send('Looking into it…');
  // A message that failed gives its number back: the runner's retry is the same (turn, seq).
  fx.nextMessageError = new Error('chat unreachable');
  assert.equal((await send('Almost there…')).status, 502);
  await send('Almost there…');
  // The runner lets the turn go (it lost the gateway mid-turn) and gets it again: numbering restarts.
  assert.deepEqual((await call(socket, 'GET', '/v1/inbox')).json().turn, 'turn-1');
  await send('Looking into it…');
  assert.equal((await call(socket, 'POST', '/v1/turns/turn-1/done', { reply: 'ok' })).status, 200);
  await turn;
  await send('After the turn');
  const base = { agentId: 'support', sessionId: 'session:support:t1' };
  assert.deepEqual(fx.messages, [
    { ...base, text: 'Before any turn', turn: null, seq: 1 },
    { ...base, text: 'Looking into it…', turn: 'turn-1', seq: 1 },
    { ...base, text: 'Almost there…', turn: 'turn-1', seq: 2 },
    { ...base, text: 'Looking into it…', turn: 'turn-1', seq: 1 },
    { ...base, text: 'After the turn', turn: null, seq: 1 },
  ]);
  assert.equal((await send('')).status, 400);
});

test('inbox: 204 after the wait; a waiting poll gets the next turn; turns are never merged', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const started = Date.now();
  const nothing = await call(socket, 'GET', '/v1/inbox?wait=150');
  assert.equal(nothing.status, 204);
  assert.ok(Date.now() - started >= 140, 'the poll waited');

  const waiting = call(socket, 'GET', '/v1/inbox?wait=4000');
  await new Promise((r) => setTimeout(r, 100));
  const first = fx.inbox.startTurn('turn-1', [
    { kind: 'message', text: 'refund please' },
    { kind: 'message', text: 'order A-1' },
  ]);
  const second = fx.inbox.startTurn('turn-2', [{ kind: 'action-outcome', id: 'action:abc' }]);
  const batch = await waiting;
  assert.equal(batch.status, 200);
  assert.deepEqual(batch.json(), {
    turn: 'turn-1',
    items: [
      { kind: 'message', text: 'refund please' },
      { kind: 'message', text: 'order A-1' },
    ],
  });
  assert.equal(fx.inbox.current, 'turn-1');
  assert.equal(fx.inbox.size, 1);
  const done = await call(socket, 'POST', '/v1/turns/turn-1/done', { reply: 'Refunded.' });
  assert.equal(done.status, 200);
  assert.deepEqual(done.json(), { status: 'done' });
  assert.deepEqual(await first, { reply: 'Refunded.' });
  assert.equal(fx.inbox.current, undefined);

  const queued = { turn: 'turn-2', items: [{ kind: 'action-outcome', id: 'action:abc' }] };
  await takeAndFinish(socket, '', queued, '', second);
  assert.equal((await call(socket, 'GET', '/v1/inbox?wait=soon')).status, 400);
});

test('done: an unknown turn is 404, a bad body 400, and a turn id is URL-decoded', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const unknown = await call(socket, 'POST', '/v1/turns/turn-9/done', { reply: 'hi' });
  assert.equal(unknown.status, 404);
  assert.equal((unknown.json() as { error: { code: string } }).error.code, 'turn_not_found');

  const turn = fx.inbox.startTurn('session:support:t1/3', [{ kind: 'message', text: 'hi' }]);
  const path = `/v1/turns/${encodeURIComponent('session:support:t1/3')}/done`;
  for (const bad of [{}, { reply: 3 }, { reply: 'x'.repeat(200_001) }, { reply: 'ok', extra: 1 }]) {
    const answer = await call(socket, 'POST', path, bad, {}, 10_000);
    assert.ok(
      [400, 413].includes(answer.status),
      `${answer.status} for ${JSON.stringify(bad).slice(0, 40)}`,
    );
  }
  assert.equal((await call(socket, 'GET', path)).status, 405);
  assert.equal((await call(socket, 'POST', '/v1/turns/%E0%A4%A/done', { reply: '' })).status, 400);
  assert.equal(fx.inbox.size, 1, 'the refused reports left the turn waiting');
  assert.equal((await call(socket, 'POST', path, { reply: 'x'.repeat(60_000) })).status, 200);
  assert.equal((await turn).reply.length, 60_000);
  assert.equal((await call(socket, 'POST', path, { reply: 'again' })).status, 404, 'done once');
});

test('startTurn again with the same id is the same turn; abandon rejects and dequeues', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const items = [{ kind: 'message', text: 'hi' }];
  const first = fx.inbox.startTurn('turn-1', items);
  assert.equal(fx.inbox.startTurn('turn-1', items), first, 'queued: the same promise');
  assert.equal(fx.inbox.size, 1, 'queued once');
  await call(socket, 'GET', '/v1/inbox');
  assert.equal(fx.inbox.startTurn('turn-1', items), first, 'in flight: the same promise');
  assert.equal(fx.inbox.size, 0);

  const doomed = fx.inbox.startTurn('turn-2', items);
  fx.inbox.abandon('turn-2', new Error('the box died'));
  await assert.rejects(doomed, /the box died/);
  assert.equal(fx.inbox.size, 0, 'abandoned: dequeued');
  const late = await call(socket, 'POST', '/v1/turns/turn-2/done', { reply: 'late' });
  assert.equal(late.status, 404);

  fx.inbox.abandon('turn-1', new Error('the activity gave up'));
  await assert.rejects(first, /gave up/);
  assert.equal(fx.inbox.current, undefined);
  assert.equal((await call(socket, 'GET', '/v1/inbox?wait=50')).status, 204);
});

test('inbox: a poll given up takes nothing; closing the gateway ends pending polls', async () => {
  // Polls may wait a minute, so a close that waited for one would take that long, whatever the load.
  fx = await startGatewayFixture({ limits: { inboxMaxWaitMs: 60_000 } });
  const socket = fx.gateway.socketPath;
  const abandoned = call(socket, 'GET', '/v1/inbox?wait=4000', undefined, {}, 100);
  await assert.rejects(abandoned, /no answer/);
  await new Promise((r) => setTimeout(r, 50));
  const turn = fx.inbox.startTurn('turn-1', [{ kind: 'message', text: 'still here' }]);
  assert.equal(fx.inbox.size, 1, 'the abandoned poll did not take the turn');
  assert.equal(fx.inbox.current, undefined);

  const polled = await call(socket, 'GET', '/v1/inbox?wait=10');
  assert.equal(polled.status, 200);
  assert.deepEqual(polled.json(), {
    turn: 'turn-1',
    items: [{ kind: 'message', text: 'still here' }],
  });
  await call(socket, 'POST', '/v1/turns/turn-1/done', { reply: 'a' });
  assert.deepEqual(await turn, { reply: 'a' });

  const pending = call(socket, 'GET', '/v1/inbox?wait=60000', undefined, {}, 70_000).catch(
    (e: Error) => e,
  );
  await new Promise((r) => setTimeout(r, 50));
  const closing = Date.now();
  await fx.close();
  fx = undefined;
  await pending;
  assert.ok(Date.now() - closing < 60_000, 'close did not wait for the long-poll');
});

test('inbox: a batch whose poll vanished goes to the next poll with the same turn id', async () => {
  // The batch is held between the queue and the socket until the poll's client has gone.
  const held = gate();
  fx = await startGatewayFixture({
    wrapInbox: (inbox) => ({
      next: async (waitMs, signal) => {
        const batch = await inbox.next(waitMs, signal);
        await held.promise;
        return batch;
      },
      requeue: (batch) => inbox.requeue(batch),
      complete: (turn, report) => inbox.complete(turn, report),
      get current() {
        return inbox.current;
      },
    }),
  });
  const socket = fx.gateway.socketPath;
  const vanishing = call(socket, 'GET', '/v1/inbox?wait=4000', undefined, {}, 200);
  await new Promise((r) => setTimeout(r, 50));
  const turn = fx.inbox.startTurn('turn-1', [{ kind: 'message', text: 'still here' }]);
  assert.equal(fx.inbox.current, 'turn-1', 'the vanishing poll took the turn');
  await assert.rejects(vanishing, /no answer/);
  await new Promise((r) => setTimeout(r, 50));
  held.open();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(fx.inbox.current, undefined, 'put back');
  assert.equal(fx.inbox.size, 1);

  const putBack = { turn: 'turn-1', items: [{ kind: 'message', text: 'still here' }] };
  await takeAndFinish(socket, '?wait=10', putBack, 'delivered once', turn);
  // A turn abandoned while its batch was on the way stays gone.
  const gone = fx.inbox.startTurn('turn-2', []);
  fx.inbox.requeue({ turn: 'turn-2', items: [] });
  fx.inbox.abandon('turn-2', new Error('gave up'));
  await assert.rejects(gone, /gave up/);
  fx.inbox.requeue({ turn: 'turn-2', items: [] });
  assert.equal(fx.inbox.size, 0);
});

test('actions: a research agent is refused before requestAction (it holds no credentials)', async () => {
  fx = await startGatewayFixture({ agent: { sensitivity: 'research', webHosts: ['127.0.0.1'] } });
  fx.nextOutcome = { status: 'executed', result: { status: 201, body: '{}' } };
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/actions', refund);
  assert.equal(answer.status, 403);
  assert.equal((answer.json() as { error: { code: string } }).error.code, 'actions_not_allowed');
  assert.equal(fx.actions.length, 0);
});

test('ask: pending → 202 with the exchange id, refused → 403 with why; the asker is the socket', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const question = { to: 'research', question: 'What does the carrier say about damaged parcels?' };
  fx.nextAsk = { status: 'pending', id: 'exchange:abc' };
  const pending = await call(socket, 'POST', '/v1/ask', question);
  assert.equal(pending.status, 202, pending.text);
  const body = pending.json();
  assert.equal(body['status'], 'pending');
  assert.equal(body['id'], 'exchange:abc');
  assert.match(String(body['note']), /later turn/);
  fx.nextAsk = { status: 'refused', reason: 'no link support -> billing' };
  const refused = await call(socket, 'POST', '/v1/ask', { ...question, to: 'billing' });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.json(), { status: 'refused', reason: 'no link support -> billing' });
  assert.deepEqual(fx.asks, [
    { ...question, agentId: 'support', sessionId: 'session:support:t1', turn: null },
    { ...question, to: 'billing', agentId: 'support', sessionId: 'session:support:t1', turn: null },
  ]);

  // During a turn, the question carries it.
  const turn = fx.inbox.startTurn('turn-3', [{ kind: 'message', text: 'ask research' }]);
  await call(socket, 'GET', '/v1/inbox');
  fx.nextAsk = { status: 'pending', id: 'exchange:def' };
  assert.equal((await call(socket, 'POST', '/v1/ask', question)).status, 202);
  assert.equal(fx.asks[2]?.turn, 'turn-3');
  fx.inbox.abandon('turn-3', new Error('test over'));
  await assert.rejects(turn, /test over/);
});

test('ask: bad shapes are refused before askAgent; a failing hook is 502', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const question = { to: 'research', question: 'Is the carrier liable?' };
  for (const bad of [
    { ...question, from: 'admin' },
    { ...question, agentId: 'research' },
    { ...question, question: '   ' },
    { ...question, question: 'x'.repeat(20_001) },
    { ...question, to: '' },
    { ...question, to: 7 },
    { question: 'who?' },
    { to: 'research' },
  ]) {
    const answer = await call(socket, 'POST', '/v1/ask', bad);
    assert.equal(answer.status, 400, JSON.stringify(bad).slice(0, 60));
    assert.equal((answer.json() as { error: { code: string } }).error.code, 'invalid_request');
  }
  assert.equal((await call(socket, 'POST', '/v1/ask', '{not json')).status, 400);
  assert.equal((await call(socket, 'GET', '/v1/ask')).status, 405);
  assert.equal(fx.asks.length, 0);
  const longest = await call(socket, 'POST', '/v1/ask', {
    ...question,
    question: 'y'.repeat(20_000),
  });
  assert.equal(longest.status, 202);
  fx.nextAsk = new Error('temporal unreachable');
  const failed = await call(socket, 'POST', '/v1/ask', question);
  assert.equal(failed.status, 502);
  assert.equal((failed.json() as { error: { code: string } }).error.code, 'ask_failed');
  assert.equal(fx.asks.length, 2);
});
