// The receiver is the one subscriber to the Chat SDK's message events. A recorded Teams DM goes
// through the real Teams adapter (production mode) and is read once: the arrivals and the agent
// router take the same value, with the same verified sender, and the bot learns the conversation.
// A request whose token the webhook's edge verified is not verified again by the adapter; without
// the edge's word the adapter verifies it (no token here: 401, nothing reaches the subscriber).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { ChatMessage } from '../../../../src/chat/agents/message.ts';
import { createReceiver, type ChatReceiver } from '../../../../src/chat/agents/receiver.ts';
import type { Arrival } from '../../../../src/chat/pending.ts';
import { createChatPlatforms, type ChatPlatforms } from '../../../../src/chat/platforms.ts';
import { createWebhookAuth } from '../../../../src/webhook/auth/inbound.ts';
import { createLogger } from '../../../../src/log.ts';
import { startKeyServer, testConfig } from '../helpers.ts';

const dm = (
  JSON.parse(
    readFileSync(
      new URL('../../../fixtures/recorded-webhooks/teams/dm.json', import.meta.url),
      'utf8',
    ),
  ) as { dmMessage: Record<string, unknown> & { id: string } }
).dmMessage;

let keys: Awaited<ReturnType<typeof startKeyServer>> | undefined;
let platforms: ChatPlatforms | undefined;
let receiver: ChatReceiver | undefined;
const arrivals: Arrival[] = [];
const toAgent: ChatMessage[] = [];

before(async () => {
  keys = await startKeyServer();
  const config = testConfig({
    AIRLOCK_TEAMS_APP_ID: '11111111-2222-3333-4444-555555555555',
    AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
    AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
  });
  const logger = createLogger({ level: 'silent' });
  platforms = await createChatPlatforms({
    config,
    logger,
    // The webhook's verifiers, as startWebhook hands them to the adapters.
    auth: createWebhookAuth(config, logger).inbound,
    // Outbound calls would fetch an Entra token; nothing is posted here.
    teamsToken: () => 'header.payload.signature',
  });
  receiver = createReceiver(
    platforms,
    createLogger({ level: 'silent' }),
    (arrival) => {
      arrivals.push(arrival);
      return Promise.resolve({ shown: 0, more: 0 });
    },
    (message) => {
      toAgent.push(message);
      return Promise.resolve();
    },
  );
});

after(async () => {
  await receiver?.drain();
  await platforms?.chat.shutdown();
  await keys?.close();
});

/** The DM as the webhook hands it on: no Authorization header at all. */
const request = (id: string): Request =>
  new Request('http://127.0.0.1/api/webhooks/teams', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...dm, id }),
  });

test('a DM the edge verified is read once: the arrivals and the router take one value', async () => {
  const answer = await receiver!.handle('teams', request(`${dm.id}1`), 5000, true);
  assert.equal(answer.status, 200);
  assert.equal(answer.outcome, 'ok');
  assert.equal(toAgent.length, 1);
  const message = toAgent[0]!;
  // The same Arrival object: the sender was read from the payload once, for both.
  assert.equal(arrivals.length, 1);
  assert.equal(arrivals[0], message.arrival);
  assert.equal(message.platform, 'teams');
  assert.equal(message.toBot, true);
  assert.equal(message.fromBot, false);
  assert.equal(message.text, 'Hey');
  assert.deepEqual(message.arrival?.person, {
    platform: 'teams',
    userId: (dm['from'] as { id: string }).id,
    displayName: 'Test User',
    aadObjectId: '00000000-1111-2222-3333-444444444444',
    tenantId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  });
  assert.equal(message.arrival?.id, `teams:${dm.id}1`);
  assert.equal(message.label, 'Teams chat with Test User');
  assert.ok(message.botNames.includes('Chat SDK Demo'));
  const conversationId = (dm['conversation'] as { id: string }).id;
  assert.ok(
    platforms!.conversations
      .list()
      .some((c) => c.platform === 'teams' && c.conversationId === conversationId),
    'the bot learned the conversation',
  );
});

test('without the edge’s word the adapter verifies the token: none, so 401 and nothing runs', async () => {
  const before = toAgent.length;
  const answer = await receiver!.handle('teams', request(`${dm.id}2`), 5000);
  assert.equal(answer.status, 401);
  assert.equal(toAgent.length, before);
});
