// The agent runner as it runs in production: the image's own command in a real sandbox container,
// a real gateway on the mounted socket serving its settings and turns, the scripted stand-in model
// upstream. A turn uses the in-box tools and is reported done with the model's reply; a second
// container on the same workspace resumes the session's saved history; a turn delivered twice runs
// the model once; a gateway gone mid-turn gets the turn abandoned and then done when redelivered;
// a model error ends the turn saying so; a sensitive action reaches the gateway with its turn, and
// its `pending` answer and later outcome reach the model; `ask_agent` is offered to an agent that
// may ask someone, reaches the gateway, and questions from and answers of other agents are shown
// to the model as such.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { textOf, type ChatMessage } from '../../../src/dev/model-standin.ts';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { CANARY, type GatewayFixture, type startGatewayFixture } from '../../helpers/gateway.ts';
import {
  eventually,
  logsOf,
  rileySays,
  runnerOnGateway,
  said,
  sessionFolder,
  settled,
  type RunningRunner,
  type Workspace,
} from '../../helpers/runner.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The messages the stand-in received in its `i`-th request. */
function sent(fx: GatewayFixture, i: number): ChatMessage[] {
  return (fx.model.requests[i]?.body?.['messages'] ?? []) as ChatMessage[];
}

/** This file's runners on a gateway fixture, and the fixture's session id. */
async function setUp(options: Parameters<typeof startGatewayFixture>[0]): Promise<{
  fx: GatewayFixture;
  ws: Workspace;
  session: string;
  run: (label: string) => { runner: RunningRunner; name: string };
}> {
  const bench = {
    driver,
    image: config.AIRLOCK_SANDBOX_IMAGE,
    cleanups,
    prefix: 'airlock-runner-test',
  };
  const { fx, ws, run } = await runnerOnGateway(bench, options);
  return { fx, ws, session: fx.runner.sessionId, run };
}

test(
  'a turn runs tools in the box and is reported done with the reply; a new container resumes it',
  { timeout: 120_000 },
  async () => {
    const { fx, ws, session, run } = await setUp({
      script: [
        {
          name: 'write',
          afterUser: 'write a note',
          toolCalls: [
            {
              id: 'call_write',
              name: 'write_file',
              arguments: { path: 'notes/hello.txt', content: 'hello from the agent' },
            },
          ],
        },
        {
          name: 'cat',
          afterToolResult: 'call_write',
          toolCalls: [
            { id: 'call_cat', name: 'shell', arguments: { command: 'cat notes/hello.txt' } },
          ],
        },
        { name: 'answer', afterToolResult: 'call_cat', text: 'The note says hello.' },
        { name: 'recall', afterUser: 'what did you write', text: 'A note saying hello.' },
      ],
    });

    const first = run('first').runner;
    const report = await rileySays(first, fx, 'turn-1', 'Please write a note.', 'the first report');
    const firstRun = await first.stop();

    assert.deepEqual(report, { reply: 'The note says hello.' }, firstRun.stderr);
    assert.deepEqual(fx.model.used, ['write', 'cat', 'answer']);
    assert.deepEqual(fx.messages, [], 'the reply is reported, not sent as a message');
    // The model saw each tool's result: the write, then the file's content from `cat`.
    const afterWrite = sent(fx, 1).at(-1);
    assert.equal(afterWrite?.role, 'tool');
    assert.match(textOf(afterWrite?.content), /notes\/hello\.txt/);
    const afterCat = sent(fx, 2).at(-1);
    assert.equal(afterCat?.tool_call_id, 'call_cat');
    assert.match(textOf(afterCat?.content), /"exitCode":0/);
    assert.match(textOf(afterCat?.content), /hello from the agent/);
    assert.equal(sent(fx, 0)[0]?.role, 'system', 'the instructions lead the conversation');
    assert.equal(textOf(sent(fx, 0)[0]?.content), fx.runner.instructions);
    // The box sent a placeholder; the upstream got the key from the vault.
    assert.ok(fx.model.requests.every((r) => r.headers.authorization === `Bearer ${CANARY}`));

    assert.equal(readFileSync(join(ws.dir, 'notes', 'hello.txt'), 'utf8'), 'hello from the agent');
    // The conversation is the session's: under sessions/<id>/, with the turn that produced it.
    assert.equal(sessionFolder(session), 'session_support_t1');
    assert.equal(existsSync(join(ws.dir, '.airlock', 'conversation.json')), false);
    const saved = ws.saved(session);
    assert.deepEqual(saved.lastTurn, { id: 'turn-1', reply: 'The note says hello.' });
    assert.deepEqual(
      saved.messages.map((m) => m['role']),
      ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant'],
    );
    assert.match(JSON.stringify(saved.messages[0]), /Riley: Please write a note\./);

    // A new container on the same workspace carries on with the saved history.
    const second = run('second').runner;
    const again = await rileySays(
      second,
      fx,
      'turn-2',
      'And what did you write?',
      'the second report',
    );
    const secondRun = await second.stop();
    assert.deepEqual(again, { reply: 'A note saying hello.' }, secondRun.stderr);
    assert.deepEqual(fx.model.used, ['write', 'cat', 'answer', 'recall']);
    const resumed = sent(fx, 3);
    assert.deepEqual(
      resumed.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'user'],
    );
    assert.match(textOf(resumed[1]?.content), /Please write a note/);
    assert.match(textOf(resumed[5]?.content), /hello from the agent/);
    assert.equal(ws.conversation(session).length, 8);
    assert.equal(ws.saved(session).lastTurn?.id, 'turn-2');
  },
);

