// Exchanges when things break, with real parts (Temporal, Docker, both agents' sandboxes, the
// gateways, the stand-in model, signed approval clicks): the worker killed between the two
// approvals, and the answering agent's sandbox killed while it answers. Each exchange completes
// once, and the asker gets the sanitized answer once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatMessage } from '../../src/dev/model-standin.ts';
import { textOf } from '../../src/dev/model-standin.ts';
import { exchangeStatusQuery } from '../../workflows/agent-exchange/messages.ts';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';
import { loadConfig } from '../../src/config.ts';
import { startPlayground } from '../../src/dev/playground.ts';
import { envFor, killProcess, spawnWorker } from '../helpers/temporal.ts';

let fx: SessionFixture;
const lastUser = (m: ChatMessage[]): string =>
  m.at(-1)?.role === 'user' ? textOf(m.at(-1)?.content) : '';

describe('exchanges under faults', { timeout: 300_000 }, () => {
  before(async () => {
    fx = await sessionFixture([]);
  });
  after(async () => fx?.close());

  const script = (tag: string, answering: { name: string; toolCalls?: never[] }[] = []) => [
    {
      name: `${tag}:ask`,
      afterUser: `${tag} question`,
      toolCalls: [
        {
          id: `${tag}-a1`,
          name: 'ask_agent',
          arguments: { to: fx.research, question: `How long do refunds take? (${tag})` },
        },
      ],
    },
    { name: `${tag}:asked`, afterToolResult: `${tag}-a1`, text: `${tag}: asked.` },
    ...answering,
    {
      name: `${tag}:answer`,
      when: (m: ChatMessage[]) =>
        lastUser(m).includes('Question from agent') && lastUser(m).includes(`(${tag})`),
      text: `${tag}: refunds take five days.`,
    },
    {
      name: `${tag}:answered`,
      when: (m: ChatMessage[]) => lastUser(m).includes('Answer from'),
      text: `${tag}: got it, five days.`,
    },
  ];

  const approve = (workflowId: string): Promise<void> => fx.decide(workflowId);

  async function asked(tag: string): Promise<{ session: string; id: string }> {
    const session = await fx.send(fx.support, `cli-${tag}`, `${tag} question please`);
    const status = await fx.waitForReply(session);
    const pending = status.pendingActions.find((p) => p.workflowId.startsWith('exchange:'));
    assert.ok(pending, `the question waits as an exchange: ${JSON.stringify(status)}`);
    return { session, id: pending.workflowId.replace(/^exchange:/, '') };
  }

  test('the worker killed between the two approvals: the exchange completes once', async () => {
    fx.model.setScript(script('kill'));
    // The worker that dies posts its cards to the Agents Playground (the local Teams); the
    // decisions come as signed signals, as the webhook sends them.
    const playground = await startPlayground({ webhookUrl: 'http://127.0.0.1:9/unused' });
    after(() => playground.stop());
    const child = await spawnWorker(
      loadConfig({
        ...envFor(fx.config),
        AIRLOCK_TEAMS_PLAYGROUND: '1',
        AIRLOCK_TEAMS_CONVERSATION_ID: 'airlock-approvals-chat',
        AIRLOCK_TEAMS_SERVICE_URL: `${playground.url}/_connector`,
      }),
    );
    let asking: { session: string; id: string } | undefined;
    try {
      asking = await asked('kill');
      const { id } = asking;
      await approve(`action:${id}.question`);
      // The answer is in and waits for its approval: the worker dies there.
      await fx.waitFor(
        () => fx.client.workflow.getHandle(`exchange:${id}`).query(exchangeStatusQuery),
        (s) => s.step === 'answer-approval',
      );
    } finally {
      await killProcess(child, 'SIGKILL');
    }
    const { stop } = await fx.startSessionWorker();
    try {
      const { session, id } = asking;
      await approve(`action:${id}.answer`);
      const done = await fx.waitForReply(session, 1, 90_000);
      assert.equal(done.replies.at(-1)?.text, 'kill: got it, five days.');
      assert.equal(done.replies.filter((r) => r.text.includes('got it')).length, 1);
      const status = await fx.client.workflow
        .getHandle(`exchange:${id}`)
        .query(exchangeStatusQuery);
      assert.equal(status.state, 'completed');
      assert.equal(fx.model.used.filter((s) => s === 'kill:answer').length, 1);
    } finally {
      await stop();
    }
  });

  test("the answering agent's sandbox killed while it answers: recreated, answered once", async () => {
    const slow = {
      name: 'box:slow',
      when: (m: ChatMessage[]) =>
        lastUser(m).includes('Question from agent') && lastUser(m).includes('(box)'),
      toolCalls: [{ id: 'box-z1', name: 'shell', arguments: { command: 'sleep 60' } }],
    };
    fx.model.setScript(script('box', [slow as never]));
    const { stop } = await fx.startSessionWorker();
    try {
      const { session, id } = await asked('box');
      await approve(`action:${id}.question`);
      await fx.waitFor(
        () => Promise.resolve(fx.model.used),
        (used) => used.includes('box:slow'),
      );
      const [box] = await fx.driver.docker.listContainers({
        filters: { label: [`airlock.agent=${fx.research}`] },
      });
      assert.ok(box, 'the research agent is answering in its sandbox');
      await fx.driver.docker.getContainer(box.Id).remove({ force: true });

      await approve(`action:${id}.answer`);
      const done = await fx.waitForReply(session, 1, 90_000);
      assert.equal(done.replies.at(-1)?.text, 'box: got it, five days.');
      const status = await fx.client.workflow
        .getHandle(`exchange:${id}`)
        .query(exchangeStatusQuery);
      assert.equal(status.state, 'completed');
      assert.equal(status.answer?.text, 'box: refunds take five days.');
      const [again] = await fx.driver.docker.listContainers({
        filters: { label: [`airlock.agent=${fx.research}`] },
      });
      assert.ok(again && again.Id !== box.Id, 'a new sandbox answered');
    } finally {
      await stop();
    }
  });
});
