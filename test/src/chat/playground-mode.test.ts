// Playground mode is explicit and local: refused with credentials, off loopback or in
// production; loud in the log; and even when on, only Playground-shaped requests get through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChatServer } from '../../../src/chat/server.ts';
import { hasCode } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { captureLogger, decisionSink, post, testConfig } from './helpers.ts';

const silent = createLogger({ level: 'silent' });
const onDecision = (): Promise<void> => Promise.resolve();

test('Playground mode is off unless asked for explicitly', () => {
  assert.equal(testConfig().AIRLOCK_TEAMS_PLAYGROUND, false);
  assert.equal(testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '0' }).AIRLOCK_TEAMS_PLAYGROUND, false);
  assert.equal(testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }).AIRLOCK_TEAMS_PLAYGROUND, true);
  assert.throws(
    () => testConfig({ AIRLOCK_TEAMS_PLAYGROUND: 'yes' }),
    (e: Error) => hasCode(e, 'config_invalid'),
  );
});

const refusals: [string, Record<string, string>, RegExp][] = [
  ['Teams app id configured', { AIRLOCK_TEAMS_APP_ID: 'app' }, /credentials are configured/],
  [
    'Teams app password configured',
    { AIRLOCK_TEAMS_APP_PASSWORD: 'pw' },
    /credentials are configured/,
  ],
  ['Teams tenant configured', { AIRLOCK_TEAMS_TENANT_ID: 'tenant' }, /credentials are configured/],
  [
    'non-loopback bind',
    { AIRLOCK_WEBHOOK_HOST: '0.0.0.0' },
    /binds to 0\.0\.0\.0, not a loopback address/,
  ],
  ['production', { NODE_ENV: 'production' }, /NODE_ENV is production/],
];
for (const [name, env, message] of refusals) {
  test(`Playground mode is refused at startup: ${name}`, async () => {
    await assert.rejects(
      createChatServer({
        config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1', ...env }),
        onDecision,
        logger: silent,
      }),
      (err: Error) => {
        assert.ok(hasCode(err, 'playground_refused'));
        assert.match(err.message, message);
        assert.match(err.message, /local development only/);
        return true;
      },
    );
  });
}

test('Playground mode warns at start and on each accepted request; other requests get 401', async () => {
  const { logger, lines } = captureLogger();
  const sink = decisionSink();
  const server = await createChatServer({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1', AIRLOCK_WEBHOOK_HOST: '::1' }),
    onDecision: sink.onDecision,
    logger,
  });
  const url = `http://[::1]:${await server.listen()}/api/webhooks/teams`;
  try {
    const warnings = (): number =>
      lines().filter((l) => l['level'] === 40 && String(l['msg']).startsWith('PLAYGROUND MODE'))
        .length;
    assert.equal(warnings(), 1, 'one warning at start');
    const click = {
      type: 'message',
      id: 'act-1',
      serviceUrl: 'http://localhost:56150/_connector',
      channelId: 'msteams',
      from: {
        id: 'user-alice',
        name: 'Alice Approver',
        aadObjectId: '00000000-0000-0000-0000-00000000a11c',
      },
      conversation: {
        id: 'airlock-approvals-chat',
        conversationType: 'groupChat',
        tenantId: 'tenant',
      },
      recipient: { id: '00000000-0000-0000-0000-00000000b071' },
      replyToId: '123',
      value: {
        actionId: 'approval:approve',
        value: JSON.stringify({ workflowId: 'action:x', requestHash: 'h' }),
      },
    };
    const marker = { 'x-ms-agents-playground': 'true' };
    assert.equal((await post(url, click)).status, 401, 'no Playground header');
    assert.equal(
      (await post(url, click, { ...marker, authorization: 'Bearer a.b.c' })).status,
      401,
      'a token is not the Playground',
    );
    const remote = { ...click, serviceUrl: 'https://smba.trafficmanager.net/amer/' };
    assert.equal((await post(url, remote, marker)).status, 401, 'non-loopback serviceUrl');
    assert.equal(sink.calls.length, 0);
    assert.equal((await post(url, click, marker)).status, 200);
    assert.equal((await sink.next()).decision.approver.displayName, 'Alice Approver');
    assert.equal(warnings(), 2, 'one more warning for the accepted request');
  } finally {
    await server.close();
  }
});