test(
  'settings come from the gateway once it appears; a turn delivered twice runs the model once',
  { timeout: 120_000 },
  async () => {
    const { fx, ws, session, run } = await setUp({
      script: [{ name: 'once', afterUser: 'hello', text: 'Hi there.' }],
    });
    // The runner starts before its gateway (the socket appears later).
    await fx.gateway.close();
    const { runner, name } = run('twice');
    await eventually(
      runner,
      async () => (await logsOf(driver, name)).includes('no agent settings yet'),
      'the runner waiting for its settings',
    );
    await fx.reopen();

    const first = await rileySays(runner, fx, 'turn-1', 'hello', 'report');
    assert.deepEqual(first, { reply: 'Hi there.' });
    assert.equal(fx.model.requests.length, 1);
    // The turn activity retried after the runner had finished: the same turn id again.
    const retried = fx.inbox.startTurn('turn-1', [said('hello')]);
    const second = await settled(runner, retried, 'the retried report');
    const result = await runner.stop();
    assert.deepEqual(second, { reply: 'Hi there.' }, result.stderr);
    assert.equal(fx.model.requests.length, 1, 'the model ran once');
    assert.match(result.stderr, /turn already done; reporting its saved reply/);
    assert.equal(ws.conversation(session).length, 2);
  },
);

test(
  'a gateway gone mid-turn: the runner lets the turn go unsaved, then does it when redelivered',
  { timeout: 120_000 },
  async () => {
    const { fx, ws, session, run } = await setUp({
      script: [
        {
          name: 'slow',
          afterUser: 'slow job',
          toolCalls: [{ id: 'call_sleep', name: 'shell', arguments: { command: 'sleep 3' } }],
        },
        { name: 'again', afterUser: 'slow job', text: 'Done after all.' },
      ],
    });
    const { runner, name } = run('gone');
    const lost = fx.inbox.startTurn('turn-1', [said('a slow job please')]);
    lost.catch(() => undefined);
    await eventually(runner, () => fx.model.requests.length >= 1, 'the first model call');
    // The worker dies while the tool runs: its gateway (and inbox) go with it.
    await fx.gateway.close();
    await eventually(
      runner,
      async () => (await logsOf(driver, name)).includes('turn abandoned'),
      'the runner abandoning the turn',
    );
    fx.inbox.abandon('turn-1', new Error('the worker died'));
    await assert.rejects(lost, /the worker died/);
    assert.equal(existsSync(join(ws.dir, '.airlock', 'sessions')), false, 'nothing was saved');

    // The retried activity, on another worker: a new gateway on the same directory, the same turn.
    await fx.reopen();
    const report = await rileySays(
      runner,
      fx,
      'turn-1',
      'a slow job please',
      'the redelivered turn',
    );
    const result = await runner.stop();
    assert.deepEqual(report, { reply: 'Done after all.' }, result.stderr);
    assert.deepEqual(fx.model.used, ['slow', 'again']);
    const saved = ws.saved(session);
    assert.deepEqual(saved.lastTurn, { id: 'turn-1', reply: 'Done after all.' });
    assert.deepEqual(
      saved.messages.map((m) => m['role']),
      ['user', 'assistant'],
      'the abandoned tool call is not in the history',
    );
  },
);

