// An agent's memory scope, end to end: real sessions, real boxes, the scripted model driving the
// agent's own shell tool. The support agent has `memory: talker`: a file Riley's first conversation
// writes is there in Riley's second one and not in Alice's. The research agent keeps the default
// (`session`): Riley's second conversation with it does not see what the first wrote.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sendToAgent } from '../../src/agents/sessions.ts';
import { execInBox } from '../../src/sandbox/exec.ts';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';
import { terminateRuns } from '../helpers/temporal.ts';

let fx: SessionFixture;
const others: string[] = [];

/** What `memo.txt` holds in the workspace of session `<agent>:<key>` (ENOENT when absent). */
async function memo(agent: string, key: string): Promise<string> {
  const [box] = await fx.driver.docker.listContainers({
    all: true,
    filters: { label: [`airlock.session=${agent}:${key}`] },
  });
  assert.ok(box, `session ${key} of ${agent} has a box`);
  const read = `try { console.log(require("node:fs").readFileSync("/workspace/memo.txt", "utf8").trim()) } catch (e) { console.log(e.code) }`;
  const r = await execInBox(fx.driver.docker, box.Id, ['node', '-e', read], { timeoutMs: 20_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout.trim();
}

/** Alice's message to `agent` in conversation `key` (the fixture sends as Riley). */
async function sendAsAlice(agent: string, key: string, text: string): Promise<string> {
  const id = await sendToAgent(
    fx.client,
    fx.config,
    { agentId: agent, conversationKey: key, conversation: { platform: 'cli', label: 'Alice' } },
    {
      messageId: randomUUID(),
      from: { platform: 'cli', userId: 'alice', displayName: 'Alice', policyUserId: 'alice' },
      text,
      receivedAt: new Date().toISOString(),
    },
  );
  others.push(id);
  return id;
}

describe('memory scopes with real sessions', { timeout: 300_000 }, () => {
  before(async () => {
    fx = await sessionFixture(
      [
        {
          name: 'write',
          afterUser: 'write a memo',
          toolCalls: [
            { id: 'w1', name: 'shell', arguments: { command: 'echo riley-was-here > memo.txt' } },
          ],
          reusable: true,
        },
        { name: 'written', afterToolResult: 'w1', text: 'Memo written.', reusable: true },
        { name: 'hello', afterUser: 'hello', text: 'Hello.', reusable: true },
      ],
      (yaml) => yaml.replace(/(\n {2}- id: support-[0-9a-f]{8}\n)/, '$1    memory: talker\n'),
    );
    await fx.startSessionWorker();
  });
  after(async () => {
    await terminateRuns(fx?.client, others);
    await fx?.close();
  });

  test('talker: the same person’s other conversation sees the file, another person’s does not', async () => {
    await fx.waitForReply(await fx.send(fx.support, 'mem-a', 'write a memo'));
    await fx.waitForReply(await fx.send(fx.support, 'mem-b', 'hello'));
    await fx.waitForReply(await sendAsAlice(fx.support, 'mem-c', 'hello'));
    assert.equal(await memo(fx.support, 'mem-a'), 'riley-was-here');
    assert.equal(await memo(fx.support, 'mem-b'), 'riley-was-here');
    assert.equal(await memo(fx.support, 'mem-c'), 'ENOENT');
  });

  test('session (the default): the same person’s other conversation sees nothing', async () => {
    await fx.waitForReply(await fx.send(fx.research, 'mem-a', 'write a memo'));
    await fx.waitForReply(await fx.send(fx.research, 'mem-b', 'hello'));
    assert.equal(await memo(fx.research, 'mem-a'), 'riley-was-here');
    assert.equal(await memo(fx.research, 'mem-b'), 'ENOENT');
  });
});
