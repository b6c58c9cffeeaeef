// The demo's conversation with another harness in the box: the support agent's policy names the
// OpenAI Agents SDK image (harnesses/openai-agents, built FROM the base image by the project's
// script, cached by hash). Riley asks in the Playground's group chat for a refund of order A-1001;
// the Agents SDK, in a network-less box, calls the scripted stand-in model through the loopback
// forwarder and the gateway, and requests the refund; the card shows it; Bob approves; the refund
// runs once and the agent's outcome reply lands in the same chat.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startModelStandin, type ModelStandin } from '../../src/dev/model-standin.ts';
import { demux, SandboxDriver } from '../../src/sandbox/driver.ts';
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
import { buildHarnessImage } from '../helpers/harness-image.ts';
import { refundCall } from '../helpers/sessions.ts';
import { buttons, cardText, cardUpdated, GROUP_CHAT, type Stack } from '../helpers/stack.ts';

const ids = agentIds();
const { suffix, support } = ids;
const ask = `I need a refund of 120 EUR for order A-1001, the parcel arrived damaged ${suffix}`;
const purpose = `Refund order A-1001 of 120 EUR because the parcel arrived damaged ${suffix}`;
const waiting = `Your 120 EUR refund ${suffix} waits for an approver, says the Agents SDK.`;
const paid = `Good news: your 120 EUR refund ${suffix} was approved and paid, says the Agents SDK.`;

let image = '';
let model: ModelStandin | undefined;
let chat: AgentChat | undefined;
let stack: Stack | undefined;

before(async () => {
  image = await buildHarnessImage('openai-agents');
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
  // The support agent is the policy's first agent: its sandbox line is the first one.
  chat = await startAgentChat(ids, model.baseUrl, [support], (yaml) => {
    const edited = yaml.replace(
      'sandbox: { memoryMb: 512,',
      `sandbox: { image: '${image}', memoryMb: 512,`,
    );
    assert.ok(
      edited.indexOf(image) > edited.indexOf(`id: ${support}`),
      'the support agent names it',
    );
    return edited;
  });
  stack = chat.stack;
});

after(async () => {
  await closeAgentChat(chat, ids, (s) => sessionRuns(s, sessionId()), 'harness test over');
  await model?.close().catch(() => undefined);
});

const sessionId = () => groupSessionId(stack as Stack, support);

const botMessages = (text: string) =>
  stack!.pg.events.filter(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === GROUP_CHAT &&
      (e.message.text ?? '').includes(text),
  );

describe(
  'the demo conversation with the OpenAI Agents SDK in the box',
  { timeout: 300_000 },
  () => {
    test('Riley asks for the refund; the card shows it; Bob approves; the agent tells Riley', async () => {
      assert.ok(stack);
      const refundsBefore = stack.fx.api.refunds.length;
      await rileySays(stack, `Support: ${ask}`);

      await stack.pg
        .waitFor((e) => botMessages(waiting).includes(e), 180_000)
        .catch((err: Error) => {
          // What the chat got instead says where the conversation went.
          const said = stack!.pg.events
            .filter((e) => e.action === 'createMessage' && e.actionConversationId === GROUP_CHAT)
            .map((e) => e.message.text ?? cardText(e));
          throw new Error(`${err.message}; the chat has: ${JSON.stringify(said.slice(-5))}`);
        });
      // The turn ran in a box made from the harness image, with the same hardening as every box.
      const docker = new SandboxDriver(stack.config.DOCKER_HOST).docker;
      const [box] = await docker.listContainers({
        filters: { label: [`airlock.agent=${support}`, `airlock.workflow=${sessionId()}`] },
      });
      assert.equal(box?.Image, image);
      const info = await docker.getContainer(box.Id).inspect();
      assert.deepEqual(info.Config.Cmd, ['/usr/local/bin/node', '/app/harness.js']);
      assert.equal(info.HostConfig.NetworkMode, 'none');
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
      assert.equal(info.Config.User, '1000:1000');
      // The harness listed its tools from the gateway's MCP endpoint, through the forwarder.
      const logs = demux(await docker.getContainer(box.Id).logs({ stdout: true, stderr: true }));
      const ready = logs.stderr
        .split('\n')
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, unknown>) : {}))
        .find((l) => l['msg'] === 'harness ready');
      assert.ok(
        (ready?.['mcpTools'] as string[] | undefined)?.includes('request_action'),
        logs.stderr,
      );
      // The model saw those tools, not Airlock's runner's (no shell in this harness).
      const firstCall = model!.requests.find((r) => JSON.stringify(r).includes(ask));
      const tools = (firstCall?.body as { tools?: { function: { name: string } }[] })?.tools ?? [];
      assert.ok(tools.some((t) => t.function.name === 'request_action'));
      assert.ok(!tools.some((t) => t.function.name === 'shell'));

      const status = await statusUntil(
        stack,
        sessionId(),
        (s) => s.pendingActions.length === 1,
        'the pending refund',
      );
      const action = status.pendingActions[0]!.workflowId;
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
        'A-1001',
      ])
        assert.ok(text.includes(shown), `the card shows ${shown}: ${text}`);

      await clickApprove(stack, card, 'user-bob');
      const outcome = (await stack.fx.client.workflow.getHandle(action).result()) as {
        outcome: string;
      };
      assert.equal(outcome.outcome, 'executed');
      await cardUpdated(stack.pg, card.message.messageId, /Approved by Bob Approver at/);

      await stack.pg.waitFor((e) => botMessages(paid).includes(e), 180_000);
      await statusUntil(
        stack,
        sessionId(),
        (s) => s.state !== 'working' && s.pendingActions.length === 0,
        'idle',
      );
      assert.equal(stack.fx.api.refunds.length, refundsBefore + 1, 'the refund ran once');
      assert.equal(stack.fx.api.refunds.at(-1)?.idempotencyKey, action);
      assert.equal(botMessages(waiting).length, 1, 'the waiting reply was posted once');
      assert.equal(botMessages(paid).length, 1, 'the outcome was posted once');
    });
  },
);