test(
  'a model error answered by the gateway ends the turn with what failed',
  { timeout: 120_000 },
  async () => {
    const { fx, ws, session, run } = await setUp({ script: [] });
    const { runner } = run('error');
    const report = await rileySays(runner, fx, 'turn-1', 'anything');
    const result = await runner.stop();
    assert.match(report.reply, /^I could not finish this: .*no unused script step/, result.stderr);
    assert.equal(ws.saved(session).lastTurn?.reply, report.reply);
    assert.equal(ws.conversation(session).length, 1, 'the input stays in the history');
  },
);

test(
  'request_action reaches the gateway with its turn; pending and the later outcome reach the model',
  { timeout: 120_000 },
  async () => {
    const action = {
      capability: 'shop',
      method: 'POST',
      path: '/refunds',
      body: { order: 'A-1001', amount: 25 },
      purpose: 'Refund a damaged parcel for Riley',
    };
    const { fx, run } = await setUp({
      script: [
        {
          name: 'ask',
          afterUser: 'refund',
          toolCalls: [{ id: 'call_refund', name: 'request_action', arguments: action }],
        },
        { name: 'told', afterToolResult: 'call_refund', text: 'I asked for approval.' },
        {
          name: 'outcome',
          afterUser: 'Update on action action:refund-1: Approved by Sam',
          text: 'Your refund went through.',
        },
      ],
    });
    fx.nextOutcome = { status: 'pending', id: 'action:refund-1' };

    const { runner } = run('action');
    const report = await rileySays(runner, fx, 'turn-1', 'Please refund order A-1001.');
    assert.deepEqual(report, { reply: 'I asked for approval.' });
    assert.equal(fx.actions.length, 1);
    assert.deepEqual(fx.actions[0], {
      ...action,
      agentId: 'support',
      sessionId: 'session:support:t1',
      turn: 'turn-1',
    });
    const toolResult = JSON.parse(textOf(sent(fx, 1).at(-1)?.content)) as Record<string, unknown>;
    assert.equal(sent(fx, 1).at(-1)?.tool_call_id, 'call_refund');
    assert.equal(toolResult['status'], 'pending');
    assert.equal(toolResult['id'], 'action:refund-1');
    assert.match(String(toolResult['note']), /Waiting for human approval \(id action:refund-1\)/);

    const outcome = {
      kind: 'action-outcome',
      id: 'action:refund-1',
      workflowId: 'action:refund-1',
      outcome: 'executed',
      message: 'Approved by Sam and carried out.',
      result: { status: 201, body: '{"refund":"r-1"}' },
    };
    const later = await settled(runner, fx.inbox.startTurn('turn-2', [outcome]), 'the outcome');
    const result = await runner.stop();
    assert.deepEqual(later, { reply: 'Your refund went through.' }, result.stderr);
    assert.equal(
      textOf(sent(fx, 2).at(-1)?.content),
      'Update on action action:refund-1: Approved by Sam and carried out.\n' +
        'Result: {"status":201,"body":"{\\"refund\\":\\"r-1\\"}"}',
    );
  },
);

/** The names of the tools the stand-in was offered in its `i`-th request. */
function offered(fx: GatewayFixture, i: number): { name: string; description: string }[] {
  const tools = (fx.model.requests[i]?.body?.['tools'] ?? []) as {
    function: { name: string; description: string };
  }[];
  return tools.map((t) => t.function);
}

