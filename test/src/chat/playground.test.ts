// End to end against Microsoft's Agents Playground: the bot learns a conversation from a message,
// posts an approval card, receives clicks as different users, and edits the card in place.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWebhook, type Webhook } from '../../../src/webhook/start.ts';
import type { ChatTarget } from '../../../src/chat/agents/conversations.ts';
import { cardOf, type PlaygroundClient } from '../../../src/dev/playground-client.ts';
import {
  cardModel,
  decisionSink,
  post,
  startPlaygroundOn,
  startRecordingProxy,
  testConfig,
  type PlaygroundView,
} from './helpers.ts';

const tenant = '00000000-0000-0000-0000-0000000000aa';
const bot = { id: '00000000-0000-0000-0000-00000000b071', name: 'Airlock' };
const chatId = 'airlock-approvals-chat';
const sink = decisionSink();
let server: Webhook;
let port: number;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let teams: PlaygroundView | undefined;
let client: PlaygroundClient;

before(async () => {
  server = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }),
    deliver: sink.onDecision,
    logger: (await import('../../../src/log.ts')).createLogger({ level: 'error' }),
  });
  port = server.port;
  proxy = await startRecordingProxy(() => `http://127.0.0.1:${port}`);
  teams = await startPlaygroundOn(proxy.url);
  client = teams.client;
});

after(async () => {
  await teams?.close();
  await proxy?.close();
  await server?.close();
});

test('a card posted into a learned conversation is clicked, attributed and edited in place', async () => {
  const config = await client.testConfig();
  assert.equal(config.config.tenantId, tenant);
  await client.sendMessage(chatId, 'hello', { fromId: 'user-alice', mentionBot: bot });
  let target: ChatTarget | undefined;
  for (let i = 0; i < 200 && !target; i++) {
    target = server.bot
      .knownConversations()
      .find((c) => c.platform === 'teams' && c.conversationId === chatId);
    if (!target) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(target, 'the bot learned the group chat from the message');

  const model = cardModel();
  const ref = await server.bot.postApprovalCard(target, model);
  const created = await client.waitFor(
    (e) => e.action === 'createMessage' && e.message.messageId === ref.messageId,
  );
  const card = cardOf(created);
  const actions = card?.['actions'] as {
    title: string;
    data: { actionId: string; value: string };
  }[];
  assert.deepEqual(
    actions.map((a) => [a.title, a.data.actionId]),
    [
      ['Approve', 'approval:approve'],
      ['Reject', 'approval:reject'],
    ],
  );
  assert.deepEqual(JSON.parse(actions[0]?.data.value ?? ''), {
    workflowId: model.workflowId,
    requestHash: model.requestHash,
  });

  /** Click the card's button `index` as `fromId` through the Playground; the decision it makes. */
  const clickAs = async (index: number, fromId: string) => {
    await client.submit({
      conversationId: chatId,
      replyToId: ref.messageId,
      value: actions[index]?.data ?? {},
      fromId,
    });
    return sink.next();
  };

  // Alice approves through the Playground's submit API (as the web UI would).
  const alice = await clickAs(0, 'user-alice');
  assert.equal(alice.workflowId, model.workflowId);
  assert.equal(alice.decision.choice, 'approve');
  assert.equal(alice.decision.requestHash, model.requestHash);
  assert.deepEqual(alice.decision.approver, {
    platform: 'teams',
    userId: 'user-alice',
    displayName: 'Alice Approver',
    aadObjectId: '00000000-0000-0000-0000-00000000a11c',
    tenantId: tenant,
  });

  await server.bot.updateApprovalCard(ref, {
    ...model,
    state: 'approved',
    outcomeText: 'Approved by Alice Approver at 14:02 UTC',
  });
  const updated = await client.waitFor(
    (e) => e.action === 'updateMessage' && e.message.messageId === ref.messageId,
  );
  const updatedJson = JSON.stringify(cardOf(updated));
  assert.match(updatedJson, /Approved by Alice Approver at 14:02 UTC/);
  assert.equal(cardOf(updated)?.['actions'], undefined, 'a final card has no buttons');

  // Mallory clicks too: authorization is the workflow's job, but her identity must be hers.
  const mallory = await clickAs(1, 'user-mallory');
  assert.equal(mallory.decision.choice, 'reject');
  assert.equal(mallory.decision.approver.aadObjectId, '00000000-0000-0000-0000-0000000000ee');
  assert.equal(mallory.decision.approver.displayName, 'Mallory Outsider');
  assert.equal(mallory.decision.approver.tenantId, tenant);
  assert.notEqual(mallory.decision.decisionId, alice.decision.decisionId);

  // The platform redelivers Mallory's click (same activity): same decisionId.
  const malloryBody = proxy.bodies.find(
    (b) => b.includes('"user-mallory"') && b.includes('approval:reject'),
  );
  assert.ok(malloryBody);
  const again = await post(`http://127.0.0.1:${port}/api/webhooks/teams`, malloryBody, {
    'x-ms-agents-playground': 'true',
  });
  assert.equal(again.status, 200);
  const duplicate = await sink.next();
  assert.equal(duplicate.decision.decisionId, mallory.decision.decisionId);
});
