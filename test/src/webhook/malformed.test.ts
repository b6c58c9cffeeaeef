// Malformed requests: bad JSON, oversized bodies, unknown routes and tampered button values are
// answered with JSON errors (or ignored with a warning) and never produce a signal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWebhook, type Webhook } from '../../../src/webhook/start.ts';
import { captureLogger, decisionSink, post, testConfig } from '../chat/helpers.ts';
import { mutatedActivities, recordedTeamsActivities } from './mutations.ts';

const sink = decisionSink();
const log = captureLogger();
let server: Webhook;
let base: string;
const marker = { 'x-ms-agents-playground': 'true' };

function click(id: string, value: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id,
    serviceUrl: 'http://localhost:56150/_connector',
    channelId: 'msteams',
    from: {
      id: 'user-bob',
      name: 'Bob Approver',
      aadObjectId: '00000000-0000-0000-0000-000000000b0b',
    },
    conversation: { id: 'airlock-approvals-chat', conversationType: 'groupChat', tenantId: 't' },
    recipient: { id: '00000000-0000-0000-0000-00000000b071' },
    replyToId: '1',
    value,
  };
}

before(async () => {
  server = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1', AIRLOCK_WEBHOOK_MAX_BODY: '4096' }),
    deliver: sink.onDecision,
    logger: log.logger,
  });
  base = `http://127.0.0.1:${server.port}`;
});
after(() => server?.close());

test('bad JSON gets 400 with a JSON error body', async () => {
  const res = await post(`${base}/api/webhooks/teams`, '{"type":"message",', marker);
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(res.text), { error: 'invalid_json' });
});

test('an oversized body gets 413', async () => {
  const big = click('big', { actionId: 'approval:approve', value: 'x'.repeat(10_000) });
  const res = await post(`${base}/api/webhooks/teams`, big, marker);
  assert.equal(res.status, 413);
  assert.deepEqual(JSON.parse(res.text), { error: 'payload_too_large' });
});

test('unknown routes, wrong methods and unconfigured platforms get JSON errors', async () => {
  const notFound = await post(`${base}/api/webhooks/discord`, {});
  assert.equal(notFound.status, 404);
  assert.deepEqual(JSON.parse(notFound.text), { error: 'not_found' });
  assert.equal((await fetch(`${base}/api/webhooks/teams`)).status, 405);
  const slack = await post(`${base}/api/webhooks/slack`, {});
  assert.equal(slack.status, 503);
  assert.deepEqual(JSON.parse(slack.text), { error: 'slack_not_configured' });
  const health = await fetch(`${base}/healthz`);
  assert.deepEqual(await health.json(), {
    ok: true,
    teams: 'playground',
    slack: false,
    temporal: 'unknown',
    inbox: { pending: 0, deadLetters: 0 },
  });
});

test('tampered button values are ignored with a warning and signal nothing', async () => {
  const tampered: unknown[] = [
    'not json',
    JSON.stringify({ workflowId: 'action:x' }),
    JSON.stringify({ requestHash: 'h' }),
    JSON.stringify({ workflowId: 42, requestHash: 'h' }),
    JSON.stringify({ workflowId: '', requestHash: 'h' }),
    JSON.stringify(['action:x', 'h']),
    JSON.stringify({ workflowId: 'action:x\nnext', requestHash: 'h' }),
    undefined,
  ];
  let n = 0;
  for (const value of tampered) {
    n += 1;
    const res = await post(
      `${base}/api/webhooks/teams`,
      click(`t-${n}`, { actionId: 'approval:approve', value }),
      marker,
    );
    assert.equal(res.status, 200);
  }
  // Control: the same shape with a well-formed value, sent after them, does signal; only then is
  // "nothing else" checked, so the check does not rest on a fixed wait being long enough.
  const ok = click('t-ok', {
    actionId: 'approval:reject',
    value: JSON.stringify({ workflowId: 'action:x', requestHash: 'h' }),
  });
  assert.equal((await post(`${base}/api/webhooks/teams`, ok, marker)).status, 200);
  assert.equal((await sink.next()).decision.choice, 'reject');
  assert.equal(sink.calls.length, 1);
  const ignored = log.lines().filter((l) => l['msg'] === 'ignored a card click');
  assert.equal(ignored.length, tampered.length);
});

