// The agent runner as it runs in production: the image's own command in a real sandbox container,
// a real gateway on the mounted socket, the scripted stand-in model upstream. One turn uses the
// in-box tools (write a file, `cat` it) and replies through the gateway; a second container on the
// same workspace resumes with the saved history; a sensitive action reaches the gateway as asked
// and its `pending` answer goes back to the model as the tool result.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { textOf, type ChatMessage } from '../../../src/dev/model-standin.ts';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { CANARY, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';
import {
  createWorkspace,
  eventually,
  startRunner,
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

const agentFile = { id: 'support', instructions: 'You help with parcels.', model: 'standin-1' };

/** The messages the stand-in received in its `i`-th request. */
function sent(fx: GatewayFixture, i: number): ChatMessage[] {
  return (fx.model.requests[i]?.body?.['messages'] ?? []) as ChatMessage[];
}

async function setUp(script: Parameters<typeof startGatewayFixture>[0]): Promise<{
  fx: GatewayFixture;
  ws: Workspace;
  run: (label: string) => RunningRunner;
}> {
  const fx = await startGatewayFixture(script);
  cleanups.push(() => fx.close());
  const ws = createWorkspace(agentFile);
  cleanups.push(() => ws.remove());
  const run = (label: string): RunningRunner => {
    const name = `airlock-runner-test-${label}-${randomUUID()}`;
    cleanups.push(() => driver.remove(name));
    return startRunner(driver, {
      name,
      image: config.AIRLOCK_SANDBOX_IMAGE,
      socketPath: fx.gateway.socketPath,
      workspace: ws.dir,
    });
  };
  return { fx, ws, run };
}

test(
  'a turn runs tools in the box, replies through the gateway, and a new container resumes it',
  { timeout: 120_000 },
  async () => {
    const { fx, ws, run } = await setUp({
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

    const first = run('first');
    fx.inbox.push({ type: 'message', from: 'riley', text: 'Please write a note.' });
    await eventually(first, () => fx.messages.length >= 1, 'the first reply');
    const firstRun = await first.stop();

    assert.deepEqual(fx.model.used, ['write', 'cat', 'answer'], firstRun.stderr);
    assert.deepEqual(
      fx.messages.map((m) => m.text),
      ['The note says hello.'],
    );
    // The model saw each tool's result: the write, then the file's content from `cat`.
    const afterWrite = sent(fx, 1).at(-1);
    assert.equal(afterWrite?.role, 'tool');
    assert.match(textOf(afterWrite?.content), /notes\/hello\.txt/);
    const afterCat = sent(fx, 2).at(-1);
    assert.equal(afterCat?.tool_call_id, 'call_cat');
    assert.match(textOf(afterCat?.content), /"exitCode":0/);
    assert.match(textOf(afterCat?.content), /hello from the agent/);
    assert.equal(sent(fx, 0)[0]?.role, 'system', 'the instructions lead the conversation');
    assert.equal(textOf(sent(fx, 0)[0]?.content), agentFile.instructions);
    // The box sent a placeholder; the upstream got the key from the vault.
    assert.ok(fx.model.requests.every((r) => r.headers.authorization === `Bearer ${CANARY}`));

    assert.equal(readFileSync(join(ws.dir, 'notes', 'hello.txt'), 'utf8'), 'hello from the agent');
    const saved = ws.conversation();
    assert.deepEqual(
      saved.map((m) => m['role']),
      ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant'],
    );
    assert.match(JSON.stringify(saved[0]), /riley: Please write a note\./);

    // A new container on the same workspace carries on with the saved history.
    const second = run('second');
    fx.inbox.push({ type: 'message', from: 'riley', text: 'And what did you write?' });
    await eventually(second, () => fx.messages.length >= 2, 'the second reply');
    const secondRun = await second.stop();
    assert.deepEqual(fx.model.used, ['write', 'cat', 'answer', 'recall'], secondRun.stderr);
    assert.equal(fx.messages[1]?.text, 'A note saying hello.');
    const resumed = sent(fx, 3);
    assert.deepEqual(
      resumed.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'user'],
    );
    assert.match(textOf(resumed[1]?.content), /Please write a note/);
    assert.match(textOf(resumed[5]?.content), /hello from the agent/);
    assert.equal(ws.conversation().length, 8);
  },
);

test(
  'request_action reaches the gateway as the agent asked, and pending goes back as the tool result',
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
      ],
    });
    fx.nextOutcome = { status: 'pending', id: 'action:refund-1' };

    const runner = run('action');
    fx.inbox.push({ type: 'message', from: 'riley', text: 'Please refund order A-1001.' });
    await eventually(runner, () => fx.messages.length >= 1, 'the reply');
    const result = await runner.stop();

    assert.deepEqual(fx.model.used, ['ask', 'told'], result.stderr);
    assert.equal(fx.actions.length, 1);
    assert.deepEqual(fx.actions[0], {
      ...action,
      agentId: 'support',
      sessionId: 'session:support:t1',
    });
    const toolResult = sent(fx, 1).at(-1);
    assert.equal(toolResult?.tool_call_id, 'call_refund');
    assert.deepEqual(JSON.parse(textOf(toolResult?.content)), {
      status: 'pending',
      id: 'action:refund-1',
    });
    assert.equal(fx.messages[0]?.text, 'I asked for approval.');
  },
);
