// A message to an agent while Temporal itself cannot be reached: the webhook still answers the
// platform 200 (so it does not redeliver), and tells the sender in the thread that the message
// was not delivered and to try again. (With Temporal up and every worker down the message is
// accepted: test/e2e/agent-chat.test.ts.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startWebhook, type Webhook } from '../../../../src/webhook/start.ts';
import { createLogger } from '../../../../src/log.ts';
import { sendTeamsMessage } from '../../../../src/dev/playground-message.ts';
import { freePort, repoRoot } from '../../../helpers/temporal.ts';
import { startPlaygroundOn, testConfig, type PlaygroundView } from '../helpers.ts';

let webhook: Webhook | undefined;
let teams: PlaygroundView | undefined;

before(async () => {
  webhook = await startWebhook({
    config: testConfig({
      AIRLOCK_TEAMS_PLAYGROUND: '1',
      // Nothing listens there: every call to Temporal fails.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      AIRLOCK_POLICY_DIR: join(repoRoot, 'policies'),
    }),
    logger: createLogger({ level: 'error' }),
  });
  teams = await startPlaygroundOn(webhook.url);
});

after(async () => {
  await teams?.close();
  await webhook?.close();
});

test('with Temporal unreachable, the sender is told the message was not delivered', async () => {
  assert.ok(webhook && teams);
  const sent = await sendTeamsMessage({
    webhookUrl: webhook.url,
    playgroundPort: teams.playground.port,
    user: {
      id: 'user-riley',
      name: 'Riley Requester',
      aadObjectId: '00000000-0000-0000-0000-0000000000cc',
    },
    conversation: { id: 'airlock-approvals-chat', type: 'groupChat' },
    text: 'Support: where is my parcel?',
  });
  assert.equal(sent.status, 200, 'the platform is not asked to redeliver');
  const answer = await teams.client.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === 'airlock-approvals-chat' &&
      /could not be delivered/.test(e.message.text ?? ''),
  );
  assert.equal(
    answer.message.text,
    'Your message could not be delivered to Support: Airlock cannot reach its workflow service just now. Try again in a minute.',
  );
});
