// Production-mode Teams authentication: Bot Framework-shaped JWTs signed by a local key set
// (served as OpenID metadata + JWKS on 127.0.0.1), replayed against recorded real Teams bodies:
// every way a token can be wrong is a 401 that signals nothing; unreachable keys are a 503.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { assertKeyUrl, createKeyStore } from '../../../../src/webhook/auth/teams-keys.ts';
import { startWebhook, type Webhook } from '../../../../src/webhook/start.ts';
import { loadConfig } from '../../../../src/config.ts';
import { hasCode } from '../../../../src/errors.ts';
import { createLogger } from '../../../../src/log.ts';
import {
  captureLogger,
  decisionSink,
  post,
  startKeyServer,
  startQuietWebhook,
  testConfig,
} from '../../chat/helpers.ts';

type Activity = Record<string, unknown> & { serviceUrl: string; id: string };
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../../fixtures/recorded-webhooks/teams/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as { appId: string; action: Activity; mention: Activity };
const channelFixture = JSON.parse(
  readFileSync(
    new URL('../../../fixtures/recorded-webhooks/teams/channel.json', import.meta.url),
    'utf8',
  ),
) as { channel_post_action: Activity };

const appId = fixtures.appId;
const sink = decisionSink();
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let server: Webhook;
let url: string;

/** The recorded channel click, pointed at one of our approval buttons. */
function approveClick(base: Activity = fixtures.action): Activity {
  return {
    ...base,
    value: {
      actionId: 'approval:approve',
      value: JSON.stringify({ workflowId: 'action:req-9', requestHash: 'h-9' }),
    },
  };
}

before(async () => {
  keys = await startKeyServer();
  server = await startQuietWebhook(
    {
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
      AIRLOCK_TEAMS_TENANT_ID: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
    },
    sink.onDecision,
    // Outbound calls would fetch an Entra token; inbound verification is what is tested here.
    { teamsToken: () => 'header.payload.signature' },
  );
  url = `http://127.0.0.1:${server.port}/api/webhooks/teams`;
});

after(async () => {
  await server?.close();
  await keys?.close();
});

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

test('every kind of bad token gets 401 through the real server and signals nothing', async () => {
  const activity = approveClick();
  const claims = { aud: appId, serviceurl: activity.serviceUrl };
  const now = Math.floor(Date.now() / 1000);
  const unsignedToken = [
    Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'test-key' })).toString('base64url'),
    Buffer.from(
      JSON.stringify({ ...claims, iss: 'https://api.botframework.com', exp: 4102444800 }),
    ).toString('base64url'),
    '',
  ].join('.');
  const { serviceurl: _omitted, ...withoutServiceUrl } = claims;
  const cases: [string, Record<string, string>, Activity][] = [
    ['bad signature (other key)', bearer(await keys.signWithOtherKey(claims)), activity],
    ['unsigned (alg none)', bearer(unsignedToken), activity],
    ['expired', bearer(await keys.sign(claims, { expiresIn: now - 3600 })), activity],
    ['not yet valid', bearer(await keys.sign(claims, { notBefore: now + 3600 })), activity],
    ['wrong audience', bearer(await keys.sign({ ...claims, aud: 'someone-else' })), activity],
    [
      'wrong issuer',
      bearer(await keys.sign(claims, { issuer: 'https://sts.windows.net/evil/' })),
      activity,
    ],
    [
      'serviceurl mismatch',
      bearer(await keys.sign({ ...claims, serviceurl: 'https://evil.example/' })),
      activity,
    ],
    ['serviceurl missing', bearer(await keys.sign(withoutServiceUrl)), activity],
    [
      'serviceurl missing, activity pointing elsewhere',
      bearer(await keys.sign(withoutServiceUrl)),
      { ...activity, serviceUrl: 'https://evil.example/' },
    ],
    [
      'channelId not msteams',
      bearer(await keys.sign(claims)),
      { ...activity, channelId: 'webchat' },
    ],
    ['key not endorsed for msteams', bearer(await keys.signWithUnendorsedKey(claims)), activity],
    ['missing header', {}, activity],
    ['not a bearer token', { authorization: 'Basic dXNlcjpwYXNz' }, activity],
  ];
  for (const [name, headers, body] of cases) {
    const res = await post(url, body, headers);
    assert.equal(res.status, 401, name);
    assert.deepEqual(JSON.parse(res.text), { error: 'unauthorized' }, name);
  }
  // Control: the same click with a correct token, sent after them, is accepted; only then is
  // "nothing else" checked, so the check does not rest on a fixed wait being long enough.
  const ok = await post(url, { ...activity, id: 'control-1' }, bearer(await keys.sign(claims)));
  assert.equal(ok.status, 200);
  assert.equal((await sink.next()).workflowId, 'action:req-9');
  assert.equal(sink.calls.length, 1);
});

/** Send a click with a good token and wait until it arrives (a positive control). */
async function sendControl(id: string): Promise<void> {
  const activity = { ...approveClick(), id };
  const token = await keys.sign({ aud: appId, serviceurl: activity.serviceUrl });
  assert.equal((await post(url, activity, bearer(token))).status, 200);
  assert.equal((await sink.next()).decision.decisionId, `teams:${id}`);
}

