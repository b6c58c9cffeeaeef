// Clicks through the one webhook path (startWebhook): the webhook verifies an approval click
// exactly as the adapter would (Bot Framework JWT against a local key set; Slack signature), turns
// it into its decision, signs it, keeps the signed decision in the durable inbox, answers, and
// only then hands it over. Forged requests are refused before anything is kept; a decision the
// first process could not hand over is handed over by the next one, with its original receipt time.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configuredInboxKey } from '../../../src/webhook/inbox/auth.ts';
import { readInbox } from '../../../src/webhook/inbox/file.ts';
import { inboxDir } from '../../../src/webhook/inbox/inbox.ts';
import type { Deliver } from '../../../src/webhook/inbox/inbox.ts';
import { startWebhook, type Webhook } from '../../../src/webhook/start.ts';
import type { Config } from '../../../src/config.ts';
import type { DecisionSigner } from '../../../src/receipts/signer.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../../src/dev/slack-api-standin.ts';
import { createLogger } from '../../../src/log.ts';
import { decisionSink, post, startKeyServer, testConfig, until } from '../chat/helpers.ts';

type Activity = Record<string, unknown> & { serviceUrl: string; id: string };
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../fixtures/recorded-webhooks/teams/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as { appId: string; action: Activity };
const appId = fixtures.appId;
const logger = createLogger({ level: 'silent' });
const sink = decisionSink();
const value = JSON.stringify({ workflowId: 'action:inbox-1', requestHash: 'h-1' });

let keys: Awaited<ReturnType<typeof startKeyServer>>;
let slack: SlackApiStandin;
let webhook: Webhook;
let config: Config;
let teamsUrl: string;
let slackUrl: string;
const slackSecret = 'slack-secret-click-inbox';
/** A signer that marks what it signed, so the test can see the signed decision is what is kept. */
const signedBy: { workflowId: string; decisionId: string }[] = [];
const signer: DecisionSigner = {
  keyId: 'test-marker',
  sign: (workflowId, decision) => {
    signedBy.push({ workflowId, decisionId: decision.decisionId });
    return {
      ...decision,
      signature: { alg: 'Ed25519', keyId: 'test-marker', value: `sig:${decision.decisionId}` },
    };
  },
};

const start = (deliver: Deliver) =>
  startWebhook({
    config,
    logger,
    deliver,
    signer,
    teamsToken: () => 'header.payload.signature',
    inbox: { retryBaseMs: 20, retryMaxMs: 50 },
  });

before(async () => {
  keys = await startKeyServer();
  slack = await startSlackApiStandin();
  config = testConfig({
    AIRLOCK_TEAMS_APP_ID: appId,
    AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
    AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
    AIRLOCK_SLACK_SIGNING_SECRET: slackSecret,
    AIRLOCK_SLACK_BOT_TOKEN: 'xoxb-click-inbox',
    AIRLOCK_SLACK_API_URL: slack.apiUrl,
  });
  webhook = await start(sink.onDecision);
  teamsUrl = `${webhook.url}/api/webhooks/teams`;
  slackUrl = `${webhook.url}/api/webhooks/slack`;
});

after(async () => {
  await webhook?.close();
  await keys?.close();
  await slack?.close();
});

const click = (extra: Record<string, unknown> = {}): Activity => ({
  ...fixtures.action,
  id: `act-${randomUUID()}`,
  value: { actionId: 'approval:approve', value },
  ...extra,
});
const bearer = async (activity: Activity) => ({
  authorization: `Bearer ${await keys.sign({ aud: appId, serviceurl: activity.serviceUrl })}`,
});