test('ids that name no sensitive action are ignored at the edge, once: nothing kept or sent', async () => {
  // The edge checks the workflow id once (inbox/clicks.ts: decideClick); the inbox and the signal
  // take only the verified clicks it makes, so nothing after it checks again.
  const keptBefore = server.inbox.stats().accepted;
  const warnedBefore = log.lines().length;
  for (const [n, workflowId] of ['session:support-bot:x', 'action:../../etc'].entries()) {
    const value = JSON.stringify({ workflowId, requestHash: 'h' });
    const res = await post(
      `${base}/api/webhooks/teams`,
      click(`na-${n}`, { actionId: 'approval:approve', value }),
      marker,
    );
    assert.equal(res.status, 200);
  }
  // Control, sent after them: a well-formed click is kept and handed over.
  const sent = sink.calls.length;
  const value = JSON.stringify({ workflowId: 'action:na-ok', requestHash: 'h' });
  const ok = await post(
    `${base}/api/webhooks/teams`,
    click('na-ok', { actionId: 'approval:approve', value }),
    marker,
  );
  assert.equal(ok.status, 200);
  assert.equal((await sink.next()).workflowId, 'action:na-ok');
  assert.equal(sink.calls.length, sent + 1);
  assert.equal(server.inbox.stats().accepted, keptBefore + 1);
  const ignored = log
    .lines()
    .slice(warnedBefore)
    .filter((l) => l['msg'] === 'click names no sensitive action; ignored');
  assert.deepEqual(
    ignored.map((l) => [l['workflowId'], l['approver']]),
    [
      ['session:support-bot:x', 'Bob Approver'],
      ['action:../../etc', 'Bob Approver'],
    ],
  );
});

test('a click whose hand-over fails is still kept and acknowledged, then handed over once', async () => {
  // The platform gets 200 at once: the decision is on disk; Temporal being away is the inbox's
  // problem, retried until it works (a full or unwritable inbox is the 503 case: inbox tests).
  let attempts = 0;
  const delivered: string[] = [];
  const flaky = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }),
    deliver: (workflowId) => {
      if (++attempts <= 2) return Promise.reject(new Error('temporal unavailable'));
      delivered.push(workflowId);
      return Promise.resolve();
    },
    logger: captureLogger().logger,
    inbox: { retryBaseMs: 20, retryMaxMs: 50 },
  });
  const url = `http://127.0.0.1:${flaky.port}/api/webhooks/teams`;
  try {
    const value = JSON.stringify({ workflowId: 'action:x', requestHash: 'h' });
    const res = await post(url, click('f-1', { actionId: 'approval:approve', value }), marker);
    assert.equal(res.status, 200);
    for (let i = 0; i < 100 && delivered.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(delivered, ['action:x'], 'handed over once, after two failures');
    assert.equal(attempts, 3);
  } finally {
    await flaky.close();
  }
});

test('an adaptiveCard/action invoke gets a non-empty ack and signals once (vercel/chat#731)', async () => {
  const value = JSON.stringify({ workflowId: 'action:inv', requestHash: 'h' });
  const invoke = {
    ...click('inv-1', {}),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', data: { actionId: 'approval:approve', value } } },
  };
  const before = sink.calls.length;
  const res = await post(`${base}/api/webhooks/teams`, invoke, marker);
  assert.equal(res.status, 200);
  const ack = JSON.parse(res.text) as { statusCode: number; type: string; value: string };
  assert.equal(ack.statusCode, 200);
  assert.equal(ack.type, 'application/vnd.microsoft.activity.message');
  assert.ok(ack.value.length > 0);
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:inv');
  assert.equal(decision.decisionId, 'teams:inv-1');
  assert.equal(sink.calls.length, before + 1);
});

test('thousands of mutated recorded Teams bodies never get a 500, and malformed ones get 400', async () => {
  const loopback = 'http://localhost:56150/_connector';
  const bases = recordedTeamsActivities().map((a) => ({ ...a, serviceUrl: loopback }));
  const corpus = mutatedActivities(bases, 3000);
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (const body of corpus) {
    const res = await post(`${base}/api/webhooks/teams`, body, marker);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500 && failures.length < 5) failures.push(`${res.status} ${body}`);
  }
  assert.deepEqual(failures, [], `statuses: ${JSON.stringify([...statuses])}`);
  // The corpus exercises both sides: some mutations are harmless, many are refused as malformed.
  assert.ok((statuses.get(200) ?? 0) > 100, JSON.stringify([...statuses]));
  assert.ok((statuses.get(400) ?? 0) > 100, JSON.stringify([...statuses]));
});
