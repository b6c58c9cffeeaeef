// A real language model decides: Qwen2.5-Coder 0.5B on this machine's CPU (llama.cpp's server,
// fetched, assembled and checked against its pinned sha256 in `before`, cached afterwards; a
// failed download fails the test). Riley asks the support agent for a refund in the Playground's
// group chat; the model, offered the refunds API's typed tool, calls it with the order and the
// amount; the card appears, Bob approves, and the refund runs once. The test asserts the path, never
// the model's wording. The engine's supervisor is checked too: killed, it comes back; a port that is
// taken is a clear error naming the setting that moves it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startLocalModel, type LocalModel } from '../../src/dev/local-model.ts';
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
import { cardText, GROUP_CHAT, type Stack } from '../helpers/stack.ts';
import { freePort } from '../helpers/temporal.ts';

const ids = agentIds();
const { support } = ids;

let model: LocalModel | undefined;
let chat: AgentChat | undefined;
let stack: Stack | undefined;

before(async () => {
  // The engine checks the same key the vault injects (CANARY, as putAgentKeys stores it).
  model = await startLocalModel({ name: 'small', port: await freePort(), apiKey: CANARY });
  const { baseUrl, alias } = model;
  chat = await startAgentChat(ids, baseUrl, [support], (yaml) => {
    const edited = yaml
      .replaceAll('model: airlock-standin', `model: ${alias}`)
      // A small model is offered the one typed tool it needs, and a short loop.
      .replace('      tokenBudget: 200000\n', '      tokenBudget: 200000\n      maxSteps: 4\n')
      // This test is about the refund path: the orders lookup (mcp:orders) is the stand-in demo's.
      .replace(
        "    capabilities: [refunds-api, 'mcp:orders']\n",
        '    capabilities: [refunds-api]\n    tools: [request_refund]\n',
      )
      .replace(/ Look the order up first in the orders database \([^)]*\)\./, '');
    // The shipped policy changed under this test before: say so rather than time out later.
    assert.ok(
      edited.includes('tools: [request_refund]') && !edited.includes('orders__query'),
      "the shipped support agent's capabilities or instructions changed: update this test's edits",
    );
    return edited;
  });
  stack = chat.stack;
});

after(async () => {
  await closeAgentChat(chat, ids, (s) => sessionRuns(s, sessionId()), 'local-model test over');
  await model?.close().catch(() => undefined);
});

const sessionId = () => groupSessionId(stack as Stack, support);

describe('a real model on the CPU', { timeout: 540_000 }, () => {
  test('the model calls the refunds tool with the order and amount; Bob approves; it runs once', async () => {
    assert.ok(stack && model);
    assert.match(model.info.name, /Qwen2\.5 Coder 0\.5B/);
    assert.equal(model.info.quantization, 'Q4_K_M');
    const refundsBefore = stack.fx.api.refunds.length;
    await rileySays(
      stack,
      'Support: I need a refund of 120 EUR for order A-1001, the parcel arrived damaged.',
    );

    // A real model on two busy cores: a turn may take minutes; the bound is generous.
    const status = await statusUntil(
      stack,
      sessionId(),
      (s) => s.pendingActions.length === 1,
      'the model to ask for the refund',
      300_000,
    );
    const action = status.pendingActions[0]!.workflowId;
    const card = await stack.pg.waitFor(
      (e) =>
        e.action === 'createMessage' &&
        e.actionConversationId === GROUP_CHAT &&
        cardText(e).includes(action),
      60_000,
    );
    const text = cardText(card);
    for (const shown of ['refunds-api', '/refunds', 'A-1001', '120'])
      assert.ok(text.includes(shown), `the card shows ${shown}: ${text}`);

    await clickApprove(stack, card, 'user-bob');
    const outcome = (await stack.fx.client.workflow.getHandle(action).result()) as {
      outcome: string;
    };
    assert.equal(outcome.outcome, 'executed');
    assert.equal(stack.fx.api.refunds.length, refundsBefore + 1, 'the refund ran once');
    const refund = stack.fx.api.refunds.at(-1);
    assert.equal(refund?.idempotencyKey, action);
    const body = refund?.body as { order?: string; amount?: number; currency?: string };
    assert.equal(body.order, 'A-1001');
    assert.equal(body.amount, 120);
  });

  test('the engine killed mid-answer fails that call, is restarted and answers again; a taken port names its setting', async () => {
    assert.ok(model);
    const pid = (model as LocalModel & { pid?: number }).pid;
    assert.ok(pid, 'the engine runs');
    // An answer streaming when the engine dies: the call breaks off (as any model error does; the
    // runner's model client retries it), and nothing hangs.
    const res = await fetch(`${model.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CANARY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: model.alias,
        stream: true,
        max_tokens: 400,
        messages: [{ role: 'user', content: 'Write the numbers from 1 to 300 in words.' }],
      }),
      signal: AbortSignal.timeout(120_000),
    });
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let streamed = new TextDecoder().decode((await reader.read()).value);
    process.kill(pid, 'SIGKILL');
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read())
        streamed += new TextDecoder().decode(r.value);
    } catch (err) {
      streamed += `\n(broken: ${(err as Error).message})`;
    }
    assert.ok(
      !streamed.includes('[DONE]'),
      `the answer in flight broke off: ${streamed.slice(-300)}`,
    );
    const deadline = Date.now() + 180_000;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const res = await fetch(`${model.baseUrl}/models`, {
        headers: { authorization: `Bearer ${CANARY}` },
      }).catch(() => null);
      answered = res?.status === 200 && (model as { pid?: number }).pid !== pid;
    }
    assert.ok(answered, 'the restarted engine answers');
    assert.equal(model.restarts, 1);

    const taken: Server = createServer();
    const port = await new Promise<number>((r) =>
      taken.listen(0, '127.0.0.1', () => r((taken.address() as { port: number }).port)),
    );
    try {
      await assert.rejects(startLocalModel({ name: 'small', port, apiKey: CANARY }), {
        code: 'local_model_port_busy',
        message: new RegExp(
          `port ${port} on 127\\.0\\.0\\.1 is already in use: set AIRLOCK_LOCAL_MODEL_PORT`,
        ),
      });
    } finally {
      taken.close();
    }
  });
});
