// Clicks acknowledged from the inbox: the webhook verifies an approval click exactly as the adapter
// would (Bot Framework JWT against a local key set; Slack signature), keeps it as received in the
// durable inbox, answers, and only then hands it to the Chat SDK, whose click handler makes the
// decision. Forged requests are refused before anything is kept; a click the first process could
// not hand on is handed on by the next one, with its original receipt time.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDecisionInbox, type DecisionInbox } from '../../../src/chat/inbox.ts';
import type { StoredClick } from '../../../src/chat/inbox-file.ts';
import { createChatServer, type ChatServer } from '../../../src/chat/server.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../../src/dev/slack-api-standin.ts';
import { createLogger } from '../../../src/log.ts';
import { decisionSink, post, startKeyServer, testConfig } from './helpers.ts';

type Activity = Record<string, unknown> & { serviceUrl: string; id: string };
const fixtures = JSON.parse(
  readFileSync(
    new URL(
      '../../../../shared/fixtures/recorded-webhooks/teams/actions-reactions.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as { appId: string; action: Activity };
const appId = fixtures.appId;
const logger = createLogger({ level: 'silent' });
const sink = decisionSink();
const value = JSON.stringify({ workflowId: 'action:inbox-1', requestHash: 'h-1' });

let keys: Awaited<ReturnType<typeof startKeyServer>>;
let slack: SlackApiStandin;
let server: ChatServer;
let teamsUrl: string;
let slackUrl: string;
let inbox: DecisionInbox;
const dir = mkdtempSync(join(tmpdir(), 'airlock-click-inbox-'));
const slackSecret = 'slack-secret-click-inbox';

before(async () => {
  keys = await startKeyServer();
  slack = await startSlackApiStandin();
  server = await createChatServer({
    config: testConfig({
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
      AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
      AIRLOCK_SLACK_SIGNING_SECRET: slackSecret,
      AIRLOCK_SLACK_BOT_TOKEN: 'xoxb-click-inbox',
      AIRLOCK_SLACK_API_URL: slack.apiUrl,
    }),
    onDecision: sink.onDecision,
    logger,
    teamsToken: () => 'header.payload.signature',
    clicks: { acceptClick: (workflowId, click) => inbox.acceptClick(workflowId, click) },
  });
  inbox = openInbox((click) => server.receiver.replay(click));
  await inbox.start();
  const port = await server.listen();
  teamsUrl = `http://127.0.0.1:${port}/api/webhooks/teams`;
  slackUrl = `http://127.0.0.1:${port}/api/webhooks/slack`;
});

after(async () => {
  await inbox.close();
  await server.close();
  await keys.close();
  await slack.close();
});

const openInbox = (deliverClick: (click: StoredClick) => Promise<void>) =>
  createDecisionInbox({
    dir,
    logger,
    deliver: () => Promise.reject(new Error('decisions come from the Chat SDK here')),
    deliverClick,
    retryBaseMs: 20,
    retryMaxMs: 50,
  });

const click = (extra: Record<string, unknown> = {}): Activity => ({
  ...fixtures.action,
  id: `act-${randomUUID()}`,
  value: { actionId: 'approval:approve', value },
  ...extra,
});
const signed = async (activity: Activity) => ({
  authorization: `Bearer ${await keys.sign({ aud: appId, serviceurl: activity.serviceUrl })}`,
});

test('a verified Teams click is acknowledged once kept, then the Chat SDK makes its decision', async () => {
  const activity = click();
  const before = inbox.stats().accepted;
  const sent = Date.now();
  const res = await post(teamsUrl, activity, await signed(activity));
  assert.equal(res.status, 200);
  assert.equal(inbox.stats().accepted, before + 1, 'kept before the answer');
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:inbox-1');
  assert.equal(decision.decisionId, `teams:${activity.id}`);
  assert.equal(decision.approver.aadObjectId, '00000000-1111-2222-3333-444444444444');
  const at = Date.parse(decision.receivedAt);
  assert.ok(at >= sent - 1000 && at <= Date.now(), 'the receipt time is when it arrived');
});

test('forged tokens and a guessed replay header get 401, and nothing is kept or decided', async () => {
  const activity = click();
  const before = { kept: inbox.stats().accepted, decided: sink.calls.length };
  const cases: Record<string, string>[] = [
    { authorization: `Bearer ${await keys.signWithOtherKey({ aud: appId })}` },
    {},
    { 'x-airlock-replay': randomBytes(32).toString('base64url') },
    { 'x-ms-agents-playground': 'true' },
  ];
  for (const headers of cases) {
    const res = await post(teamsUrl, activity, headers);
    assert.equal(res.status, 401, JSON.stringify(headers));
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(inbox.stats().accepted, before.kept);
  assert.equal(sink.calls.length, before.decided);
});

test('an adaptiveCard/action invoke is answered with a message Teams shows, not an empty value', async () => {
  const activity = click({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', data: { actionId: 'approval:reject', value } } },
  });
  const res = await post(teamsUrl, activity, await signed(activity));
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text), {
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: 'Your decision was received.',
  });
  const { decision } = await sink.next();
  assert.equal(decision.choice, 'reject');
});

test('a signed Slack click with a typed reason is kept, acknowledged and decided; a bad signature is not', async () => {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0BOB', name: 'bob', team_id: 'T1' },
    trigger_id: `trigger-${randomUUID()}`,
    channel: { id: 'C0APPROVALS' },
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'C0APPROVALS' },
    message: { ts: '1700000000.000001' },
    actions: [{ action_id: 'approval:reject', value, action_ts: '1700000001.1' }],
    state: { values: { airlock_reason: { reason: { value: 'Not before the audit.' } } } },
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', slackSecret).update(`v0:${ts}:${body}`).digest('hex');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const before = inbox.stats().accepted;
  const bad = await post(slackUrl, body, {
    ...form,
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${'0'.repeat(64)}`,
  });
  assert.equal(bad.status, 401);
  assert.equal(inbox.stats().accepted, before);
  const res = await post(slackUrl, body, {
    ...form,
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${sig}`,
  });
  assert.equal(res.status, 200);
  assert.equal(inbox.stats().accepted, before + 1);
  const { decision } = await sink.next();
  assert.equal(decision.decisionId, `slack:${payload.trigger_id}`);
  assert.equal(decision.approver.userId, 'U0BOB');
  assert.equal(decision.reason, 'Not before the audit.');
});

test('a click the first inbox could not hand on is handed to the Chat SDK by the next one', async () => {
  // The inbox that takes the click cannot reach the Chat SDK (as if the process died first).
  await inbox.close();
  inbox = openInbox(() => Promise.reject(new Error('process about to die')));
  await inbox.start();
  const activity = click();
  const sent = Date.now();
  const res = await post(teamsUrl, activity, await signed(activity));
  assert.equal(res.status, 200);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(inbox.stats().retries > 0);
  await inbox.close();
  const decided = sink.calls.length;
  inbox = openInbox((c) => server.receiver.replay(c));
  await inbox.start();
  const { decision } = await sink.next();
  assert.equal(sink.calls.length, decided + 1);
  assert.equal(decision.decisionId, `teams:${activity.id}`);
  assert.ok(Date.parse(decision.receivedAt) < sent + 1000, 'the original receipt time is kept');
});
