// Playground mode is explicit and local: refused with credentials, off loopback or in
// production; loud in the log; and even when on, only Playground-shaped requests get through.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { playgroundRefusal } from '../../../../src/webhook/auth/playground.ts';
import { startWebhook } from '../../../../src/webhook/start.ts';
import { hasCode } from '../../../../src/errors.ts';
import { createLogger } from '../../../../src/log.ts';
import { captureLogger, decisionSink, post, testConfig } from '../../chat/helpers.ts';

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
  [
    'production',
    // A production config is otherwise complete (it needs a payload key), so only the mode is wrong.
    { NODE_ENV: 'production', AIRLOCK_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64') },
    /NODE_ENV is production/,
  ],
];
for (const [name, env, message] of refusals) {
  test(`Playground mode is refused at startup: ${name}`, async () => {
    await assert.rejects(
      startWebhook({
        config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1', ...env }),
        deliver: onDecision,
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
  const server = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1', AIRLOCK_WEBHOOK_HOST: '::1' }),
    deliver: sink.onDecision,
    logger,
  });
  const url = `http://[::1]:${server.port}/api/webhooks/teams`;
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

test('Playground mode answers only this machine: remote addresses are refused', () => {
  const local = { host: '127.0.0.1:3978' };
  assert.equal(playgroundRefusal('127.0.0.1', local), null);
  assert.equal(playgroundRefusal('::1', { host: '[::1]:3978' }), null);
  assert.equal(playgroundRefusal('::ffff:127.0.0.1', { host: 'localhost:3978' }), null);
  assert.match(playgroundRefusal('10.0.0.7', local) ?? '', /remote address/);
  assert.match(playgroundRefusal('::ffff:192.168.1.2', local) ?? '', /remote address/);
  assert.match(playgroundRefusal(undefined, local) ?? '', /remote address/);
});

/** A raw node:http POST, so Host and proxy headers can be set as a browser or proxy would. */
function rawPost(
  port: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/webhooks/teams', headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('Playground mode refuses proxied, DNS-rebound and cross-origin requests', async () => {
  const sink = decisionSink();
  const server = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }),
    deliver: sink.onDecision,
    logger: silent,
  });
  try {
    const port = server.port;
    const value = JSON.stringify({ workflowId: 'action:guard', requestHash: 'h' });
    const click = (id: string): string =>
      JSON.stringify({
        type: 'message',
        id,
        serviceUrl: 'http://localhost:56150/_connector',
        channelId: 'msteams',
        from: { id: 'user-alice', name: 'Alice' },
        conversation: { id: 'chat', conversationType: 'groupChat', tenantId: 't' },
        value: { actionId: 'approval:approve', value },
      });
    const base = {
      'content-type': 'application/json',
      'x-ms-agents-playground': 'true',
      host: `127.0.0.1:${port}`,
    };
    const refused: [string, Record<string, string>][] = [
      ['DNS rebinding (Host: evil.example)', { ...base, host: `evil.example:${port}` }],
      ['cross-origin browser', { ...base, origin: 'http://evil.example' }],
      ['X-Forwarded-For', { ...base, 'x-forwarded-for': '203.0.113.9' }],
      ['Forwarded', { ...base, forwarded: 'for=203.0.113.9' }],
      ['X-Real-IP', { ...base, 'x-real-ip': '203.0.113.9' }],
    ];
    for (const [name, headers] of refused) {
      const res = await rawPost(port, headers, click(`guard-${name}`));
      assert.equal(res.status, 403, name);
    }
    // Control: the same click from this machine, with a loopback Host and Origin, is accepted;
    // only then is "nothing else" checked, so the check does not rest on a fixed wait.
    const ok = await rawPost(port, { ...base, origin: `http://localhost:${port}` }, click('ok'));
    assert.equal(ok.status, 200);
    assert.equal((await sink.next()).workflowId, 'action:guard');
    assert.equal(sink.calls.length, 1);
  } finally {
    await server.close();
  }
});