test('a verified Teams click is decided, signed and kept before it is acknowledged, then handed over', async () => {
  const activity = click();
  const before = webhook.inbox.stats().accepted;
  const sent = Date.now();
  const res = await post(teamsUrl, activity, await bearer(activity));
  assert.equal(res.status, 200);
  assert.equal(webhook.inbox.stats().accepted, before + 1, 'kept before the answer');
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:inbox-1');
  assert.equal(decision.decisionId, `teams:${activity.id}`);
  assert.equal(decision.approver.aadObjectId, '00000000-1111-2222-3333-444444444444');
  const at = Date.parse(decision.receivedAt);
  assert.ok(at >= sent - 1000 && at <= Date.now(), 'the receipt time is when it arrived');
  // What was kept and handed over is the signed decision, signed once for its workflow.
  assert.equal(decision.signature?.value, `sig:teams:${activity.id}`);
  assert.deepEqual(
    signedBy.filter((s) => s.decisionId === decision.decisionId),
    [{ workflowId: 'action:inbox-1', decisionId: `teams:${activity.id}` }],
  );
});

test('forged tokens and a guessed replay header get 401, and nothing is kept or decided', async () => {
  const activity = click();
  const before = { kept: webhook.inbox.stats().accepted, decided: sink.calls.length };
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
  // Positive control: a click with a good token, sent after them, is kept and decided; only then
  // is "nothing else" checked, so the check does not rest on a fixed wait being long enough.
  const control = click();
  assert.equal((await post(teamsUrl, control, await bearer(control))).status, 200);
  assert.equal((await sink.next()).decision.decisionId, `teams:${control.id}`);
  assert.equal(webhook.inbox.stats().accepted, before.kept + 1);
  assert.equal(sink.calls.length, before.decided + 1);
});

test('an adaptiveCard/action invoke is answered with a message Teams shows, not an empty value', async () => {
  const activity = click({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', data: { actionId: 'approval:reject', value } } },
  });
  const res = await post(teamsUrl, activity, await bearer(activity));
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
  const before = webhook.inbox.stats().accepted;
  const bad = await post(slackUrl, body, {
    ...form,
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${'0'.repeat(64)}`,
  });
  assert.equal(bad.status, 401);
  assert.equal(webhook.inbox.stats().accepted, before);
  const res = await post(slackUrl, body, {
    ...form,
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${sig}`,
  });
  assert.equal(res.status, 200);
  assert.equal(webhook.inbox.stats().accepted, before + 1);
  const { decision } = await sink.next();
  assert.equal(decision.decisionId, `slack:${payload.trigger_id}`);
  assert.equal(decision.approver.userId, 'U0BOB');
  assert.equal(decision.reason, 'Not before the audit.');
});

test('a decision the first webhook could not hand over is handed over by the next one', async () => {
  // The webhook that takes the click cannot hand it over (as if the process died first).
  await webhook.close();
  webhook = await start(() => Promise.reject(new Error('process about to die')));
  teamsUrl = `${webhook.url}/api/webhooks/teams`;
  const activity = click();
  const sent = Date.now();
  const res = await post(teamsUrl, activity, await bearer(activity));
  assert.equal(res.status, 200);
  // Waits for the first failed hand-over itself (bounded), not a fixed 100 ms.
  await until(() => webhook.inbox.stats().retries > 0, 'a failed hand-over');
  await webhook.close();
  // On disk meanwhile: the decision itself, signed, as received.
  const key = configuredInboxKey(config) ?? readInboxKey();
  const kept = await readInbox(join(inboxDir(config), 'inbox.jsonl'), key);
  assert.deepEqual(
    kept.undelivered.map((e) => [e.workflowId, e.decision.decisionId]),
    [['action:inbox-1', `teams:${activity.id}`]],
  );
  assert.equal(kept.undelivered[0]?.decision.signature?.value, `sig:teams:${activity.id}`);
  const decided = sink.calls.length;
  webhook = await start(sink.onDecision);
  const { decision } = await sink.next();
  assert.equal(sink.calls.length, decided + 1);
  assert.equal(decision.decisionId, `teams:${activity.id}`);
  assert.ok(Date.parse(decision.receivedAt) < sent + 1000, 'the original receipt time is kept');
});

/** The key the inbox made for itself (no AIRLOCK_INBOX_KEY or payload key in this config). */
function readInboxKey(): Buffer {
  return Buffer.from(readFileSync(join(inboxDir(config), 'inbox.key'), 'utf8').trim(), 'base64');
}
