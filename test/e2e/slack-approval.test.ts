// Slack end to end: the policy sends cards to a Slack channel; the card goes out through the local
// stand-in speaking Slack's Web API; a recorded real block_actions click, re-signed with our signing
// secret, comes in at the webhook; the workflow executes once and the card is edited in place.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { createApprovalBot } from '../../src/chat/bot.ts';
import { createCardSender } from '../../src/chat/card-sender.ts';
import { startWebhook } from '../../src/webhook/start.ts';
import { createDeps } from '../../src/deps.ts';
import { startSlackApiStandin } from '../../src/dev/slack-api-standin.ts';
import { createLogger } from '../../src/log.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { actionFixture, refundRequest } from '../helpers/actions.ts';
import { postToSlack, withSlack } from '../helpers/stack.ts';

const recorded = JSON.parse(
  readFileSync(
    new URL('../fixtures/recorded-webhooks/slack/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as {
  action: Record<string, unknown> & { user: { id: string }; actions: Record<string, unknown>[] };
};
const secret = 'slack-signing-secret-e2e';

test('a Slack click approves: recorded block_actions shape, verified signature, one execution, card edited', async () => {
  const slackUser = recorded.action.user.id;
  const fx = await actionFixture((yaml) =>
    yaml
      .replace(
        '    email: alice@example.com\n',
        `    email: alice@example.com\n    slackUserId: ${slackUser}\n`,
      )
      .replace(
        'teams: { channel: { conversationId: airlock-approvals-chat } }',
        'slack: { channel: C0APPROVALS }',
      ),
  );
  const slack = await startSlackApiStandin();
  const config = withSlack(fx.config, secret, 'xoxb-e2e', slack.apiUrl);
  const logger = createLogger({ level: 'silent' });
  const webhook = await startWebhook({ config, logger });
  const url = `${webhook.url}/api/webhooks/slack`;
  const bot = await createApprovalBot({ config, logger });
  const worker = await createWorker({
    config,
    logger,
    activities: createActivities(createDeps(config, createCardSender(bot, config, logger))),
  });
  const running = worker.run();
  try {
    const before = fx.api.refunds.length;
    const { workflowId, handle } = await requestAction(
      fx.client,
      config,
      refundRequest({ amount: 220, order: `SLACK-${process.pid}` }),
    );
    let posted: (typeof slack.calls)[number] | undefined;
    for (let i = 0; i < 200 && !posted; i++) {
      posted = slack.calls.find(
        (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(workflowId),
      );
      if (!posted) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(posted?.args['channel'], 'C0APPROVALS');
    const blocks = JSON.stringify(posted?.args['blocks']);
    const value = /"action_id":"approval:approve","value":"((?:[^"\\]|\\.)*)"/.exec(blocks)?.[1];
    assert.ok(value, 'the card has an Approve button with a value');
    const click = {
      ...recorded.action,
      actions: [
        {
          ...recorded.action.actions[0],
          action_id: 'approval:approve',
          value: JSON.parse(`"${value}"`) as string,
        },
      ],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(click))}`;
    const forged = await postToSlack(url, body, secret, { signature: 'v0=00' });
    assert.equal(forged.status, 401);
    const res = await postToSlack(url, body, secret);
    assert.equal(res.status, 200);
    const outcome = await handle.result();
    assert.equal(outcome.outcome, 'executed');
    assert.equal(outcome.decidedBy[0]?.approver.userId, slackUser);
    assert.equal(fx.api.refunds.length, before + 1);
    const update = slack.calls.filter((c) => c.method === 'chat.update').at(-1);
    assert.match(JSON.stringify(update?.args), /Approved by .* at \d\d:\d\d UTC/);
  } finally {
    worker.shutdown();
    await running;
    await webhook.close();
    await slack.close();
    await fx.close();
  }
});
