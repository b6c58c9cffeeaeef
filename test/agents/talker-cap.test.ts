// Per-talker cap on open sessions, against the real Temporal server: with maxSessionsPerTalker 2, a
// person's third conversation with the agent is refused with a message saying why, while another
// person may still open one and a message into an open conversation always goes through. Under
// `talker` memory, two people in one chat thread get a session each. No worker runs: sessions are
// started (signal-with-start) and counted only; every one is terminated at the end.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { sendToAgent, type SessionAddress } from '../../src/agents/sessions.ts';
import { createClient } from '../../src/temporal/client.ts';
import type { SessionSender } from '../../workflows/agent-session/messages.ts';
import { testConfig, terminateRuns } from '../helpers/temporal.ts';

// Its own task queue: no worker of another test runs these sessions.
const config = testConfig({ TEMPORAL_TASK_QUEUE: `talker-cap-${randomUUID().slice(0, 8)}` });
const agentId = `cap-agent-${randomUUID().slice(0, 8)}`;
const started = new Set<string>();
let client: Client;

before(async () => {
  client = await createClient(config);
});
after(async () => {
  await terminateRuns(client, started);
  await client.connection.close();
});

const person = (id: string): SessionSender => ({
  platform: 'teams',
  userId: `29:${id}`,
  displayName: id,
  policyUserId: id,
});

const agent = { memory: 'session' as const, maxSessionsPerTalker: 2, displayName: 'Cap Bot' };

async function send(
  who: string,
  key: string,
  memory: SessionAddress['agent'] = agent,
): Promise<string> {
  const id = await sendToAgent(
    client,
    config,
    {
      agentId,
      conversationKey: key,
      conversation: { platform: 'teams', threadId: `teams:${key}`, label: key },
      ...(memory ? { agent: memory } : {}),
    },
    {
      messageId: randomUUID(),
      from: person(who),
      text: 'hello',
      receivedAt: new Date().toISOString(),
    },
  );
  started.add(id);
  return id;
}

/** Wait (bounded) until visibility lists `n` running sessions of the agent. */
async function listed(n: number): Promise<void> {
  const query = `AgentId = '${agentId}' AND ExecutionStatus = 'Running'`;
  for (let i = 0; i < 200; i++) {
    const { count } = await client.workflow.count(query);
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`visibility never listed ${n} sessions of ${agentId}`);
}

test('a person past the cap is refused with a message; others and open sessions are not', async () => {
  const first = await send('riley', 'k1');
  await send('riley', 'k2');
  await listed(2);
  await assert.rejects(send('riley', 'k3'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'session_limit');
    assert.match(err.message, /already have 2 conversations with Cap Bot open/);
    return true;
  });
  // Nothing was started for the refused one.
  const refused = client.workflow.getHandle(`session:${agentId}:k3`).describe();
  await assert.rejects(refused, { name: 'WorkflowNotFoundError' });
  // Another person is not counted against riley, and riley's open conversation still takes messages.
  await send('sam', 'k4');
  assert.equal(await send('riley', 'k1'), first);
});

test('talker memory: two people in one thread get a session each', async () => {
  const talker = { ...agent, memory: 'talker' as const, maxSessionsPerTalker: 5 };
  const riley = await send('riley-t', 'thread', talker);
  const sam = await send('sam-t', 'thread', talker);
  assert.notEqual(riley, sam);
  assert.equal(await send('riley-t', 'thread', talker), riley);
  const input = (await client.workflow.getHandle(riley).describe()).memo;
  assert.equal(input?.['talker'], 'riley-t');
});
