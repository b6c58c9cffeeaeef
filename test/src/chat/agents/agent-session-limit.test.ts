// A person past their cap of open conversations with an agent is told so in the thread: with
// maxSessionsPerTalker 1, Riley's message in a second Teams conversation is answered with the
// refusal and starts nothing. Real webhook, Agents Playground and Temporal server; no worker runs
// (a fresh task queue), and every session the test started is terminated.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { startWebhook, type Webhook } from '../../../../src/webhook/start.ts';
import { sendTeamsMessage } from '../../../../src/dev/playground-message.ts';
import { createLogger } from '../../../../src/log.ts';
import { createClient } from '../../../../src/temporal/client.ts';
import { repoRoot, testConfig } from '../../../helpers/temporal.ts';
import { startPlaygroundOn, type PlaygroundView } from '../helpers.ts';

const agentId = `capped-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'airlock-session-limit-'));
const riley = {
  id: 'user-riley',
  name: 'Riley Requester',
  aadObjectId: '00000000-0000-0000-0000-0000000000cc',
};
let webhook: Webhook | undefined;
let teams: PlaygroundView | undefined;
let client: Client | undefined;

before(async () => {
  mkdirSync(join(dir, 'policies'));
  const policy = readFileSync(join(repoRoot, 'policies/airlock.yaml'), 'utf8')
    .replaceAll('support-bot', agentId)
    .replace(`\n  - id: ${agentId}\n`, `\n  - id: ${agentId}\n    maxSessionsPerTalker: 1\n`);
  assert.match(policy, /maxSessionsPerTalker: 1/);
  writeFileSync(join(dir, 'policies/airlock.yaml'), policy);
  const config = testConfig({
    AIRLOCK_TEAMS_PLAYGROUND: '1',
    AIRLOCK_POLICY_DIR: join(dir, 'policies'),
    AIRLOCK_DATA_DIR: dir,
    AIRLOCK_WEBHOOK_PORT: '0',
    AIRLOCK_INBOX_DIR: join(dir, 'inbox'),
  });
  client = await createClient(config);
  webhook = await startWebhook({ config, logger: createLogger({ level: 'error' }) });
  teams = await startPlaygroundOn(webhook.url);
});

after(async () => {
  if (client) {
    for await (const run of client.workflow.list({ query: `AgentId = '${agentId}'` }))
      await client.workflow
        .getHandle(run.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await client.connection.close();
  }
  await teams?.close();
  await webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function say(conversation: { id: string; type: 'groupChat' | 'personal' }, text: string) {
  assert.ok(webhook && teams);
  const sent = await sendTeamsMessage({
    webhookUrl: webhook.url,
    playgroundPort: teams.playground.port,
    user: riley,
    conversation,
    text,
  });
  assert.equal(sent.status, 200, 'the platform is not asked to redeliver');
}

test('past the cap, the person is told in the thread and nothing starts', async () => {
  assert.ok(client && teams);
  await say({ id: 'airlock-approvals-chat', type: 'groupChat' }, 'Support: where is my parcel?');
  // Visibility lists the first conversation (bounded wait).
  for (let i = 0; ; i++) {
    const { count } = await client.workflow.count(`AgentId = '${agentId}'`);
    if (count === 1) break;
    assert.ok(i < 200, 'the first conversation never became visible');
    await new Promise((r) => setTimeout(r, 100));
  }
  await say({ id: 'airlock-personal-chat', type: 'personal' }, 'Support: and my other parcel?');
  const answer = await teams.client.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === 'airlock-personal-chat' &&
      /already have/.test(e.message.text ?? ''),
  );
  assert.equal(
    answer.message.text,
    'You already have 1 conversation with Support open, the most one person may have at once. Continue in one of them, or wait until one goes idle, then write again.',
  );
  const { count } = await client.workflow.count(`AgentId = '${agentId}'`);
  assert.equal(count, 1, 'the refused conversation started nothing');
});
