// Production-mode Teams authentication: Bot Framework-shaped JWTs signed by a local key set
// (served as OpenID metadata + JWKS on 127.0.0.1), replayed against recorded real Teams bodies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createChatServer, type ChatServer } from '../../../src/chat/server.ts';
import { createLogger } from '../../../src/log.ts';
import { decisionSink, post, startKeyServer, testConfig } from './helpers.ts';

type Activity = Record<string, unknown> & { serviceUrl: string; id: string };
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../fixtures/recorded-webhooks/teams/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as { appId: string; action: Activity; mention: Activity };
const channelFixture = JSON.parse(
  readFileSync(
    new URL('../../fixtures/recorded-webhooks/teams/channel.json', import.meta.url),
    'utf8',
  ),
) as { channel_post_action: Activity };

const appId = fixtures.appId;
const sink = decisionSink();
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let server: ChatServer;
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
  server = await createChatServer({
    config: testConfig({
      AIRLOCK_TEAMS_APP_ID: appId,
      AIRLOCK_TEAMS_APP_PASSWORD: 'test-password',
      AIRLOCK_TEAMS_TENANT_ID: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      AIRLOCK_TEAMS_OPENID_URL: keys.metadataUrl,
    }),
    onDecision: sink.onDecision,
    logger: createLogger({ level: 'silent' }),
    // Outbound calls would fetch an Entra token; inbound verification is what is tested here.
    teamsToken: () => 'header.payload.signature',
  });
  url = `http://127.0.0.1:${await server.listen()}/api/webhooks/teams`;
});

after(async () => {
  await server.close();
  await keys.close();
});

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

test('forged, unsigned, expired, wrong-audience, wrong-issuer and missing tokens get 401 and signal nothing', async () => {
  const activity = approveClick();
  const claims = { aud: appId, serviceurl: activity.serviceUrl };
  const unsignedToken = [
    Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
    Buffer.from(
      JSON.stringify({ ...claims, iss: 'https://api.botframework.com', exp: 4102444800 }),
    ).toString('base64url'),
    '',
  ].join('.');
  const cases: [string, Record<string, string>][] = [
    ['forged (other key)', bearer(await keys.signWithOtherKey(claims))],
    ['unsigned (alg none)', bearer(unsignedToken)],
    [
      'expired',
      bearer(await keys.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })),
    ],
    ['wrong audience', bearer(await keys.sign({ ...claims, aud: 'someone-else' }))],
    ['wrong issuer', bearer(await keys.sign(claims, { issuer: 'https://sts.windows.net/evil/' }))],
    [
      'serviceurl mismatch',
      bearer(await keys.sign({ ...claims, serviceurl: 'https://evil.example/' })),
    ],
    ['missing header', {}],
    ['not a bearer token', { authorization: 'Basic dXNlcjpwYXNz' }],
  ];
  for (const [name, headers] of cases) {
    const res = await post(url, activity, headers);
    assert.equal(res.status, 401, name);
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(sink.calls.length, 0);
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
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(sink.calls.length, before);
  // The mention taught the bot the channel conversation.
  const conversation = (fixtures.mention['conversation'] as { id: string }).id;
  assert.ok(
    server.bot
      .knownConversations()
      .some((c) => c.platform === 'teams' && c.conversationId === conversation),
  );
});