test(
  'ask_agent is offered to an agent that may ask, reaches the gateway; exchange items reach the model',
  { timeout: 120_000 },
  async () => {
    const question = 'What does the carrier say about parcels damaged in transit?';
    const { fx, run } = await setUp({
      runner: { mayAsk: ['research', 'billing'] },
      script: [
        {
          name: 'ask',
          afterUser: 'damaged',
          toolCalls: [
            { id: 'call_ask', name: 'ask_agent', arguments: { to: 'research', question } },
          ],
        },
        { name: 'waiting', afterToolResult: 'call_ask', text: 'I asked the research agent.' },
        { name: 'answered', afterUser: 'Answer from research', text: 'The carrier pays.' },
        { name: 'asked', afterUser: 'Question from agent billing', text: 'Order A-1 is paid.' },
      ],
    });
    fx.nextAsk = { status: 'pending', id: 'exchange:q-1' };
    const { runner } = run('ask');
    const report = await rileySays(runner, fx, 'turn-1', 'My parcel arrived damaged.');
    assert.deepEqual(report, { reply: 'I asked the research agent.' });
    const tools = offered(fx, 0);
    assert.deepEqual(
      tools.map((t) => t.name).sort(),
      ['ask_agent', 'read_file', 'request_action', 'send_message', 'shell', 'write_file'],
      'an action agent: request_action and ask_agent, no fetch',
    );
    assert.match(tools.find((t) => t.name === 'ask_agent')?.description ?? '', /research, billing/);
    assert.deepEqual(fx.asks, [
      {
        to: 'research',
        question,
        agentId: 'support',
        sessionId: 'session:support:t1',
        turn: 'turn-1',
      },
    ]);
    const toolResult = JSON.parse(textOf(sent(fx, 1).at(-1)?.content)) as Record<string, unknown>;
    assert.equal(toolResult['status'], 'pending');
    assert.equal(
      toolResult['note'],
      'Your question to research is on its way (id exchange:q-1). It needs approval and the ' +
        "other agent's answer; the answer arrives in a later turn. Tell the user you are waiting.",
    );

    // The answer arrives as the next turn; a question from another agent, and an exchange that
    // ended without an answer, in the one after.
    const result = (state: string, extra: Record<string, unknown>) => ({
      kind: 'exchange-result',
      id: 'exchange:q-1',
      workflowId: 'exchange:q-1',
      to: 'research',
      state,
      ...extra,
    });
    const answer = 'Parcels damaged in transit are covered up to 100 EUR.';
    const later = await settled(
      runner,
      fx.inbox.startTurn('turn-2', [result('completed', { answer, message: 'Answered.' })]),
      'the answer turn',
    );
    assert.deepEqual(later, { reply: 'The carrier pays.' });
    assert.equal(
      textOf(sent(fx, 2).at(-1)?.content),
      `Answer from research to your question (exchange:q-1):\n${answer}`,
    );
    const fromAgent = said('Is order A-1 paid?', 'billing (agent)') as {
      message: Record<string, unknown>;
    };
    fromAgent.message['from'] = {
      platform: 'agent',
      userId: 'billing',
      displayName: 'billing (agent)',
      policyUserId: null,
    };
    fromAgent.message['exchange'] = { workflowId: 'exchange:q-2', from: 'billing' };
    const rejected = result('rejected', {
      answer: 'must never show',
      message: 'The answer was rejected by Sam.',
    });
    const third = await settled(
      runner,
      fx.inbox.startTurn('turn-3', [fromAgent, rejected]),
      'the third turn',
    );
    const stopped = await runner.stop();
    assert.deepEqual(third, { reply: 'Order A-1 is paid.' }, stopped.stderr);
    assert.equal(
      textOf(sent(fx, 3).at(-1)?.content),
      'Question from agent billing (exchange exchange:q-2). Answer it in your reply; your reply ' +
        'is sent back to billing after sanitizing and approval:\nIs order A-1 paid?\n\n' +
        'Your question to research (exchange:q-1) got no answer: The answer was rejected by Sam.',
    );
    assert.doesNotMatch(JSON.stringify(fx.model.requests.at(-1)?.body), /must never show/);
  },
);

test(
  'a research agent is offered fetch, not request_action; no ask_agent when it may ask nobody',
  { timeout: 120_000 },
  async () => {
    const { fx, run } = await setUp({
      agent: { sensitivity: 'research', webHosts: ['127.0.0.1'] },
      script: [{ name: 'hi', afterUser: 'hello', text: 'Hello.' }],
    });
    const { runner } = run('research');
    const report = await rileySays(runner, fx, 'turn-1', 'hello', 'report');
    const stopped = await runner.stop();
    assert.deepEqual(report, { reply: 'Hello.' }, stopped.stderr);
    assert.deepEqual(
      offered(fx, 0)
        .map((t) => t.name)
        .sort(),
      ['fetch', 'read_file', 'send_message', 'shell', 'write_file'],
    );
  },
);
