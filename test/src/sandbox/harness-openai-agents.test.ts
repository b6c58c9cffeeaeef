// The OpenAI Agents SDK harness (harnesses/openai-agents, its image built by the project's script,
// cached by hash) in a real box made for a policy-named image, on a real gateway with the scripted
// stand-in model: it takes a turn through the loopback forwarder and reports the model's reply; a
// turn delivered again after it was done is answered from the saved history without the model; a
// new container on the same workspace resumes the conversation, and the history it sends back
// passes the gateway's request allow-list; the policy's first-step tool choice reaches the model.
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { textOf, type ChatMessage } from '../../../src/dev/model-standin.ts';
import { ensureAgentBox, removeAgentBox } from '../../../src/sandbox/agent-box.ts';
import { boxTesting } from '../../helpers/agent-box.ts';
import { buildHarnessImage } from '../../helpers/harness-image.ts';
import { startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';
import { said } from '../../helpers/runner.ts';

const { docker, withBoxes } = boxTesting();
let image = '';
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

before(async () => {
  image = await buildHarnessImage('openai-agents');
});

/** Riley says `text` in turn `turn`; the harness's report, or a failure after a minute. */
async function turn(fx: GatewayFixture, id: string, text: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no report for ${id} within a minute`)), 60_000);
  });
  try {
    return await Promise.race([fx.inbox.startTurn(id, [said(text)]), bound]);
  } finally {
    clearTimeout(timer);
  }
}

test(
  'the Agents SDK harness takes turns, answers a redelivered turn from its history, resumes in a new box',
  {
    timeout: 300_000,
  },
  async () => {
    const fx = await startGatewayFixture({
      script: [
        { name: 'hello', afterUser: 'hello', text: 'Hi there, from the Agents SDK.' },
        { name: 'again', afterUser: 'and again', text: 'Still here.' },
      ],
      runner: { firstStepToolChoice: 'required' },
    });
    cleanups.push(() => fx.close());
    await withBoxes(async (boxes) => {
      const spec = boxes.spec({
        image,
        harness: true,
        socketDir: dirname(fx.gateway.socketPath),
        limits: { memoryMb: 512, cpus: 1, pids: 128 },
      });
      await ensureAgentBox(docker, spec);
      assert.deepEqual(await turn(fx, 'turn-1', 'hello'), {
        reply: 'Hi there, from the Agents SDK.',
      });
      assert.equal(fx.model.requests.length, 1);
      // The policy's firstStepToolChoice reaches the model through the SDK's model settings.
      assert.equal(fx.model.requests[0]?.body?.['tool_choice'], 'required');

      // The worker retried the turn: the saved reply, no second model call.
      assert.deepEqual(await turn(fx, 'turn-1', 'hello'), {
        reply: 'Hi there, from the Agents SDK.',
      });
      assert.equal(fx.model.requests.length, 1);

      // A new container on the same workspace volume resumes the conversation.
      await removeAgentBox(docker, spec);
      const { created } = await ensureAgentBox(docker, spec);
      assert.equal(created, true);
      assert.deepEqual(await turn(fx, 'turn-2', 'and again'), { reply: 'Still here.' });
      const messages = (fx.model.requests[1]?.body?.['messages'] ?? []) as ChatMessage[];
      assert.deepEqual(
        messages.filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]),
        [
          ['user', 'Riley: hello'],
          ['assistant', 'Hi there, from the Agents SDK.'],
          ['user', 'Riley: and again'],
        ],
      );
      assert.doesNotMatch(fx.logText(), /field_not_allowed/);
    });
  },
);
