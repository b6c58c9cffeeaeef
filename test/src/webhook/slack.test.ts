// Slack: cards go out through a local stand-in speaking the Web API wire protocol; clicks come in
// as recorded real block_actions bodies, signed with the signing secret (bad or stale → 401).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Webhook } from '../../../src/webhook/start.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../../src/dev/slack-api-standin.ts';
import { cardModel, decisionSink, post, startQuietWebhook } from '../chat/helpers.ts';

const secret = 'slack-signing-secret-for-tests';
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../fixtures/recorded-webhooks/slack/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as {
  action: Record<string, unknown> & { actions: Record<string, unknown>[] };
  mention: Record<string, unknown>;
};
const sink = decisionSink();
let slack: SlackApiStandin;
let server: Webhook;
let url: string;

function signed(
  body: string,
  secretKey = secret,
  ts = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const sig = createHmac('sha256', secretKey).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${sig}` };
}
const form = (payload: unknown): string => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
const approveClick = {
  ...fixtures.action,
  actions: [
    {
      ...fixtures.action.actions[0],
      action_id: 'approval:approve',
      value: JSON.stringify({ workflowId: 'action:req-s', requestHash: 'h-s' }),
    },
  ],
};

before(async () => {
  slack = await startSlackApiStandin();
  server = await startQuietWebhook(
    {
      AIRLOCK_SLACK_SIGNING_SECRET: secret,
      AIRLOCK_SLACK_BOT_TOKEN: 'xoxb-test',
      AIRLOCK_SLACK_BOT_USER_ID: 'U00FAKEBOT01',
      AIRLOCK_SLACK_API_URL: slack.apiUrl,
    },
    sink.onDecision,
  );
  url = `http://127.0.0.1:${server.port}/api/webhooks/slack`;
});

after(async () => {
  await server?.close();
  await slack?.close();
});

test('a card is posted with both buttons and edited in place by its stored ts', async () => {
  const model = cardModel({ workflowId: 'action:req-s', requestHash: 'h-s' });
  const ref = await server.bot.postApprovalCard(
    { platform: 'slack', channel: 'C00FAKECHAN1' },
    model,
  );
  const posted = slack.calls.find((c) => c.method === 'chat.postMessage');
  assert.ok(posted);
  assert.equal(posted.args['channel'], 'C00FAKECHAN1');
  assert.equal(ref.messageId, '1700000000.000001');
  const blocks = JSON.stringify(posted.args['blocks']);
  assert.match(blocks, /"action_id":"approval:approve"/);
  assert.match(blocks, /"action_id":"approval:reject"/);
  assert.ok(
    blocks.includes(
      JSON.stringify(JSON.stringify({ workflowId: 'action:req-s', requestHash: 'h-s' })),
    ),
  );

  await server.bot.updateApprovalCard(ref, {
    ...model,
    state: 'rejected',
    outcomeText: 'Rejected by Bob Approver at 09:15 UTC',
  });
  const updated = slack.calls.find((c) => c.method === 'chat.update');
  assert.ok(updated);
  assert.equal(updated.args['ts'], ref.messageId);
  const updatedBlocks = JSON.stringify(updated.args['blocks']);
  assert.match(updatedBlocks, /Rejected by Bob Approver at 09:15 UTC/);
  assert.doesNotMatch(updatedBlocks, /approval:approve/);
});

test('bad signature, stale timestamp and missing headers get 401 and signal nothing', async () => {
  const body = form(approveClick);
  const stale = Math.floor(Date.now() / 1000) - 600;
  for (const headers of [signed(body, 'wrong-secret'), signed(body, secret, stale), {}]) {
    const res = await post(url, body, { ...formHeaders, ...headers });
    assert.equal(res.status, 401);
  }
  // Positive control: a good click sent after them arrives; only then is "nothing else" checked,
  // so the check does not rest on a fixed wait being long enough.
  await sendControl('control-1');
  assert.equal(sink.calls.length, 1);
});

/** Send a good click for `action:<name>` and wait until it arrives (a positive control). */
async function sendControl(name: string): Promise<void> {
  const control = form({
    ...approveClick,
    trigger_id: `trigger-${name}`,
    actions: [
      {
        ...approveClick.actions[0],
        value: JSON.stringify({ workflowId: `action:${name}`, requestHash: 'h-c' }),
      },
    ],
  });
  assert.equal((await post(url, control, { ...formHeaders, ...signed(control) })).status, 200);
  assert.equal((await sink.next()).workflowId, `action:${name}`);
}

test('a recorded block_actions click, signed, yields the clicker identity', async () => {
  const body = form(approveClick);
  const res = await post(url, body, { ...formHeaders, ...signed(body) });
  assert.equal(res.status, 200);
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:req-s');
  assert.equal(decision.choice, 'approve');
  assert.equal(decision.requestHash, 'h-s');
  assert.equal(decision.decisionId, `slack:${String(fixtures.action['trigger_id'])}`);
  assert.deepEqual(decision.approver, {
    platform: 'slack',
    userId: 'U00FAKEUSER1',
    displayName: 'testuser',
    tenantId: 'T00FAKE00AA',
  });
});

test('recorded bodies without one of our clicks are accepted and signal nothing', async () => {
  const before = sink.calls.length;
  const click = form(fixtures.action);
  assert.equal((await post(url, click, { ...formHeaders, ...signed(click) })).status, 200);
  const mention = JSON.stringify(fixtures.mention);
  assert.equal((await post(url, mention, signed(mention))).status, 200);
  await sendControl('control-2'); // arrives, so anything the two bodies signalled would have too
  assert.equal(sink.calls.length, before + 1);
  assert.ok(
    server.bot
      .knownConversations()
      .some((c) => c.platform === 'slack' && c.channel === 'C00FAKECHAN1'),
  );
});