test('a click whose tenant is only in channelData is refused in production', async () => {
  const before = sink.calls.length;
  const click = approveClick();
  const { tenantId: _t, ...conversation } = click['conversation'] as Record<string, unknown>;
  const activity = { ...click, id: 'no-tenant-1', conversation };
  const res = await post(
    url,
    activity,
    bearer(await keys.sign({ aud: appId, serviceurl: activity.serviceUrl })),
  );
  assert.equal(res.status, 400);
  assert.match(res.text, /conversation\.tenantId/);
  await sendControl('control-2'); // arrives, so the refused click would have by now
  assert.equal(sink.calls.length, before + 1);
});

test('unreachable OpenID metadata gets 503, logged, and is not refetched for every request', async () => {
  const down = await startKeyServer();
  down.setDown(true);
  const log = captureLogger();
  const local = await startWebhook({
    config: testConfig({
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
      AIRLOCK_TEAMS_OPENID_URL: down.metadataUrl,
    }),
    deliver: sink.onDecision,
    logger: log.logger,
    teamsToken: () => 'header.payload.signature',
  });
  try {
    const localUrl = `http://127.0.0.1:${local.port}/api/webhooks/teams`;
    const activity = approveClick();
    const token = await down.sign({ aud: appId, serviceurl: activity.serviceUrl });
    const before = sink.calls.length;
    for (let i = 0; i < 20; i++) {
      const res = await post(localUrl, activity, bearer(token));
      assert.equal(res.status, 503);
      assert.deepEqual(JSON.parse(res.text), { error: 'auth_unavailable' });
    }
    assert.equal(down.hits(), 1, 'one fetch for 20 requests within the retry window');
    assert.ok(log.lines().some((l) => String(l['msg']).includes('OpenID metadata or keys')));
    assert.equal(sink.calls.length, before);
  } finally {
    await local.close();
    await down.close();
  }
});

test('production accepts only https: OpenID metadata and key URLs', () => {
  assert.throws(
    () =>
      loadConfig({
        NODE_ENV: 'production',
        AIRLOCK_TEAMS_OPENID_URL: 'http://login.example/openid',
      }),
    (e: Error) => hasCode(e, 'config_invalid') && /AIRLOCK_TEAMS_OPENID_URL/.test(e.message),
  );
  assert.throws(
    () =>
      createKeyStore({
        metadataUrl: 'http://login.example/openid',
        requireHttps: true,
        logger: createLogger({ level: 'silent' }),
      }),
    (e: Error) => hasCode(e, 'config_invalid'),
  );
  assert.throws(() => assertKeyUrl('http://keys.example/jwks', 'jwks_uri', true));
  assertKeyUrl('https://login.botframework.com/v1/keys', 'jwks_uri', true);
});

test('a validly signed recorded Teams click is accepted with the clicker identity', async () => {
  const activity = approveClick();
  const token = await keys.sign({ aud: appId, serviceurl: activity.serviceUrl });
  const res = await post(url, activity, bearer(token));
  assert.equal(res.status, 200);
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:req-9');
  assert.equal(decision.decisionId, `teams:${fixtures.action.id}`);
  assert.deepEqual(decision.approver, {
    platform: 'teams',
    userId: (fixtures.action['from'] as { id: string }).id,
    displayName: 'Test User',
    aadObjectId: '00000000-1111-2222-3333-444444444444',
    tenantId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  });
});

test('recorded bodies without one of our clicks are accepted and signal nothing', async () => {
  const before = sink.calls.length;
  for (const activity of [fixtures.action, channelFixture.channel_post_action, fixtures.mention]) {
    const token = await keys.sign({ aud: appId, serviceurl: activity.serviceUrl });
    const res = await post(url, activity, bearer(token));
    assert.equal(res.status, 200);
  }
  await sendControl('control-3'); // arrives, so anything the bodies signalled would have by now
  assert.equal(sink.calls.length, before + 1);
  // The mention taught the bot the channel conversation.
  const conversation = (fixtures.mention['conversation'] as { id: string }).id;
  assert.ok(
    server.bot
      .knownConversations()
      .some((c) => c.platform === 'teams' && c.conversationId === conversation),
  );
});

test('a token accepted once is refused through the server for an activity it does not vouch for', async () => {
  const activity = approveClick();
  const token = await keys.sign({ aud: appId, serviceurl: activity.serviceUrl });
  const before = sink.calls.length;
  const ok = await post(url, { ...activity, id: 'cached-1' }, bearer(token));
  assert.equal(ok.status, 200);
  await sink.next();
  // The same token string, now verified and cached, on activities it was not issued for.
  const elsewhere = [
    { ...activity, id: 'cached-2', serviceUrl: 'https://evil.example/' },
    { ...activity, id: 'cached-3', channelId: 'webchat' },
  ];
  for (const other of elsewhere) {
    const res = await post(url, other, bearer(token));
    assert.equal(res.status, 401, other.id);
  }
  // Positive control: the activity the token does vouch for, sent after them, arrives; only then
  // is "nothing else" checked, so the check does not rest on a fixed wait being long enough.
  const again = await post(url, { ...activity, id: 'cached-4' }, bearer(token));
  assert.equal(again.status, 200);
  await sink.next();
  assert.equal(sink.calls.length, before + 2);
});
